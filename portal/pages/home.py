"""The landing page after login."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Redirect, Template

from portal.pages.common import page, require_user


@get("/", name="home")
async def home(request: Request) -> Template | Redirect:
    """Customers land on their orders; other roles see what the portal offers them so far."""
    user = require_user(request)
    if user.is_customer:
        return Redirect("/orders")
    return page(request, "views/home.html")


route_handlers = [home]
