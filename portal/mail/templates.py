"""Rendering a message from its templates: `mail/<name>.txt` (the plain text, and the subject in
its `{% block subject %}`) and `mail/<name>.html`, both extending the branded bases
(`mail/_base.txt`, `mail/_base.html`). HTML is autoescaped, plain text is not.

Every template gets the branding (`Branding`: site name, colours, the login URL, the merchant's
email and phone, the logo when there is one) and `link(path, **query)`, which makes an absolute
URL from PORTAL_BASE_URL: a mail is read outside the portal, and its links must never come from
the Host a request happened to arrive with (security checklist REC-04).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, PrefixLoader, StrictUndefined, select_autoescape

from portal.core.branding import LOGO_PATH, BrandingStore
from portal.core.branding import Branding as CoreBranding
from portal.core.formatting import day, day_time, money
from portal.core.paths import MAIL_DIR
from portal.core.settings import Settings

_SPACES = re.compile(r"\s+")


class MailTemplateError(ValueError):
    """A message template is missing a part it must have (str: which, and what to add)."""


@dataclass(frozen=True)
class Rendered:
    """One message as it will be sent: its subject, plain text and HTML."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Branding:
    """What every message template knows of the merchant (its variables have these names)."""

    site_name: str
    brand_colour: str
    accent_colour: str
    base_url: str
    login_url: str
    merchant_email: str
    merchant_phone: str
    # The logo's absolute URL, or None: the bases show it when set (from_brand: the admin's upload).
    logo_url: str | None = None
    # The merchant's legal identity (portal.core.branding.LegalIdentity), for the footer.
    legal_name: str = ""
    legal_address: tuple[str, ...] = ()
    legal_registration: tuple[str, ...] = ()  # "Company no. …", "VAT no. …"

    @classmethod
    def from_settings(cls, settings: Settings) -> Branding:
        return cls.from_brand(CoreBranding.from_settings(settings), settings)

    @classmethod
    def from_brand(cls, brand: CoreBranding, settings: Settings) -> Branding:
        """What the templates know of `brand`, the branding an admin set (/admin/branding)."""
        legal = brand.legal
        return cls(
            site_name=brand.portal_name,
            brand_colour=brand.primary,
            accent_colour=brand.accent,
            base_url=settings.base_url.rstrip("/"),
            login_url=absolute_url(settings.base_url, "/login"),
            merchant_email=legal.email,
            merchant_phone=legal.phone,
            logo_url=absolute_url(settings.base_url, LOGO_PATH + brand.logo) if brand.logo else None,
            legal_name=legal.legal_name,
            legal_address=legal.address,
            legal_registration=tuple(legal.registration),
        )


def from_store(store: BrandingStore, settings: Settings) -> Callable[[], Branding]:
    """The `branding` callable of MailTemplates that reads the current branding of `store`:
    a message rendered after an admin's change carries it."""
    cache: dict[CoreBranding, Branding] = {}

    def branding() -> Branding:
        brand = store.current()
        found = cache.get(brand)
        if found is None:
            cache.clear()
            found = cache[brand] = Branding.from_brand(brand, settings)
        return found

    return branding


def absolute_url(base_url: str, path: str, query: Mapping[str, Any] | None = None) -> str:
    """`path` ("/reset/abc") under PORTAL_BASE_URL, with a query string of the non-empty
    items of `query`. Only a path is accepted: a full URL ("https://…", "//host/…") raises
    ValueError, so a message can never link elsewhere by accident."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        raise ValueError(f"mail links take a path starting with one '/', not {path!r}")
    items = {key: value for key, value in (query or {}).items() if value not in (None, "")}
    return base_url.rstrip("/") + path + (f"?{urlencode(items)}" if items else "")


class MailTemplates:
    """The message templates of one portal: `render(name, context)`."""

    def __init__(
        self,
        settings: Settings,
        *,
        branding: Callable[[], Branding] | None = None,
        directory: Path = MAIL_DIR,
    ) -> None:
        self.settings = settings
        self.branding = branding or partial(Branding.from_settings, settings)
        self.env = Environment(
            loader=PrefixLoader({"mail": FileSystemLoader(str(directory))}),
            # .html escapes what it is given; .txt is plain text and must not show &amp;.
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        zone = settings.zone
        self.env.filters.update(money=money, day=partial(day, zone=zone), day_time=partial(day_time, zone=zone))
        self.env.globals.update(link=self.link, locale=settings.locale)

    def link(self, path: str, **query: Any) -> str:
        """The absolute URL of `path` in the portal (see absolute_url)."""
        return absolute_url(self.settings.base_url, path, query)

    def render(self, name: str, context: Mapping[str, Any]) -> Rendered:
        """Message `name` rendered with `context` (plus the branding, which it may not
        override); MailTemplateError when its .txt has no subject."""
        variables = {**context, **asdict(self.branding())}
        text_template = self.env.get_template(f"mail/{name}.txt")
        block = text_template.blocks.get("subject")
        if block is None:
            raise MailTemplateError(f"mail/{name}.txt needs a {{% block subject %}}…{{% endblock %}}")
        subject = _SPACES.sub(" ", "".join(block(text_template.new_context(variables)))).strip()
        if not subject:
            raise MailTemplateError(f"mail/{name}.txt rendered an empty subject")
        variables["subject"] = subject
        text = text_template.render(variables)
        html = self.env.get_template(f"mail/{name}.html").render(variables)
        return Rendered(subject=subject, text=text, html=html)
