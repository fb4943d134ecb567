"""Two-factor sign-in in a real browser: a customer turns it on (reading the key off the page,
as someone typing it into their app would) and signs in with password and code; and the helpers
the accessibility check uses to reach the code step."""

from __future__ import annotations

import re
import time

import pyotp
from conftest import on_server
from playwright.sync_api import Page, expect

from portal.sandbox import DEMO_PASSWORD
from portal.sandbox.demo import BOB_CONTACT_ID
from portal.security.two_factor import TwoFactor

# Screenshots keep the text caret: hiding it makes Playwright inject a <style> the CSP refuses.
SHOT = {"full_page": True, "caret": "initial"}
# Logins of their own, so turning two-factor on changes nobody another test logs in as.
BROWSER_USER = "dana.two-factor@example.com"
A11Y_USER = "erin.two-factor@example.com"


def customer_login(live_server, email: str) -> None:
    """A customer login `email` (Bob's contact, the demo password) on the live server, once."""
    components = live_server["app"].state["components"]
    hashed = components.passwords.hash_sync(DEMO_PASSWORD)
    on_server(live_server, lambda: components.users.ensure(
        email=email,
        password_hash=hashed,
        role="customer",
        contact_id=BOB_CONTACT_ID,
        name="Dana Two-Factor" if email == BROWSER_USER else "Erin Two-Factor",
    ))


def next_code(secret: str) -> str:
    """A code the portal accepts now even if this step's code was just used: the next step's
    (inside the one-step drift window)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def two_factor_login(page: Page, live_server) -> str:
    """The login page, for a customer with two-factor on (set up through the store directly)."""
    customer_login(live_server, A11Y_USER)
    c = live_server["app"].state["components"]
    store = TwoFactor(c.db, tokens=c.tokens, passwords=c.passwords, audit=c.audit, issuer=c.settings.site_name)
    row = c.users.by_email(A11Y_USER)
    if not store.enabled(row["id"]):
        setup = store.start_setup(row["id"])
        store.confirm(row["id"], pyotp.TOTP(setup.secret).now())
    return "/login"


def code_step_reached(page: Page) -> None:
    page.get_by_label("Email").fill(A11Y_USER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()


def wrong_code_sent(page: Page) -> None:
    code_step_reached(page)
    page.get_by_label("Authentication code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#code-error")).to_be_visible()


def setup_started(page: Page) -> None:
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()


def test_a_customer_turns_two_factor_on_and_signs_in_with_it(page: Page, artifacts, live_server, log_in):
    csp_violations: list[str] = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    customer_login(live_server, BROWSER_USER)
    log_in(page, BROWSER_USER)

    # The name in the header leads there.
    page.locator(".site-header").get_by_role("link", name=re.compile("two-factor sign-in$")).click()
    expect(page.get_by_role("heading", name="Two-factor sign-in is off")).to_be_visible()
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page).to_have_url(re.compile(r"/account/two-factor/setup$"))
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the data: SVG loaded under the CSP
    page.screenshot(path=artifacts / "two-factor-setup.png", **SHOT)
    secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)

    # A wrong code first: the error is beside the field and the same key is shown again.
    page.get_by_label("6-digit code").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator("#setup-code-error")).to_contain_text("That code is not right")
    expect(page.locator("#two-factor-secret")).to_have_text(re.compile(secret[:4]))

    page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator(".recovery-codes li")
    expect(codes).to_have_count(10)
    expect(page.get_by_role("link", name="Download as a text file")).to_have_attribute("download", "recovery-codes.txt")
    page.screenshot(path=artifacts / "two-factor-codes.png", **SHOT)
    page.get_by_role("link", name=re.compile("I have saved my codes")).click()
    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    expect(page.get_by_text("10 recovery codes are left")).to_be_visible()
    page.screenshot(path=artifacts / "two-factor-on.png", **SHOT)

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_label("Email").fill(BROWSER_USER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    expect(page.get_by_label("Authentication code")).to_be_focused()
    page.screenshot(path=artifacts / "two-factor-login.png", **SHOT)
    page.get_by_label("Authentication code").fill(next_code(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Orders")
    assert csp_violations == []
