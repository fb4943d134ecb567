"""The account page (customers)."""

from __future__ import annotations

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from portal.web.rendering import page

from .summary import AccountSummary


@get("/account", name="account")
async def account_page(request: Request, account: NamedDependency[AccountSummary]) -> Template:
    context = await account.context()
    if context is None:
        return page(request, "views/account/account.html", status_code=404, contact=None)
    return page(request, "views/account/account.html", **context)
