"""Branding (/admin/branding): the portal's name, colours with a WCAG AA contrast check, the
login screen, header links and the logo (PNG or JPEG only, re-encoded); read per request, so a
change shows on the next page without a restart; admins only; every change audited."""

from __future__ import annotations

import io
import re

import pytest
from litestar.testing import TestClient
from PIL import Image
from support import BASE_URL, app_rows, fresh_sandbox, login, portal_app, portal_settings, switch_to

from portal.core.branding import (
    Branding,
    BrandingStore,
    LogoError,
    colour_pairs,
    contrast,
    ratio_text,
    reencode_logo,
)
from portal.core.db import open_database
from portal.core.settings import Settings
from portal.core.site_settings import SiteSettings

FORM = {
    "portal_name": "Northwind Trade", "primary": "#0b3d2e", "accent": "#8a1c1c",
    "login_headline": "Welcome, trade customers", "login_text": "Orders, invoices and deliveries in one place.",
    "link1_label": "Our shop", "link1_url": "https://shop.example.com/",
    "legal_name": "Northwind Trading Ltd", "address": "1 Quay Street\nBristol BS1 4DJ",
    "vat_number": "GB123456789", "company_number": "01234567",
    "payment_details": "Barclays, sort code 20-00-00\nAccount 12345678", "email": "accounts@northwind.example",
    "phone": "+44 117 496 0000",
}


def png(width=300, height=120, **info) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 40)).save(out, format="PNG", **info)
    return out.getvalue()


def jpeg(width=200, height=200) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (20, 90, 160))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def client(tmp_path):
    app = portal_app(portal_settings(tmp_path, site_name="Env Portal", brand_colour="#1f4e79"), fresh_sandbox())
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


