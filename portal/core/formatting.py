"""The Jinja environment: template folders, filters and globals shared by every page."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, PrefixLoader, StrictUndefined, pass_context
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from portal.pages import nav_links
from portal.paths import PARTIALS_DIR, VIEWS_DIR
from portal.settings import Settings

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "AUD": "A$", "CAD": "C$", "NZD": "NZ$"}


def money(amount: Decimal | int | float | str | None, currency: str | None = None) -> str:
    """Format an amount for people: `£1,234.50`, `-€3.00`, or an en dash when unknown."""
    if amount is None or amount == "":
        return "–"
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return "–"
    code = (currency or "").upper()
    symbol = CURRENCY_SYMBOLS.get(code)
    text = f"{abs(value):,.2f}"
    sign = "-" if value < 0 else ""
    if symbol:
        return f"{sign}{symbol}{text}"
    return f"{sign}{text} {code}".strip()


def day(value: datetime | date | None) -> str:
    """Format a date as `14 May 2024` (in the date's own offset), or an en dash."""
    if value is None:
        return "–"
    return f"{value.day} {value:%b %Y}"


def day_time(value: datetime | None) -> str:
    """Format a moment as `14 May 2024, 09:32` in its own offset, or an en dash."""
    if value is None:
        return "–"
    return f"{value.day} {value:%b %Y, %H:%M}"


def normalize(value: Decimal | int | str | None) -> str:
    """Show a quantity without trailing zeros: `3.0000` -> `3`, `1.5000` -> `1.5`."""
    if value in (None, ""):
        return "–"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def iso(value: datetime | date | None) -> str:
    """Machine-readable form for <time datetime=…>."""
    return value.isoformat() if value else ""


def age(value: datetime | None) -> str:
    """Say how long ago `value` was, in words: `4 minutes ago`."""
    if value is None:
        return ""
    seconds = int((datetime.now(UTC) - value).total_seconds())
    if seconds < 90:
        return "a minute ago"
    minutes = seconds // 60
    if minutes < 90:
        return f"{minutes} minutes ago"
    hours = minutes // 60
    if hours < 36:
        return f"{hours} hours ago"
    return f"{hours // 24} days ago"


@pass_context
def url_with(context, name: str, query: dict | None = None, **path_params) -> str:
    """`url_for(name, **path_params)` plus a query string from the non-empty items of `query`."""
    url = context["request"].app.route_reverse(name, **path_params)
    items = {k: v for k, v in (query or {}).items() if v not in (None, "")}
    return f"{url}?{urlencode(items)}" if items else url


_ASSETS: dict[str, str] = {}


@pass_context
def asset(context, file_path: str) -> str:
    """URL of a static file: `url_for('static', file_path=…)`, worked out once per file (it is
    on every page, and reversing a route costs more than the rest of the head)."""
    url = _ASSETS.get(file_path)
    if url is None:
        url = _ASSETS[file_path] = context["request"].app.route_reverse("static", file_path=file_path)
    return url


def make_template_config(settings: Settings) -> TemplateConfig:
    """Return the TemplateConfig with `views/…` and `partials/…` names and the portal's filters."""
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
    env.filters.update(money=money, day=day, day_time=day_time, iso=iso, age=age, normalize=normalize)
    env.globals.update(
        site_name=settings.site_name,
        demo=settings.demo,
        url_with=url_with,
        asset=asset,
        nav_links=nav_links,
        htmx_file="/htmx-2.0.11.min.js",
    )
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(env))
