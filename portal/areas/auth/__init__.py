"""The auth area: logging in and out (public routes)."""

from litestar import Router
from litestar.di import NamedDependency, Provide

from portal.core.audit import Audit
from portal.core.metrics import Metrics
from portal.core.users import UserStore
from portal.security.passwords import Passwords
from portal.security.sessions import SessionStore
from portal.security.throttles import FailedLogins, LoginAttempts
from portal.web.area import Area

from .routes import login, login_form, logout
from .service import Logins


def provide_logins(
    users: NamedDependency[UserStore],
    sessions: NamedDependency[SessionStore],
    passwords: NamedDependency[Passwords],
    login_attempts: NamedDependency[LoginAttempts],
    failed_logins: NamedDependency[FailedLogins],
    audit: NamedDependency[Audit],
    metrics: NamedDependency[Metrics],
) -> Logins:
    return Logins(users, sessions, passwords, login_attempts, failed_logins, audit, metrics)


def area() -> Area:
    return Area(
        "auth",
        Router(
            "/",
            route_handlers=[login_form, login, logout],
            dependencies={"logins": Provide(provide_logins, sync_to_thread=False)},
        ),
    )