def post(client: TestClient, path: str, **data):
    return client.post(path, data={**data, "_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False)


def upload(client: TestClient, content: bytes, name: str = "logo.png", media: str = "image/png"):
    return client.post("/admin/branding/logo", data={"_csrf_token": client.cookies["csrftoken"]},
                       files={"logo": (name, content, media)}, follow_redirects=False)


# --- contrast ---------------------------------------------------------------------------------
def test_contrast_of_known_pairs():
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48
    assert ratio_text(contrast("#777777", "#ffffff")) == "4.48:1"
    assert ratio_text(contrast("#000000", "#ffffff")) == "21:1"
    assert contrast("#ffffff", "#ffffff") == 1
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54  # the lightest grey that passes on white
    # A failing ratio never reads as the 4.5:1 it misses.
    assert ratio_text(4.4999) == "4.49:1"


def test_every_pair_the_css_uses_is_checked():
    pairs = colour_pairs("#1f4e79", "#c8102e")
    assert all(pair.passes for pair in pairs)
    light = colour_pairs("#88aadd", "#ffcc00")
    assert {pair.field for pair in light if not pair.passes} == {"primary", "accent"}
    assert "needs 4.5:1" in light[0].verdict


# --- the store --------------------------------------------------------------------------------
def test_store_defaults_come_from_the_environment_and_saving_replaces_the_cache(tmp_path):
    settings = Settings(data_dir=tmp_path, site_name="Env Portal", brand_colour="#123456", accent_colour="#8a1c1c",
                        merchant_email="shop@example.com", merchant_phone="0117 000")
    db = open_database(tmp_path / "db.sqlite")
    site = SiteSettings(db)
    now = [0.0]
    store = BrandingStore(site, settings, monotonic=lambda: now[0])
    first = store.current()
    assert (first.portal_name, first.primary, first.accent) == ("Env Portal", "#123456", "#8a1c1c")
    assert (first.legal.email, first.legal.phone) == ("shop@example.com", "0117 000")
    assert store.current() is first  # from memory
    changed = store.save(Branding(portal_name="New", primary="#000000", accent="#8a1c1c"))
    assert store.current() is changed
    # Another process's change shows after the TTL.
    site.set("branding", {**changed.to_json(), "portal_name": "Elsewhere"})
    assert store.current().portal_name == "New"
    now[0] = 31
    assert store.current().portal_name == "Elsewhere"
    db.close()


# --- the pages ---------------------------------------------------------------------------------
def test_an_untouched_install_looks_as_the_environment_says(client):
    page = client.get("/login")
    assert "Env Portal" in page.text and "<h1 id=\"login-title\" class=\"login-headline\">Log in</h1>" in page.text
    href = re.search(r'href="(/brand\.css\?v=[0-9a-f]+)"', page.text).group(1)
    css = client.get(href)
    assert css.text == ":root { --brand: #1f4e79; --accent: #c8102e; }\n"
    assert "public" in css.headers["cache-control"]


def test_saving_changes_the_next_pages_without_a_restart(client):
    switch_to(client, "admin@example.com")
    page = client.get("/admin/branding")
    assert page.status_code == 200 and "Legal identity" in page.text
    assert post(client, "/admin/branding", **FORM).headers["location"] == "/admin/branding?done=saved"
    home = client.get("/admin/branding?done=saved")
    assert "The branding is saved" in home.text
    assert '<a class="brand" href="/">Northwind Trade</a>' in home.text  # the header
    assert "Northwind Trading Ltd · Company no. 01234567 · VAT no. GB123456789" in home.text  # the footer
    assert 'href="https://shop.example.com/"' in home.text and ">Our shop<" in home.text  # header links
    client.cookies.clear()
    login_page = client.get("/login")
    assert "Welcome, trade customers" in login_page.text and "Orders, invoices and deliveries in one place." in login_page.text
    assert "1 Quay Street" in login_page.text and "accounts@northwind.example" in login_page.text
    assert "<title>Log in · Northwind Trade</title>" in login_page.text
    href = re.search(r'href="(/brand\.css\?v=[0-9a-f]+)"', login_page.text).group(1)
    assert client.get(href).text == ":root { --brand: #0b3d2e; --accent: #8a1c1c; }\n"
    # The error page too.
    login(client, "alice@example.com")
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "Northwind Trade" in missing.text
    (row,) = app_rows(client, "select actor_email, target, detail from audit where action = 'branding_changed'")
    assert row["actor_email"] == "admin@example.com" and row["target"] == "settings:branding"
    assert "legal.payment_details" in row["detail"] and "Barclays" not in row["detail"]


def test_unreadable_colours_are_refused_with_the_ratio_and_nothing_changes(client):
    switch_to(client, "admin@example.com")
    answer = post(client, "/admin/branding", **{**FORM, "primary": "#88aadd"})
    assert answer.status_code == 400
    assert "Nothing was saved" in answer.text
    assert re.search(r"White text on the primary colour \(header, buttons\): 2\.\d+:1; needs 4\.5:1", answer.text)
    assert 'aria-invalid="true"' in answer.text
    assert "Northwind" not in client.get("/admin/branding").text.split("<main")[0]  # header unchanged
    assert app_rows(client, "select * from settings where key = 'branding'") == []
    assert app_rows(client, "select * from audit where action = 'branding_changed'") == []
    # The picker wins when only it changed (no JavaScript to copy it into the text field).
    picked = post(client, "/admin/branding", **{**FORM, "primary": "#1f4e79", "primary_picker": "#0b3d2e"})
    assert picked.status_code == 303
    assert "--brand: #0b3d2e" in client.get("/brand.css").text


def test_the_live_preview_gives_the_verdict_and_stores_nothing(client):
    switch_to(client, "admin@example.com")
    answer = client.post("/admin/branding/preview", data={**FORM, "accent": "#ffcc00"},
                         headers={"HX-Request": "true", "X-CSRFToken": client.cookies["csrftoken"]})
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<div id="branding-preview"')
    assert "Accent text on white (login headline): 1.51:1; needs 4.5:1" in answer.text and "needs 4.5:1" in answer.text
    assert 'fill="#0b3d2e"' in answer.text and "Northwind Trading Ltd" in answer.text
    assert app_rows(client, "select * from settings where key = 'branding'") == []


@pytest.mark.parametrize("field, value, message", [
    ("link1_url", "javascript:alert(1)", "full web address"),
    ("link1_url", "ftp://example.com/", "full web address"),
    ("email", "not-an-email", "email address"),
    ("vat_number", "GB<script>", "VAT number"),
    ("company_number", "01234567!", "company number"),
    ("portal_name", "", "Give the portal a name"),
    ("portal_name", "x" * 61, "at most 60"),
])
def test_bad_fields_are_refused_beside_the_field(client, field, value, message):
    switch_to(client, "admin@example.com")
    answer = post(client, "/admin/branding", **{**FORM, field: value})
    assert answer.status_code == 400 and message in answer.text
    assert app_rows(client, "select * from settings where key = 'branding'") == []


def test_text_is_stored_as_plain_text(client):
    switch_to(client, "admin@example.com")
    assert post(client, "/admin/branding", **{**FORM, "login_headline": "<b>Hi</b> & welcome"}).status_code == 303
    client.cookies.clear()
    html = client.get("/login").text
    assert "&lt;b&gt;Hi&lt;/b&gt; &amp; welcome" in html and "<b>Hi</b>" not in html


def test_customers_and_visitors_cannot_open_branding(client):
    switch_to(client, "alice@example.com")
    assert client.get("/admin/branding").status_code in (403, 404)
    assert post(client, "/admin/branding", **FORM).status_code in (403, 404)
    assert post(client, "/admin/branding/logo/remove").status_code in (403, 404)
    client.cookies.clear()
    assert client.get("/admin/branding", follow_redirects=False).status_code in (302, 303)


# --- the logo ----------------------------------------------------------------------------------
def test_png_logo_is_reencoded_stored_served_and_shown(client):
    switch_to(client, "admin@example.com")
    original = png(800, 320, pnginfo=_text_chunk("Author", "Secret Person"))
    answer = upload(client, original)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/branding?done=logo"
    page = client.get("/admin/branding?done=logo").text
    src = re.search(r'<a class="brand" href="/"><img class="brand__logo" src="(/brand/logo/[0-9a-f]{64}\.png)" alt="Env Portal">', page).group(1)
    served = client.get(src)
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert served.content != original and b"Secret Person" not in served.content
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.format == "PNG" and image.size == (400, 160) and not image.text
    client.cookies.clear()
    assert f'src="{src}"' in client.get("/login").text  # visitors see it too
    public = client.get(src)
    assert public.status_code == 200 and "immutable" in public.headers["cache-control"]  # no-store when signed in
    (row,) = app_rows(client, "select detail from audit where action = 'logo_uploaded'")
    assert src.rsplit("/", 1)[1] in row["detail"]


def test_jpeg_logo_loses_its_metadata(client):
    switch_to(client, "admin@example.com")
    original = jpeg()
    assert b"SecretCam" in original
    assert upload(client, original, "logo.jpg", "image/jpeg").status_code == 303
    name = re.search(r"/brand/logo/([0-9a-f]{64}\.png)", client.get("/admin/branding").text).group(1)
    served = client.get(f"/brand/logo/{name}").content
    assert b"SecretCam" not in served and served.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(served)) as image:
        assert image.size == (160, 160) and not image.getexif()


def _text_chunk(key, value):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(key, value)
    return info


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (20, 20)).save(out, format="GIF")
    return out.getvalue()


