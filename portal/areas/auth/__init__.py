"""The auth area: logging in (with a second factor for accounts that have one) and out (public routes)."""

from functools import partial

from portal.core.audit import Audit
from portal.core.metrics import Metrics
from portal.core.settings import Settings
from portal.core.users import UserStore
from portal.security.passwords import Passwords
from portal.security.sessions import SessionStore
from portal.security.throttles import FailedLogins, LoginAttempts
from portal.security.two_factor import TwoFactor
from portal.web.area import Area, for_visitor, site_area

from .routes import login, login_form, login_two_factor, logout
from .service import Logins


def area(
    *,
    users: UserStore,
    sessions: SessionStore,
    passwords: Passwords,
    login_attempts: LoginAttempts,
    failed_logins: FailedLogins,
    audit: Audit,
    metrics: Metrics,
    settings: Settings,
    two_factor: TwoFactor,
) -> Area:
    logins = partial(
        Logins, users, sessions, passwords, login_attempts, failed_logins, audit, metrics, settings, two_factor
    )
    return site_area(
        "auth", [login_form, login, login_two_factor, logout], services={"logins": for_visitor(logins)}
    )
