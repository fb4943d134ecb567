"""The Jinja environment: the template folders, the portal's filters and the globals every
template may use (`asset`, `url_with`, `nav_links`, the site name, the form widgets `forms`,
`table_head` and the shared macros `lists`)."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, PrefixLoader, StrictUndefined, pass_context
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from portal.core.formatting import age, day, day_time, iso, money, normalize
from portal.core.paths import PARTIALS_DIR, VIEWS_DIR
from portal.core.settings import Settings
from portal.web import forms
from portal.web.navigation import nav_links
from portal.web.tables import table_head

HTMX_FILE = "/htmx-2.0.11.min.js"
# Macros every template can call without importing them: `lists.summary(…)`.
SHARED_MACROS = {"lists": "partials/_lists.html"}


class PortalEnvironment(Environment):
    """Jinja's Environment whose templates share its globals dict.

    Jinja gives every template a ChainMap of its own globals over the environment's, and copies
    it into a new context on every render: a Python-level lookup that raises a KeyError in the
    template's empty layer, once per global per render (a tenth of the order list's template
    time). The portal sets every global before it serves and gives no template globals of its
    own, so the ChainMap buys nothing."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        if d:
            raise ValueError("portal templates take no globals of their own; add them to the environment")
        return self.globals


@pass_context
def url_with(context, name: str, query: dict | None = None, **path_params) -> str:
    """`url_for(name, **path_params)` plus a query string from the non-empty items of `query`."""
    url = context["request"].app.route_reverse(name, **path_params)
    items = {k: v for k, v in (query or {}).items() if v not in (None, "")}
    return f"{url}?{urlencode(items)}" if items else url


def make_asset_url():
    """The `asset(file_path)` template global: the URL of a static file, worked out once per
    file and app (it is on every page, and reversing a route costs more than the rest of the
    head). The one way templates build static URLs."""
    urls: dict[str, str] = {}

    @pass_context
    def asset(context, file_path: str) -> str:
        url = urls.get(file_path)
        if url is None:
            url = urls[file_path] = context["request"].app.route_reverse("static", file_path=file_path)
        return url

    return asset


def make_url_for():
    """The `url_for(route_name, **path_parameters)` template global: Litestar's, with the URLs of
    routes without parameters worked out once per app (the header alone asks for three on every
    page, and reversing a route costs more than the rest of the header)."""
    urls: dict[str, str] = {}

    def url_for(context: Mapping[str, Any], /, route_name: str, **path_parameters: Any) -> str:
        app = context["request"].app
        if path_parameters:
            return app.route_reverse(route_name, **path_parameters)
        url = urls.get(route_name)
        if url is None:
            url = urls[route_name] = app.route_reverse(route_name)
        return url

    return url_for


def make_template_config(settings: Settings) -> TemplateConfig:
    """The TemplateConfig with `views/…` and `partials/…` names and the portal's filters."""
    env = PortalEnvironment(
        loader=PrefixLoader(
            {"views": FileSystemLoader(str(VIEWS_DIR)), "partials": FileSystemLoader(str(PARTIALS_DIR))}
        ),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the code; checking their files on every render costs a stat each.
        auto_reload=False,
    )
    env.filters.update(
        money=money, day=day, day_time=day_time, iso=iso, age=age, normalize=normalize
    )
    env.globals.update(
        site_name=settings.site_name,
        demo=settings.demo,
        url_with=url_with,
        asset=make_asset_url(),
        nav_links=nav_links,
        htmx_file=HTMX_FILE,
        forms=forms,
        table_head=table_head,
    )
    # The shared macros are globals, loaded once: an {% import %} costs a lookup of every
    # global on each render, which on the order list cost more than the rest of its template.
    env.globals.update({name: env.get_template(path).module for name, path in SHARED_MACROS.items()})
    engine = JinjaTemplateEngine.from_environment(env)
    engine.register_template_callable("url_for", make_url_for())
    return TemplateConfig(instance=engine)
