"""The merchant's branding and legal identity, as an admin edits them (/admin/branding).

`Branding` is one frozen value: the portal's name, its colours, the logo, the login screen's
words, the header's links, and the merchant's legal identity (what a VAT invoice must carry).
It is kept in SiteSettings under the key "branding"; what is not stored comes from the
environment (PORTAL_SITE_NAME, PORTAL_BRAND_COLOUR, …), so an untouched install looks as before.

`BrandingStore.current()` is read per request from memory: saving replaces the cached value at
once, and the row is read again after `TTL` seconds (a change made by another process, the CLI,
shows within that). The contrast maths (WCAG 2.x) and the logo's checks and re-encoding live here
too: no Litestar, nothing else of the portal.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from portal.core.settings import Settings
from portal.core.site_settings import SiteSettings

KEY = "branding"
TTL = 30.0  # seconds between re-reads of the stored row

# --- contrast (WCAG 2.x) ---------------------------------------------------------------------------
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
PAGE = "#f4f6f9"  # static/portal.css --page: the background links sit on
TEXT_RATIO = 4.5  # AA, normal text


def luminance(colour: str) -> float:
    """The relative luminance of `#rrggbb` (WCAG 2.x)."""
    value = colour.lstrip("#")
    channels = []
    for index in (0, 2, 4):
        c = int(value[index : index + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ratio_text(ratio: float) -> str:
    """"4.48:1", to two decimals; a failing pair never reads as the 4.5:1 it misses."""
    shown = round(ratio, 2)
    if ratio < TEXT_RATIO <= shown:
        shown = TEXT_RATIO - 0.01
    return f"{shown:.2f}".rstrip("0").rstrip(".") + ":1"


@dataclass(frozen=True)
class Pair:
    """One pair of colours the pages really use, and how it fares."""

    field: str  # "primary" or "accent": the colour an admin would change
    what: str  # where it is used, for people
    foreground: str
    background: str
    ratio: float

    @property
    def passes(self) -> bool:
        return self.ratio >= TEXT_RATIO

    @property
    def verdict(self) -> str:
        needs = "" if self.passes else f"; needs {ratio_text(TEXT_RATIO)}"
        return f"{self.what}: {ratio_text(self.ratio)}{needs}"


def colour_pairs(primary: str, accent: str) -> list[Pair]:
    """Every pair static/portal.css and the mails draw with the two colours: white text on the
    primary colour (header, buttons), the primary colour as link text on white and on the page
    background, the accent colour as text on white (the login headline)."""
    uses = [
        ("primary", "White text on the primary colour (header, buttons)", WHITE, primary),
        ("primary", "Links in the primary colour on the page background", primary, PAGE),
        ("accent", "Accent text on white (login headline)", accent, WHITE),
    ]
    return [Pair(f, what, fg, bg, contrast(fg, bg)) for f, what, fg, bg in uses]


# --- the value -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LegalIdentity:
    """Who the merchant is in law: what invoices, credit notes and statements must name."""

    legal_name: str = ""
    address: tuple[str, ...] = ()
    vat_number: str = ""
    company_number: str = ""
    payment_details: str = ""  # bank and payment details, several lines
    email: str = ""
    phone: str = ""

    @property
    def payment_lines(self) -> list[str]:
        return [line for line in self.payment_details.splitlines() if line.strip()]

    @property
    def registration(self) -> list[str]:
        """"Company no. 01234567", "VAT no. GB123456789": the ones that are set."""
        parts = []
        if self.company_number:
            parts.append(f"Company no. {self.company_number}")
        if self.vat_number:
            parts.append(f"VAT no. {self.vat_number}")
        return parts

    @property
    def contact(self) -> list[str]:
        return [text for text in (self.email, self.phone) if text]

    @property
    def is_set(self) -> bool:
        return any(asdict(self).values())


@dataclass(frozen=True)
class Branding:
    """How the portal looks and whom it speaks for (see the module docstring)."""

    portal_name: str
    primary: str
    accent: str
    logo: str | None = None  # the file name under uploads/logo/ ("<sha256>.png")
    login_headline: str = "Log in"
    login_text: str = "See your orders, deliveries and documents."
    header_links: tuple[tuple[str, str], ...] = ()
    legal: LegalIdentity = field(default_factory=LegalIdentity)

    @classmethod
    def from_settings(cls, settings: Settings) -> Branding:
        return cls(
            portal_name=settings.site_name,
            primary=settings.brand_colour.lower(),
            accent=settings.accent_colour.lower(),
            legal=LegalIdentity(email=settings.merchant_email, phone=settings.merchant_phone),
        )

    @property
    def version(self) -> str:
        """A short hash of the colours: /brand.css?v=… changes when they do."""
        return hashlib.sha256(f"{self.primary}{self.accent}".encode()).hexdigest()[:10]

    @property
    def css(self) -> str:
        return f":root {{ --brand: {self.primary}; --accent: {self.accent}; }}\n"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["header_links"] = [list(pair) for pair in self.header_links]
        data["legal"]["address"] = list(self.legal.address)
        return data

    @classmethod
    def from_json(cls, data: Any, defaults: Branding) -> Branding:
        """The stored value over `defaults`; anything unreadable falls back to the default."""
        if not isinstance(data, Mapping):
            return defaults
        values: dict[str, Any] = {}
        for name in ("portal_name", "login_headline", "login_text"):
            if isinstance(data.get(name), str):
                values[name] = data[name]
        for name in ("primary", "accent"):
            if isinstance(data.get(name), str) and COLOUR.match(data[name]):
                values[name] = data[name].lower()
        logo = data.get("logo")
        values["logo"] = logo if isinstance(logo, str) and LOGO_NAME.match(logo) else None
        links = data.get("header_links")
        if isinstance(links, list):
            values["header_links"] = tuple(
                (str(p[0]), str(p[1])) for p in links if isinstance(p, list) and len(p) == 2 and _web_url(str(p[1]))
            )
        legal = data.get("legal")
        if isinstance(legal, Mapping):
            base = defaults.legal
            parts: dict[str, Any] = {}
            for name in ("legal_name", "vat_number", "company_number", "payment_details", "email", "phone"):
                if isinstance(legal.get(name), str):
                    parts[name] = legal[name]
            if isinstance(legal.get("address"), list):
                parts["address"] = tuple(str(line) for line in legal["address"])
            values["legal"] = replace(base, **parts)
        return replace(defaults, **values)


# --- validation ------------------------------------------------------------------------------------
MAX_NAME = 60
MAX_HEADLINE = 80
MAX_TEXT = 500
MAX_LINKS = 5
MAX_LABEL = 30
MAX_URL = 300
MAX_ADDRESS_LINES = 6
MAX_LINE = 80
MAX_PAYMENT = 400
MAX_EMAIL = 254
_VAT = re.compile(r"^[A-Za-z0-9 .-]{4,20}$")
_COMPANY = re.compile(r"^[A-Za-z0-9 .-]{2,20}$")
_PHONE = re.compile(r"^[0-9+() .-]{5,30}$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in url)


def _line(value: object) -> str:
    return " ".join(_CONTROL.sub(" ", str(value or "")).split())


def _lines(value: object) -> list[str]:
    text = _CONTROL.sub(" ", str(value or "")).replace("\r\n", "\n").replace("\r", "\n")
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def parse_form(form: Mapping[str, str], current: Branding) -> tuple[Branding, dict[str, str]]:
    """The branding an admin's form asks for (the logo unchanged) and the errors by field name;
    when there are errors the value is only for showing the form again."""
    errors: dict[str, str] = {}
    name = _line(form.get("portal_name"))
    if not name:
        errors["portal_name"] = "Give the portal a name: it is the header, the page titles and the emails' sender."
    elif len(name) > MAX_NAME:
        errors["portal_name"] = f"Use at most {MAX_NAME} characters."
    colours = {}
    for key, label in (("primary", "primary"), ("accent", "accent")):
        value = _line(form.get(key)).lower()
        if value and not value.startswith("#"):
            value = "#" + value
        if not COLOUR.match(value):
            errors[key] = f"Give the {label} colour as # and six hexadecimal digits, like #1f4e79."
            value = getattr(current, key)
        colours[key] = value
    for pair in colour_pairs(colours["primary"], colours["accent"]):
        if pair.field not in errors and not pair.passes:
            errors[pair.field] = f"Too little contrast to read. {pair.verdict}."
    headline = _line(form.get("login_headline"))
    if not headline:
        errors["login_headline"] = "Give the login screen a headline (for example “Log in”)."
    elif len(headline) > MAX_HEADLINE:
        errors["login_headline"] = f"Use at most {MAX_HEADLINE} characters."
    login_text = "\n".join(_lines(form.get("login_text")))
    if len(login_text) > MAX_TEXT:
        errors["login_text"] = f"Use at most {MAX_TEXT} characters."
    links: list[tuple[str, str]] = []
    for index in range(1, MAX_LINKS + 1):
        label, url = _line(form.get(f"link{index}_label")), _line(form.get(f"link{index}_url"))
        if not label and not url:
            continue
        if not label or len(label) > MAX_LABEL:
            errors[f"link{index}_label"] = f"Give the link a text of 1 to {MAX_LABEL} characters."
        if not _web_url(url) or len(url) > MAX_URL:
            errors[f"link{index}_url"] = "Give a full web address starting with https:// (or http://)."
        links.append((label, url))
    legal_name = _line(form.get("legal_name"))
    if len(legal_name) > MAX_LINE * 2:
        errors["legal_name"] = f"Use at most {MAX_LINE * 2} characters."
    address = _lines(form.get("address"))
    if len(address) > MAX_ADDRESS_LINES or any(len(line) > MAX_LINE for line in address):
        errors["address"] = f"Use at most {MAX_ADDRESS_LINES} lines of {MAX_LINE} characters."
    vat = _line(form.get("vat_number")).upper()
    if vat and not _VAT.match(vat):
        errors["vat_number"] = "A VAT number has 4 to 20 letters, digits, spaces, dots or dashes, like GB123456789."
    company = _line(form.get("company_number")).upper()
    if company and not _COMPANY.match(company):
        errors["company_number"] = "A company number has 2 to 20 letters, digits, spaces, dots or dashes, like 01234567."
    payment = "\n".join(_lines(form.get("payment_details")))
    if len(payment) > MAX_PAYMENT:
        errors["payment_details"] = f"Use at most {MAX_PAYMENT} characters."
    email = _line(form.get("email"))
    if email and (len(email) > MAX_EMAIL or not _EMAIL.match(email)):
        errors["email"] = "Give an email address like accounts@example.com."
    phone = _line(form.get("phone"))
    if phone and not _PHONE.match(phone):
        errors["phone"] = "A phone number has 5 to 30 digits, spaces and + ( ) . -"
    value = replace(
        current,
        portal_name=name or current.portal_name,
        primary=colours["primary"],
        accent=colours["accent"],
        login_headline=headline or current.login_headline,
        login_text=login_text,
        header_links=tuple(links),
        legal=LegalIdentity(legal_name=legal_name, address=tuple(address), vat_number=vat, company_number=company,
                            payment_details=payment, email=email, phone=phone),
    )
    return value, errors


def changed_fields(old: Branding, new: Branding) -> list[str]:
    """The names of the fields that differ ("primary", "legal.vat_number", …)."""
    names = [name for name in ("portal_name", "primary", "accent", "logo", "login_headline", "login_text",
                               "header_links") if getattr(old, name) != getattr(new, name)]
    legal_old, legal_new = asdict(old.legal), asdict(new.legal)
    return names + [f"legal.{name}" for name in legal_old if legal_old[name] != legal_new[name]]


# --- the logo ------------------------------------------------------------------------------------
LOGO_NAME = re.compile(r"^[0-9a-f]{64}\.png$")
LOGO_PATH = "/brand/logo/"  # the public route serving them (portal.areas.system), for absolute URLs in mail
MAX_LOGO_BYTES = 256 * 1024
MAX_LOGO_SIDE = 2000  # pixels, either side, of the upload
LOGO_HEIGHT = 160  # pixels: the stored logo is at most this high (shown at 40 or so)
LOGO_FORMATS = {"PNG", "JPEG"}


class LogoError(ValueError):
    """The upload is not a logo the portal takes (str: why, for the admin)."""


def reencode_logo(data: bytes) -> bytes:
    """The uploaded `data` as a fresh PNG without metadata, at most LOGO_HEIGHT high; LogoError
    for anything but a PNG or JPEG within the limits (SVG, GIF, WebP, text, a bomb)."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise LogoError("Choose a PNG or JPEG file to upload.")
    if len(data) > MAX_LOGO_BYTES:
        raise LogoError(f"The logo may be at most {MAX_LOGO_BYTES // 1024} KB; this file is {len(data) // 1024} KB.")
    refused = "Only PNG and JPEG images are taken (not SVG, GIF, WebP or anything else)."
    try:
        with warnings.catch_warnings():
            # A huge image is refused, never decoded: the size is checked before any pixel is read.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=sorted(LOGO_FORMATS)) as probe:
                kind, (width, height) = probe.format, probe.size
                if width > MAX_LOGO_SIDE or height > MAX_LOGO_SIDE:
                    raise LogoError(
                        f"The logo may be at most {MAX_LOGO_SIDE}×{MAX_LOGO_SIDE} pixels; this one is {width}×{height}."
                    )
                probe.verify()
            with Image.open(io.BytesIO(data), formats=sorted(LOGO_FORMATS)) as image:
                image.load()
                picture = image.convert("RGBA") if image.mode not in ("RGB", "RGBA") else image.copy()
    except LogoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LogoError(f"The logo may be at most {MAX_LOGO_SIDE}×{MAX_LOGO_SIDE} pixels; this one is far larger.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise LogoError(refused) from None
    if kind not in LOGO_FORMATS:
        raise LogoError(refused)
    if picture.height > LOGO_HEIGHT:
        width = max(1, round(picture.width * LOGO_HEIGHT / picture.height))
        picture = picture.resize((width, LOGO_HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)  # no info passed: no text chunks, no EXIF
    return out.getvalue()


# --- the store -----------------------------------------------------------------------------------
class BrandingStore:
    """The current branding, from memory (see the module docstring)."""

    def __init__(self, site_settings: SiteSettings, settings: Settings, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.site_settings = site_settings
        self.defaults = Branding.from_settings(settings)
        self.logo_dir: Path = settings.uploads_dir / "logo"
        self.monotonic = monotonic
        self._value: Branding | None = None
        self._read_at = 0.0

    def current(self) -> Branding:
        value = self._value
        if value is None or self.monotonic() - self._read_at > TTL:
            value = self._value = Branding.from_json(self.site_settings.get(KEY), self.defaults)
            self._read_at = self.monotonic()
        return value

    def save(self, value: Branding) -> Branding:
        self.site_settings.set(KEY, value.to_json())
        self._value, self._read_at = value, self.monotonic()
        return value

    def forget(self) -> None:
        """Read the row again on the next `current()`."""
        self._value = None

    def store_logo(self, data: bytes) -> str:
        """Re-encode `data` (LogoError when refused), keep it under its hash; its file name."""
        png = reencode_logo(data)
        name = hashlib.sha256(png).hexdigest() + ".png"
        self.logo_dir.mkdir(parents=True, exist_ok=True)
        path = self.logo_dir / name
        if not path.exists():
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(png)
            temporary.replace(path)
        return name

    def logo_path(self, name: str | None) -> Path | None:
        """The file of logo `name`, or None for a name that is not one or a file that is gone."""
        if not name or not LOGO_NAME.match(name):
            return None
        path = self.logo_dir / name
        return path if path.is_file() else None
