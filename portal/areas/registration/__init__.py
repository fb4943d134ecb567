"""The registration area (public): /register and the verification link's page."""

from functools import partial

from portal.accounts.registrations import Registrations
from portal.core.settings import Settings
from portal.security.passwords import Passwords
from portal.security.throttles import FailedLogins, LoginAttempts
from portal.web.area import Area, for_visitor, site_area

from .routes import confirm, confirm_form, register, register_form
from .service import RegistrationPages, RegistrationThrottles

# Requests for one e-mail address in a quarter of an hour: more would flood its inbox.
MAILS_PER_ADDRESS = 3


def area(*, registrations: Registrations, passwords: Passwords, settings: Settings) -> Area:
    throttles = RegistrationThrottles(
        per_address=LoginAttempts(settings.login_attempts_per_minute),
        per_email=FailedLogins(limit=MAILS_PER_ADDRESS, window=15 * 60),
    )
    pages = partial(RegistrationPages, registrations, passwords, settings, throttles)
    return site_area(
        "registration",
        [register_form, register, confirm_form, confirm],
        services={"registration": for_visitor(pages)},
    )
