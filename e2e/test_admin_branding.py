"""Branding the portal in Chromium (issue 10, part 3, done when): an admin uploads a PNG logo,
changes the colours (an unreadable pair is refused, live and on save) and the legal details, and
the login page, an invoice's print view and PDF, and an email show the change."""

from __future__ import annotations

import io
import re

import pytest
from conftest import SHOTS, free_port, serving_in_thread
from PIL import Image
from playwright.sync_api import Browser, expect
from pypdf import PdfReader

from portal.core.settings import Settings
from portal.sandbox import Sandbox, SandboxConfig
from portal.web.app import create_app
from portal.web.components import Components


@pytest.fixture(scope="module")
def brand_server(tmp_path_factory):
    """A portal of its own (branding it must not change the other tests' portal)."""
    port = free_port()
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("branding-data"), secret_key="e2e-secret-" + "b" * 40,
        base_url=f"http://127.0.0.1:{port}", fast_password_hashing=True, demo=True, admin_two_factor=False,
    )
    sandbox = Sandbox(SandboxConfig(customers=5, orders=40))
    components = Components.build(settings, brightpearl_transport=sandbox.transport())
    with serving_in_thread(create_app(settings, components=components), port) as url:
        yield url, sandbox


def logo_file(tmp_path) -> str:
    path = tmp_path / "logo.png"
    image = Image.new("RGB", (360, 120), (255, 255, 255))
    for x in range(20, 120):
        for y in range(20, 100):
            image.putpixel((x, y), (11, 61, 46))
    image.save(path, format="PNG")
    return str(path)


def test_brand_the_portal(browser: Browser, brand_server, log_in, tmp_path):
    url, sandbox = brand_server
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, "admin@example.com")
    page.goto("/admin/branding")
    expect(page.get_by_role("heading", name="Branding", level=1)).to_be_visible()

    page.get_by_label("Upload a logo").set_input_files(logo_file(tmp_path))
    page.get_by_role("button", name="Upload logo").click()
    expect(page.get_by_role("status")).to_contain_text("The logo is uploaded")
    expect(page.locator(".site-header img.brand__logo")).to_have_attribute("alt", "Customer Portal")

    # An unreadable primary colour: the live preview says so, and Save refuses it.
    page.get_by_label("Primary colour", exact=True).fill("#88aadd")
    page.get_by_label("Primary colour", exact=True).dispatch_event("change")
    expect(page.locator("#branding-preview")).to_contain_text("needs 4.5:1")
    page.get_by_role("button", name="Save branding").click()
    expect(page.get_by_role("alert").first).to_contain_text("Nothing was saved")
    expect(page.locator("#primary-error")).to_contain_text("needs 4.5:1")
    page.screenshot(path=f"{SHOTS}/branding-contrast-error-1280.png", full_page=True)

    page.get_by_label("Portal name").fill("Northwind Trade")
    page.get_by_label("Primary colour", exact=True).fill("#0b3d2e")
    page.get_by_label("Accent colour", exact=True).fill("#8a1c1c")
    page.get_by_label("Headline", exact=True).fill("Welcome, trade customers")
    page.get_by_label("Link 1 text").fill("Our shop")
    page.get_by_label("Link 1 address").fill("https://shop.example.com/")
    page.get_by_label("Legal name").fill("Northwind Trading Ltd")
    page.get_by_label("Registered address").fill("1 Quay Street\nBristol BS1 4DJ")
    page.get_by_label("VAT number").fill("GB123456789")
    page.get_by_label("Company number").fill("01234567")
    page.get_by_label("Bank and payment details").fill("Barclays, sort code 20-00-00\nAccount 12345678")
    page.get_by_label("Contact email").fill("accounts@northwind.example")
    page.get_by_label("Contact phone").fill("+44 117 496 0000")
    page.get_by_label("Contact phone").dispatch_event("change")
    expect(page.locator("#branding-preview")).to_contain_text("Northwind Trading Ltd")
    page.get_by_role("button", name="Save branding").click()
    expect(page.get_by_role("status")).to_contain_text("The branding is saved")
    expect(page.locator(".site-header img.brand__logo")).to_have_attribute("alt", "Northwind Trade")
    expect(page.locator(".site-footer")).to_contain_text("Company no. 01234567 · VAT no. GB123456789")
    header = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert header == "rgb(11, 61, 46)"
    page.screenshot(path=f"{SHOTS}/branding-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=f"{SHOTS}/branding-390.png", full_page=True)

    # The login page, for a visitor.
    visitor = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    login = visitor.new_page()
    login.goto("/login")
    expect(login.get_by_role("heading", name="Welcome, trade customers")).to_be_visible()
    expect(login.locator(".login-logo img")).to_have_attribute("alt", "Northwind Trade")
    assert login.evaluate("document.querySelector('.login-logo img').naturalWidth") > 0
    expect(login.locator(".login-legal")).to_contain_text("1 Quay Street")
    expect(login.get_by_role("link", name="Our shop")).to_have_attribute("href", "https://shop.example.com/")
    login.screenshot(path=f"{SHOTS}/branding-login-1280.png", full_page=True)
    login.set_viewport_size({"width": 390, "height": 844})
    login.screenshot(path=f"{SHOTS}/branding-login-390.png", full_page=True)

    # An email: a password reset for Alice lands in the admin's mailbox with the brand.
    login.get_by_role("link", name="Forgot your password?").click()
    login.get_by_label("Email").fill("alice@example.com")
    login.get_by_role("button", name=re.compile("Send|reset", re.I)).click()
    expect(login.get_by_role("heading", level=1)).to_contain_text(re.compile("email", re.I))
    message = page.locator("main").get_by_role("link", name=re.compile("Reset your password for Northwind Trade"))
    for _ in range(30):  # the worker delivers it into the local mailbox within moments
        page.goto("/admin/mailbox")
        if message.count():
            break
        page.wait_for_timeout(500)
    message.first.click()
    expect(page.locator(".mail-text")).to_contain_text("Northwind Trading Ltd")
    expect(page.locator(".mail-text")).to_contain_text("Company no. 01234567 · VAT no. GB123456789")
    expect(page.frame_locator("iframe.mail-frame").locator("body")).to_contain_text("Northwind Trading Ltd")
    visitor.close()

    # An invoice, for Alice: the print view and the PDF carry the legal identity.
    customer = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    alice = customer.new_page()
    log_in(alice, "alice@example.com")
    alice.goto("/documents")
    alice.locator("a[href^='/documents/']").filter(has_text=re.compile(r"^SI-")).first.click()
    expect(alice.locator(".doc-issuer")).to_contain_text("Northwind Trading Ltd")
    expect(alice.locator(".doc-issuer")).to_contain_text("VAT no. GB123456789")
    expect(alice.locator(".doc-payment")).to_contain_text("Account 12345678")
    alice.screenshot(path=f"{SHOTS}/branding-print-1280.png", full_page=True)
    pdf_href = alice.get_by_role("link", name="Download PDF").get_attribute("href")
    content = alice.request.get(pdf_href).body()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Northwind Trading Ltd" in text and "VAT no. GB123456789" in text and "Account 12345678" in text
    alice.set_viewport_size({"width": 390, "height": 844})
    alice.screenshot(path=f"{SHOTS}/branding-print-390.png", full_page=True)
    customer.close()
    context.close()


def contrast_refused(page) -> None:
    """An unreadable primary colour sent: the page answers with the ratio beside the field."""
    page.get_by_label("Primary colour", exact=True).fill("#88aadd")
    page.get_by_role("button", name="Save branding").click()
    expect(page.locator("#primary-error")).to_be_visible()
