"""The Jinja environment: the template folders, the portal's filters and the globals every
template may use (`asset`, `url_with`, `nav_links`, the site name, and the shared macros
`forms` and `lists`)."""

from __future__ import annotations

from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, PrefixLoader, StrictUndefined, pass_context
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from portal.core.formatting import age, day, day_time, iso, money, normalize
from portal.core.paths import PARTIALS_DIR, VIEWS_DIR
from portal.core.settings import Settings
from portal.web.html import html_attrs, invalid
from portal.web.navigation import nav_links

HTMX_FILE = "/htmx-2.0.11.min.js"
# Macros every template can call without importing them: `forms.field(…)`, `lists.results(…)`.
SHARED_MACROS = {"forms": "partials/_forms.html", "lists": "partials/_lists.html"}


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


def make_template_config(settings: Settings) -> TemplateConfig:
    """The TemplateConfig with `views/…` and `partials/…` names and the portal's filters."""
    env = Environment(
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
        money=money, day=day, day_time=day_time, iso=iso, age=age, normalize=normalize, html_attrs=html_attrs
    )
    env.globals.update(
        site_name=settings.site_name,
        demo=settings.demo,
        url_with=url_with,
        asset=make_asset_url(),
        nav_links=nav_links,
        htmx_file=HTMX_FILE,
        invalid=invalid,
    )
    # The shared macros are globals, loaded once: an {% import %} costs a lookup of every
    # global on each render, which on the order list cost more than the rest of its template.
    env.globals.update({name: env.get_template(path).module for name, path in SHARED_MACROS.items()})
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(env))
