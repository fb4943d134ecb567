"""The "View as customer" section of the admin area: an admin chooses a customer login and
sees the portal as that customer does, read-only (portal.security.viewing_as has the rules).

Only a customer login that is active and linked to a Brightpearl contact can be viewed:
suppliers have no pages of their own yet, admins see the portal as themselves, and a web
account still being set up has nothing to show. Starting and stopping are audited
(`view_as_started`, `view_as_stopped`); every page seen while viewing is too (`view_as_page`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response, Template

from portal.core.audit import Audit
from portal.core.users import User, UserStore
from portal.security.sessions import SessionStore
from portal.security.viewing_as import STOP_VIEWING_PATH, viewed_customer
from portal.web.area import for_user
from portal.web.htmx import go
from portal.web.params import with_query
from portal.web.rendering import page

from .section import Section

MAX_QUERY = 100
LIMIT = 50
DONE = {"stopped": "You have stopped viewing as a customer: you are signed in as yourself again."}


class CannotView(ValueError):
    """This login cannot be viewed; str(error) says why."""


@dataclass
class ViewAs:
    """Choosing a customer login to view the portal as, and starting and stopping it."""

    users: UserStore
    sessions: SessionStore
    audit: Audit
    user: User

    def customers(self, query: str) -> list[dict]:
        """Active customer logins with a contact whose e-mail or name contains `query`, by e-mail."""
        sql = ("select id, email, name, contact_id from users "
               "where role = 'customer' and active = 1 and contact_id is not null")
        params: list = []
        if query:
            pattern = "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            sql += r" and (email like ? escape '\' or lower(name) like ? escape '\')"
            params += [pattern, pattern]
        return list(self.users.db.query(sql + " order by email limit ?", [*params, LIMIT + 1]))

    def start(self, user_id: int, *, token: str, ip: str) -> None:
        row = self.users.row(user_id)
        if row is None:
            raise NotFoundException()
        if row["role"] != "customer":
            raise CannotView(f"{row['email']} is not a customer login: only customers' portal can be viewed.")
        if not row["active"]:
            raise CannotView(f"{row['email']} is deactivated: reactivate it to view the portal as it.")
        if not row["contact_id"]:
            raise CannotView(f"{row['email']} is still being set up: it has no Brightpearl contact to show yet.")
        self.sessions.start_viewing(token, row["id"])
        self.audit.record("view_as_started", actor_user_id=self.user.id, actor_email=self.user.email, ip=ip,
                          target=f"user:{row['id']}", detail={"email": row["email"], "contact_id": row["contact_id"]})

    def stop(self, *, token: str | None, ip: str) -> None:
        viewed = self.sessions.stop_viewing(token)
        if viewed is not None:
            self.audit.record("view_as_stopped", actor_user_id=self.user.id, actor_email=self.user.email, ip=ip,
                              target=f"user:{viewed}", detail={"because": "stopped"})


def section(*, users: UserStore, sessions: SessionStore, audit: Audit) -> Section:
    return Section(
        handlers=(view_as_page, view_as_start, view_as_stop),
        services={"view_as": for_user(partial(ViewAs, users, sessions, audit))},
    )


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _chooser(request: Request, view_as: ViewAs, *, error: str | None = None, status: int = 200) -> Template:
    query = request.query_params.get("q", "")[:MAX_QUERY].strip()
    found = view_as.customers(query)
    done = None if error else DONE.get(request.query_params.get("done", ""))
    return page(request, "views/admin/view_as.html", status_code=status, query=query, customers=found[:LIMIT],
                more=len(found) > LIMIT, error=error, done=done, max_query=MAX_QUERY)


@get("/admin/view-as", name="admin_view_as")
async def view_as_page(request: Request, view_as: NamedDependency[ViewAs]) -> Template:
    return _chooser(request, view_as)


@post("/admin/view-as/{user_id:int}", name="admin_view_as_start", status_code=200)
async def view_as_start(request: Request, user_id: FromPath[int], view_as: NamedDependency[ViewAs]) -> Template | Response:
    try:
        view_as.start(user_id, token=request.scope["auth"], ip=_client(request))
    except CannotView as error:
        return _chooser(request, view_as, error=str(error), status=400)
    return go(request, request.app.route_reverse("home"))


@post(STOP_VIEWING_PATH, name="view_as_stop", status_code=200)
async def view_as_stop(request: Request, view_as: NamedDependency[ViewAs]) -> Response:
    """Under the admin guard: on this path the session middleware lets the admin act as
    themselves (portal.security.middleware.AS_THEMSELVES_PATHS), viewing or not."""
    if viewed_customer(request) is not None:
        view_as.stop(token=request.scope.get("auth"), ip=_client(request))
    return go(request, with_query(request.app.route_reverse("admin_view_as"), {"done": "stopped"}))
