"""The two-factor area (anyone logged in): turning two-factor sign-in on and off, and recovery codes."""

from functools import partial

from portal.core.settings import Settings
from portal.security.guards import signed_in
from portal.security.two_factor import TwoFactor
from portal.web.area import Area, for_user, site_area

from .routes import (
    cancel_setup,
    confirm_setup,
    disable,
    regenerate_codes,
    settings_page,
    setup_page,
    start_setup,
)
from .service import TwoFactorSettings


def area(*, two_factor: TwoFactor, settings: Settings) -> Area:
    # No NavLink: the page is linked from the account menu in the header (views/base.html).
    return site_area(
        "two_factor",
        [settings_page, start_setup, setup_page, confirm_setup, cancel_setup, disable, regenerate_codes],
        guard=signed_in(),
        services={"account_two_factor": for_user(partial(TwoFactorSettings, two_factor, settings))},
    )