@pytest.mark.parametrize("content, name, message", [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg", "Only PNG and JPEG"),
    (gif(), "logo.gif", "Only PNG and JPEG"),
    (b"just some text, not an image at all", "logo.png", "Only PNG and JPEG"),
    (png()[:60], "logo.png", "Only PNG and JPEG"),  # truncated
    (b"\x89PNG\r\n\x1a\n" + b"0" * (300 * 1024), "logo.png", "at most 256 KB"),
    (png(2400, 100), "logo.png", "at most 2000×2000 pixels"),
    (b"", "logo.png", "Choose a PNG or JPEG"),
])
def test_anything_but_a_fitting_png_or_jpeg_is_refused(client, content, name, message):
    switch_to(client, "admin@example.com")
    answer = upload(client, content, name)
    assert answer.status_code == 400 and message in answer.text
    assert app_rows(client, "select * from settings where key = 'branding'") == []
    assert app_rows(client, "select * from audit where action = 'logo_uploaded'") == []


def test_a_decompression_bomb_is_refused_before_decoding():
    # A PNG header claiming 50000×50000 pixels: refused on its size, never decoded.
    with pytest.raises(LogoError, match="2000×2000"):
        reencode_logo(_png_claiming(50000, 50000))


def _png_claiming(width: int, height: int) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b"")


def test_removing_the_logo_and_unknown_logo_names(client):
    switch_to(client, "admin@example.com")
    upload(client, png())
    name = re.search(r"/brand/logo/([0-9a-f]{64}\.png)", client.get("/admin/branding").text).group(1)
    assert post(client, "/admin/branding/logo/remove").headers["location"] == "/admin/branding?done=logo_removed"
    page = client.get("/admin/branding?done=logo_removed").text
    assert "brand__logo" not in page and '<a class="brand" href="/">Env Portal</a>' in page
    assert len(app_rows(client, "select * from audit where action = 'logo_removed'")) == 1
    for bad in ("../portal.core.db", "0" * 64 + ".png", name.upper(), "x.svg"):
        assert client.get(f"/brand/logo/{bad}").status_code == 404
