"""The Jinja environment: the template folders, the portal's filters and the globals every
template may use (`asset`, `url_with`, `nav_links`, `feature_on`, `registration_open`, the site
name, the form widgets `forms`, `table_head`, `table_wrap`, `locale` and the shared macros
`lists`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from functools import partial
from typing import Any

from jinja2 import Environment, FileSystemLoader, PrefixLoader, StrictUndefined, pass_context
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from markupsafe import escape

from portal.core.branding import Branding, BrandingStore
from portal.core.formatting import age, day, day_time, iso, money, normalize
from portal.core.paths import PARTIALS_DIR, VIEWS_DIR
from portal.core.settings import Settings
from portal.web import forms
from portal.web.navigation import current_url, features, nav_links
from portal.web.params import with_query
from portal.web.tables import table_head, table_wrap

HTMX_FILE = "/htmx-2.0.11.min.js"
# Macros every template can call without importing them: `lists.summary(…)`.
SHARED_MACROS = {"lists": "partials/_lists.html", "parts": "partials/_parts.html"}


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
    return with_query(context["request"].app.route_reverse(name, **path_params), query)


@pass_context
def feature_on(context, name: str) -> bool:
    """Whether the feature `name` (portal.core.features) is switched on, read per page from
    the features store's memory: `{% if feature_on("comments") %}`."""
    return features(context["request"].app).is_on(name)


def registration_check(settings: Settings) -> Callable[..., bool]:
    """The template global `registration_open()`: whether /register takes new accounts (the
    login page links to it): PORTAL_REGISTRATION is not "closed" and the registration feature
    is switched on (admin > Features), asked per page."""
    closed = settings.registration == "closed"

    @pass_context
    def registration_open(context) -> bool:
        return not closed and feature_on(context, "registration")

    return registration_open


class CurrentBrand:
    """The template global `brand`: attributes of the branding current when they are read."""

    __slots__ = ("_current",)

    def __init__(self, current: Callable[[], Branding]) -> None:
        self._current = current

    def __getattr__(self, name: str) -> Any:
        return getattr(self._current(), name)


class CurrentName:
    """The template global `site_name`: the current portal name wherever it is printed or joined."""

    __slots__ = ("_current",)

    def __init__(self, current: Callable[[], Branding]) -> None:
        self._current = current

    def __str__(self) -> str:
        return self._current().portal_name

    def __html__(self) -> str:
        return str(escape(self._current().portal_name))

    def __bool__(self) -> bool:
        return bool(self._current().portal_name)


def fixed_urls() -> tuple[Callable[..., str], Callable[..., str]]:
    """The template globals `url_for` and `asset` of one app, sharing one memo: each URL that is
    the same on every page (routes without parameters, static files) is reversed once, as the
    header alone asks for several on every page and reversing a route costs more than the rest
    of the header. `asset(file_path)` is the one way templates build static URLs."""
    urls: dict[tuple[str, str], str] = {}

    def once(app: Any, route_name: str, file_path: str = "") -> str:
        url = urls.get((route_name, file_path))
        if url is None:
            params = {"file_path": file_path} if file_path else {}
            url = urls[(route_name, file_path)] = app.route_reverse(route_name, **params)
        return url

    def url_for(context: Mapping[str, Any], /, route_name: str, **path_parameters: Any) -> str:
        """Litestar's `url_for`; a URL with parameters (an order's) is reversed each time."""
        app = context["request"].app
        if path_parameters:
            return app.route_reverse(route_name, **path_parameters)
        return once(app, route_name)

    def asset(context: Mapping[str, Any], /, file_path: str) -> str:
        """The URL of the static file `file_path` ("/portal.css")."""
        return once(context["request"].app, "static", file_path)

    return url_for, asset


def make_template_config(settings: Settings, branding: BrandingStore | None = None) -> TemplateConfig:
    """The TemplateConfig with `views/…` and `partials/…` names and the portal's filters;
    `branding` is where `brand` comes from (default: the environment's, fixed)."""
    url_for, asset = fixed_urls()
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
    # Moments are shown on the merchant's clock (PORTAL_TIMEZONE); calendar days as they are.
    fixed = Branding.from_settings(settings)
    current = branding.current if branding is not None else (lambda: fixed)
    zone = settings.zone
    env.filters.update(
        money=money,
        day=partial(day, zone=zone),
        day_time=partial(day_time, zone=zone),
        iso=partial(iso, zone=zone),
        age=age,
        normalize=normalize,
    )
    env.globals.update(
        brand=CurrentBrand(current),
        site_name=CurrentName(current),
        locale=settings.locale,
        demo=settings.demo,
        registration_open=registration_check(settings),
        feature_on=feature_on,
        url_with=url_with,
        asset=pass_context(asset),
        nav_links=nav_links,
        current_nav_url=current_url,
        htmx_file=HTMX_FILE,
        forms=forms,
        table_head=table_head,
        table_wrap=table_wrap,
    )
    # The shared macros are globals, loaded once: an {% import %} costs a lookup of every
    # global on each render, which on the order list cost more than the rest of its template.
    env.globals.update({name: env.get_template(path).module for name, path in SHARED_MACROS.items()})
    engine = JinjaTemplateEngine.from_environment(env)
    engine.register_template_callable("url_for", url_for)
    return TemplateConfig(instance=engine)
