"""The passwords area: forgot password and reset by link (public), change password (logged in)."""

from functools import partial

from portal.core.audit import Audit
from portal.core.settings import Settings
from portal.core.users import UserStore
from portal.mail import Mail
from portal.security.passwords import Passwords
from portal.security.sessions import SessionStore
from portal.security.throttles import FailedLogins, LoginAttempts
from portal.security.tokens import Tokens
from portal.web.area import Area, for_visitor, site_area

from .routes import change, change_form, forgot, forgot_form, reset, reset_form
from .service import RESET_MAILS, RESET_WINDOW, PasswordService, ResetThrottles


def area(
    *,
    users: UserStore,
    sessions: SessionStore,
    passwords: Passwords,
    tokens: Tokens,
    mail: Mail,
    audit: Audit,
    settings: Settings,
) -> Area:
    throttles = ResetThrottles(
        per_address=LoginAttempts(settings.login_attempts_per_minute),
        per_email=FailedLogins(limit=RESET_MAILS, window=RESET_WINDOW),
    )
    service = partial(PasswordService, users, sessions, passwords, tokens, mail, audit, settings, throttles)
    return site_area(
        "passwords",
        [forgot_form, forgot, reset_form, reset, change_form, change],
        services={"password_service": for_visitor(service)},
    )
