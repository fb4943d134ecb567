"""The features section of the admin area: switching parts of the portal on or off
(portal.core.features). A switched-off feature leaves the menus, and its routes answer 404 like
a page that does not exist (portal.security.features); each change is audited.

The form lists the features it shows (a hidden `feature` per row) and checks those to keep on
(`on`): a feature the form did not show keeps its state, so a page opened before an upgrade
that added one never switches the new one off; unknown names are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Response, Template

from portal.core.audit import Audit
from portal.core.features import FEATURES, Feature, Features
from portal.core.users import User
from portal.web.area import for_user
from portal.web.htmx import go
from portal.web.params import with_query
from portal.web.rendering import page

from .section import Section

DONE = {
    "saved": "Saved. Switched-off features have left the menus and their pages answer “not found”.",
    "unchanged": "Nothing changed.",
}


@dataclass
class FeatureSwitches:
    """What the features page reads and does, for the admin asking."""

    features: Features
    audit: Audit
    user: User

    def rows(self) -> list[tuple[Feature, bool]]:
        states = self.features.states()
        return [(feature, states[name]) for name, feature in FEATURES.items()]

    def save(self, shown: list[str], on: list[str], *, ip: str) -> dict[str, bool]:
        """Switch each known feature of `shown` on when it is in `on`, else off; audited when
        anything changed. Returns {name: new state} of what changed."""
        wanted = {name: name in on for name in dict.fromkeys(shown) if name in FEATURES}
        changed = self.features.save(wanted)
        if changed:
            self.audit.record("features_changed", actor_user_id=self.user.id, actor_email=self.user.email, ip=ip,
                              target="features", detail=changed)
        return changed


def section(*, features: Features, audit: Audit) -> Section:
    # No navigation link: the admin home links every section (the admin menu stays short).
    return Section(
        handlers=(features_page, features_save),
        services={"feature_switches": for_user(partial(FeatureSwitches, features, audit))},
    )


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


@get("/admin/features", name="admin_features")
async def features_page(request: Request, feature_switches: NamedDependency[FeatureSwitches]) -> Template:
    done = DONE.get(request.query_params.get("done", ""))
    return page(request, "views/admin/features.html", rows=feature_switches.rows(), done=done)


@post("/admin/features", name="admin_features_save", status_code=200)
async def features_save(request: Request, feature_switches: NamedDependency[FeatureSwitches]) -> Response:
    form = await request.form()
    # At most a few names per feature: anything longer is not this form.
    shown = [str(name)[:40] for name in form.getall("feature", [])][: len(FEATURES) * 2]
    on = [str(name)[:40] for name in form.getall("on", [])][: len(FEATURES) * 2]
    changed = feature_switches.save(shown, on, ip=_client(request))
    done = "saved" if changed else "unchanged"
    return go(request, with_query(request.app.route_reverse("admin_features"), {"done": done}))
