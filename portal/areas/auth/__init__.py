"""The auth area: logging in and out (public routes)."""

from portal.web.area import Area, site_area

from .routes import login, login_form, logout
from .service import Logins


def area() -> Area:
    return site_area("auth", [login_form, login, logout], services={"logins": Logins})
