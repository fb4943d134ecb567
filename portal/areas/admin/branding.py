"""The branding section of the admin area: the portal's name, logo and colours (each pair of
colours the pages use must reach WCAG AA contrast), the login screen's words, the header's links,
and the merchant's legal identity (legal name, address, VAT and company numbers, payment details,
email and phone) that invoices, credit notes, statements, emails and the footer carry.

Every change is audited: `branding_changed` names the fields that changed (not their values:
bank details stay out of the log), `logo_uploaded` and `logo_removed`. A refused save changes
nothing and shows the form again with the reason beside the field.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.response import Response, Template

from portal.core.audit import Audit
from portal.core.branding import (
    MAX_LINKS,
    MAX_LOGO_BYTES,
    Branding,
    BrandingStore,
    LogoError,
    changed_fields,
    colour_pairs,
    parse_form,
)
from portal.core.users import User
from portal.web.area import for_user
from portal.web.htmx import go
from portal.web.params import with_query
from portal.web.rendering import page

from .section import Section

DONE = {
    "saved": "The branding is saved: every page, email and document shows it now.",
    "unchanged": "Nothing was changed.",
    "logo": "The logo is uploaded: the header, login page, emails and documents show it now.",
    "logo_removed": "The logo is removed: the portal's name shows in its place.",
}
FORM_FIELDS = (
    "portal_name", "primary", "accent", "login_headline", "login_text", "legal_name", "address", "vat_number",
    "company_number", "payment_details", "email", "phone",
    *(f"link{i}_{part}" for i in range(1, MAX_LINKS + 1) for part in ("label", "url")),
)


@dataclass
class BrandingAdmin:
    """What the branding page reads and does, for the admin asking."""

    store: BrandingStore
    audit: Audit
    user: User

    def current(self) -> Branding:
        return self.store.current()

    def proposed(self, form: dict[str, str]) -> tuple[Branding, dict[str, str]]:
        current = self.store.current()
        return parse_form(_picked_colours(form, current), current)

    def save(self, form: dict[str, str], *, ip: str) -> tuple[Branding, dict[str, str], bool]:
        """(the value asked for, errors, whether anything changed); nothing is stored on errors."""
        current = self.store.current()
        value, errors = parse_form(_picked_colours(form, current), current)
        if errors:
            return value, errors, False
        fields = changed_fields(current, value)
        if not fields:
            return value, {}, False
        self.store.save(value)
        self._record("branding_changed", ip, {"fields": fields})
        return value, {}, True

    def upload_logo(self, data: bytes, *, ip: str) -> str | None:
        """Store the uploaded logo; the refusal to show, or None when done."""
        try:
            name = self.store.store_logo(data)
        except LogoError as error:
            return str(error)
        current = self.store.current()
        self.store.save(replace(current, logo=name))
        self._record("logo_uploaded", ip, {"file": name, "bytes": len(data)})
        return None

    def remove_logo(self, *, ip: str) -> bool:
        current = self.store.current()
        if current.logo is None:
            return False
        self.store.save(replace(current, logo=None))
        self._record("logo_removed", ip, {"file": current.logo})
        return True

    def _record(self, action: str, ip: str, detail: dict) -> None:
        self.audit.record(action, actor_user_id=self.user.id, actor_email=self.user.email, ip=ip,
                          target="settings:branding", detail=detail)


def _picked_colours(form: dict[str, str], current: Branding) -> dict[str, str]:
    """Each colour comes as text and from a colour picker: without JavaScript they cannot
    follow each other, so the one the admin changed wins (the text when both changed)."""
    form = dict(form)
    for key in ("primary", "accent"):
        text = form.get(key, "").strip().lower()
        picked = form.get(f"{key}_picker", "").strip().lower()
        if picked and text in ("", getattr(current, key)) and picked != getattr(current, key):
            form[key] = picked
    return form


def section(*, site_settings=None, settings=None, audit: Audit, branding: BrandingStore) -> Section:
    return Section(
        handlers=(branding_page, branding_save, branding_preview, branding_logo, branding_logo_remove),
        services={"branding_admin": for_user(partial(BrandingAdmin, branding, audit))},
    )


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _form_values(brand: Branding) -> dict[str, str]:
    values = {
        "portal_name": brand.portal_name, "primary": brand.primary, "accent": brand.accent,
        "login_headline": brand.login_headline, "login_text": brand.login_text,
        "legal_name": brand.legal.legal_name, "address": "\n".join(brand.legal.address),
        "vat_number": brand.legal.vat_number, "company_number": brand.legal.company_number,
        "payment_details": brand.legal.payment_details, "email": brand.legal.email, "phone": brand.legal.phone,
    }
    for index in range(1, MAX_LINKS + 1):
        label, url = brand.header_links[index - 1] if index <= len(brand.header_links) else ("", "")
        values[f"link{index}_label"], values[f"link{index}_url"] = label, url
    return values


def _page(request: Request, admin: BrandingAdmin, *, shown: Branding | None = None, values: dict | None = None,
          errors: dict | None = None, logo_error: str | None = None, status: int = 200) -> Template:
    current = admin.current()
    shown = shown or current
    done = None if errors or logo_error else DONE.get(request.query_params.get("done", ""))
    return page(request, "views/admin/branding.html", status_code=status, current=current, shown=shown,
                values=values or _form_values(current), errors=errors or {}, logo_error=logo_error, done=done,
                pairs=colour_pairs(shown.primary, shown.accent), links=range(1, MAX_LINKS + 1),
                max_logo_kb=MAX_LOGO_BYTES // 1024)


async def _text_form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name, ""))[:2000] for name in (*FORM_FIELDS, "primary_picker", "accent_picker")}


@get("/admin/branding", name="admin_branding")
async def branding_page(request: Request, branding_admin: NamedDependency[BrandingAdmin]) -> Template:
    return _page(request, branding_admin)


@post("/admin/branding", name="admin_branding_save", status_code=200)
async def branding_save(request: Request, branding_admin: NamedDependency[BrandingAdmin]) -> Template | Response:
    form = await _text_form(request)
    value, errors, changed = branding_admin.save(form, ip=_client(request))
    if errors:
        return _page(request, branding_admin, shown=value, values=form, errors=errors, status=400)
    return go(request, with_query(request.app.route_reverse("admin_branding"), {"done": "saved" if changed else "unchanged"}))


@post("/admin/branding/preview", name="admin_branding_preview", status_code=200)
async def branding_preview(request: Request, branding_admin: NamedDependency[BrandingAdmin]) -> Template:
    """The preview and contrast verdict of the form as it stands (htmx, on each change); stores nothing."""
    value, errors = branding_admin.proposed(await _text_form(request))
    return page(request, "views/admin/branding_preview.html", shown=value, errors=errors,
                pairs=colour_pairs(value.primary, value.accent))


@post("/admin/branding/logo", name="admin_branding_logo", status_code=200)
async def branding_logo(request: Request, branding_admin: NamedDependency[BrandingAdmin]) -> Template | Response:
    form = await request.form()
    upload = form.get("logo")
    data = b""
    if isinstance(upload, UploadFile):
        try:
            data = await upload.read(MAX_LOGO_BYTES + 1)
        finally:
            await upload.close()
    error = branding_admin.upload_logo(data, ip=_client(request))
    if error:
        return _page(request, branding_admin, logo_error=error, status=400)
    return go(request, with_query(request.app.route_reverse("admin_branding"), {"done": "logo"}))


@post("/admin/branding/logo/remove", name="admin_branding_logo_remove", status_code=200)
async def branding_logo_remove(request: Request, branding_admin: NamedDependency[BrandingAdmin]) -> Response:
    removed = branding_admin.remove_logo(ip=_client(request))
    return go(request, with_query(request.app.route_reverse("admin_branding"), {"done": "logo_removed" if removed else "unchanged"}))
