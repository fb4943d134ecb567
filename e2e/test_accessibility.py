"""Every page of every role, in Chromium at 1280 and 390 px: axe-core finds no WCAG 2.0/2.1/2.2
A or AA violation, the console shows no error (a missing favicon is one), and at 390 px nothing
widens the page.

axe-core is the npm package pinned in e2e/package.json (`./run test` installs it with `npm ci`).
It is injected by the test, so the portal's CSP stays strict: only the test's browser context
bypasses it (`bypass_csp=True`). A new page joins by adding one row to PAGES (see
docs/architecture.md, "Accessibility"). With `--screenshots` each visit also writes
docs/screenshots/{name}-{width}.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_check import axe_violations, describe
from playwright.sync_api import BrowserContext, Page, expect
from test_admin_accounts import bob_edit_form, candidates_found, create_form_with_errors
from test_admin_branding import contrast_refused
from test_admin_health import health_numbers_opened
from test_admin_import import import_file_checked, import_file_refused
from test_admin_statuses import statuses_form_with_errors
from test_admin_view_as import viewing_as_alice
from test_checkout import (
    checkout_confirm,
    checkout_delivery,
    checkout_delivery_errors,
    checkout_done,
    checkout_payment,
    checkout_review,
)
from test_password_flow import forgot_form_sent, forgot_form_sent_invalid, wrong_current_password_sent
from test_quote_decline import answer_forms_opened, answered_quote, changes_form_with_errors
from test_quotes import first_quote, quote_print_view, share_form_with_errors, shared_quote_link
from test_registration_flow import (
    passwords_that_differ_sent,
    register_form_sent,
    register_form_sent_invalid,
    trade_confirm_link,
    web_confirm_link,
)
from test_two_factor import code_step_reached, setup_started, two_factor_login, wrong_code_sent

from portal.sandbox import DEMO_PASSWORD
from portal.sandbox.demo import ALICE_CONTACT_ID

SCREENSHOTS = Path(__file__).parent.parent / "docs" / "screenshots"
WIDTHS = (1280, 390)
# "viewing": an admin's own browser, which views the portal as Alice (read-only).
ROLES = {"customer": "alice@example.com", "supplier": "sam@example.com", "admin": "admin@example.com",
         "viewing": "admin@example.com"}
DASHBOARD_TILES = ["balance", "overdue", "open-orders", "quotes", "latest-orders", "shipments"]


# --- how a page is reached: a path, or a few steps -------------------------------------------
def shipped_order(page: Page, live_server) -> str:
    """An order of Alice's with shipments and comments."""
    data = live_server["sandbox"].data
    orders = data.orders_for(ALICE_CONTACT_ID, "SO")
    order_id = next(o["id"] for o in orders if data.goods_out_for(o["id"]) and data.notes_for(o["id"]))
    return f"/orders/{order_id}"


def first_document(page: Page, live_server) -> str:
    """The print view of the first document on Alice's list."""
    page.goto("/documents")
    return page.locator("table.documents tbody th a").first.get_attribute("href")


def kept_message(page: Page, live_server) -> str:
    """A message in the local mailbox: the admin sends the test message, then opens it."""
    page.goto("/admin/mailbox")
    page.get_by_role("button", name=re.compile(r"^Send a test message")).click()
    expect(page.locator("table.mailbox tbody th a").first).to_be_visible()
    return page.locator("table.mailbox tbody th a").first.get_attribute("href")


def dashboard_loaded(page: Page) -> None:
    for name in DASHBOARD_TILES:
        expect(page.locator(f"#tile-{name}")).to_have_class(re.compile(r"\btile--ready\b"), timeout=15000)
    expect(page.locator("[aria-busy=true]")).to_have_count(0)


def login_refused(page: Page) -> None:
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-error")).to_be_visible()


def address_form_sent_empty(page: Page) -> None:
    # The browser's own checks (required) would stop an empty form: the server's answer is
    # what is checked here, as a browser without them gets it.
    page.locator(".address-form form").evaluate("form => { form.noValidate = true; }")
    page.get_by_role("button", name="Add address").click()
    expect(page.locator(".address-form [aria-invalid=true]").first).to_be_visible()


def menu_opened(page: Page) -> None:
    # On a phone "Menu" opens it; on a wide screen its content is always shown.
    page.locator("details.menu").evaluate("menu => { menu.open = true; }")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


@dataclass(frozen=True)
class Visit:
    """One page to check: `name` (also the screenshot's), who looks at it (`role`: a key of
    ROLES, or None when logged out), where it is (`path`, or a function of the page and the live
    server giving it), the HTTP status it answers with, and `then`: steps done on the page (a form
    sent, tiles waited for) before axe runs."""

    name: str
    role: str | None
    path: str | Callable[[Page, dict], str]
    status: int = 200
    then: Callable[[Page], None] | None = None


# THE list of pages: every new page adds its row here (at both widths, for free).
PAGES = [
    Visit("login", None, "/login"),
    Visit("login-error", None, "/login", then=login_refused),
    # A visitor is sent to log in from an unknown address (gated login); a signed-in person gets the 404.
    Visit("not-found", "customer", "/no-such-page", status=404),
    Visit("method-not-allowed", None, "/logout", status=405),
    Visit("dashboard", "customer", "/", then=dashboard_loaded),
    Visit("tile-page", "customer", "/tiles/overdue"),  # a tile as a page: where it links without JavaScript
    Visit("orders", "customer", "/orders"),
    Visit("orders-no-match", "customer", "/orders?q=no-such-order-zz"),
    Visit("order", "customer", shipped_order),
    Visit("order-not-found", "customer", "/orders/1", status=404),
    Visit("quotes", "customer", "/quotes"),
    Visit("quote", "customer", first_quote),
    Visit("quote-print", "customer", quote_print_view),
    Visit("quote-share-errors", "customer", first_quote, then=share_form_with_errors),
    Visit("quote-missing", "customer", "/quotes/1", status=404),
    Visit("quote-shared", "customer", shared_quote_link),
    Visit("quote-shared-invalid", None, "/shared/not-a-valid-link", status=400),
    Visit("quote-answer-forms", "customer", first_quote, then=answer_forms_opened),
    Visit("quote-changes-errors", "customer", first_quote, then=changes_form_with_errors),
    Visit("quote-answered", "customer", answered_quote),
    Visit("checkout-review", "customer", checkout_review),
    Visit("checkout-delivery", "customer", checkout_delivery),
    Visit("checkout-delivery-errors", "customer", checkout_delivery, then=checkout_delivery_errors),
    Visit("checkout-payment", "customer", checkout_payment),
    Visit("checkout-confirm", "customer", checkout_confirm),
    Visit("checkout-done", "customer", checkout_done),
    Visit("documents", "customer", "/documents"),
    Visit("document-print", "customer", first_document),
    Visit("statement", "customer", "/statement"),
    Visit("statement-bad-dates", "customer", "/statement?from=2026-02-31&to=someday", status=400),
    Visit("account", "customer", "/account"),
    Visit("menu-open", "customer", "/account", then=menu_opened),
    Visit("addresses", "customer", "/addresses"),
    Visit("addresses-form-errors", "customer", "/addresses", then=address_form_sent_empty),
    Visit("supplier-home", "supplier", "/"),
    Visit("supplier-forbidden", "supplier", "/orders", status=403),
    Visit("admin-home", "admin", "/"),
    Visit("admin-accounts", "admin", "/admin/accounts"),
    Visit("admin-accounts-filtered", "admin", "/admin/accounts?role=customer&state=active"),
    Visit("admin-account-new-candidates", "admin", "/admin/accounts/new", then=candidates_found),
    Visit("admin-account-new-errors", "admin", "/admin/accounts/new", then=create_form_with_errors),
    Visit("admin-account-edit", "admin", bob_edit_form),
    Visit("admin-front", "admin", "/admin"),
    Visit("admin-import", "admin", "/admin/import"),
    Visit("admin-import-refused", "admin", "/admin/import", then=import_file_refused),
    Visit("admin-import-check", "admin", "/admin/import", then=import_file_checked),
    Visit("admin-branding", "admin", "/admin/branding"),
    Visit("admin-branding-contrast", "admin", "/admin/branding", then=contrast_refused),
    Visit("admin-features", "admin", "/admin/features"),
    Visit("admin-features-saved", "admin", "/admin/features?done=saved"),
    Visit("admin-statuses", "admin", "/admin/statuses"),
    Visit("admin-statuses-errors", "admin", "/admin/statuses", then=statuses_form_with_errors),
    Visit("admin-order-defaults", "admin", "/admin/orders"),
    Visit("admin-tracking", "admin", "/admin/orders/tracking"),
    Visit("admin-audit", "admin", "/admin/audit"),
    Visit("admin-audit-bad-dates", "admin", "/admin/audit?from=2026-02-31&to=someday", status=400),
    Visit("admin-view-as", "admin", "/admin/view-as"),
    Visit("viewing-as-orders", "viewing", viewing_as_alice),
    Visit("admin-outbox", "admin", "/admin/outbox"),
    Visit("mailbox", "admin", "/admin/mailbox"),
    Visit("admin-health", "admin", "/admin/health"),
    Visit("admin-health-numbers", "admin", "/admin/health?done=checked", then=health_numbers_opened),
    Visit("mailbox-message", "admin", kept_message),
    Visit("mailbox-missing", "admin", "/admin/mailbox/999999", status=404),
    Visit("two-factor-off", "customer", "/account/two-factor"),
    Visit("two-factor-setup", "customer", "/account/two-factor", then=setup_started),
    Visit("login-two-factor", None, two_factor_login, then=code_step_reached),
    Visit("login-two-factor-error", None, two_factor_login, then=wrong_code_sent),
    Visit("register", None, "/register"),
    Visit("register-errors", None, "/register", then=register_form_sent_invalid),
    Visit("register-sent", None, "/register", then=register_form_sent),
    Visit("register-confirm", None, web_confirm_link),
    Visit("register-choose-password", None, trade_confirm_link),
    Visit("register-choose-password-errors", None, trade_confirm_link, then=passwords_that_differ_sent),
    Visit("register-link-invalid", None, "/register/confirm/not-a-token", status=400),
    Visit("password-forgot", None, "/password/forgot"),
    Visit("password-forgot-errors", None, "/password/forgot", then=forgot_form_sent_invalid),
    Visit("password-forgot-sent", None, "/password/forgot", then=forgot_form_sent),
    Visit("password-reset-invalid", None, "/password/reset/not-a-token", status=400),
    Visit("password-change", "customer", "/password"),
    Visit("password-change-errors", "customer", "/password", then=wrong_current_password_sent),
    Visit("setup-link-gone", None, "/setup/not-a-token", status=410),
]


# --- the browser contexts: one per role, logged in once, the CSP bypassed for axe only ---------
@pytest.fixture(scope="module")
def contexts(browser, base_url):
    """role -> a page in a logged-in browser context of its own (None: logged out)."""
    opened: dict[str | None, Page] = {}
    made: list[BrowserContext] = []

    def page_for(role: str | None) -> Page:
        if role not in opened:
            context = browser.new_context(base_url=base_url, bypass_csp=True)
            made.append(context)
            page = context.new_page()
            page.console_errors = []  # what each visit saw; emptied before the next
            page.on("console", lambda msg, page=page: page.console_errors.append(msg) if msg.type == "error" else None)
            if role is not None:
                page.goto("/login")
                page.get_by_label("Email").fill(ROLES[role])
                page.get_by_label("Password").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Log in").click()
                expect(page).to_have_url(re.compile(r"/$"))
            opened[role] = page
        return opened[role]

    yield page_for
    for context in made:
        context.close()


@pytest.mark.parametrize("width", WIDTHS, ids=lambda w: f"{w}px")
@pytest.mark.parametrize("visit", PAGES, ids=lambda v: v.name)
def test_page_is_accessible(visit: Visit, width: int, contexts, live_server, request):
    page = contexts(visit.role)
    page.set_viewport_size({"width": width, "height": 900})
    path = visit.path if isinstance(visit.path, str) else visit.path(page, live_server)
    page.console_errors.clear()
    response = page.goto(path)
    assert response is not None and response.status == visit.status, f"{path} answered {response and response.status}"
    if visit.then:
        visit.then(page)
    page.wait_for_load_state("networkidle")
    if request.config.getoption("--screenshots"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{visit.name}-{width}.png", full_page=True, caret="initial", animations="disabled")

    problems = []
    # The page's own status (a 404 page answers 404) is logged too: only its resources count.
    errors = [f"{msg.text} ({msg.location.get('url')})" for msg in page.console_errors if msg.location.get("url") != page.url]
    if errors:
        problems.append(f"console errors on {path}: {errors}")
    violations = axe_violations(page)
    if violations:
        problems.append(f"axe found {len(violations)} violation(s) on {path} at {width} px:\n{describe(violations)}")
    if width <= 390:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            widest = page.evaluate(
                """width => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > width + 0.5)
                    .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= width + 0.5)
                    .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                        (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
                        + ' → ' + Math.round(e.getBoundingClientRect().right) + 'px')""",
                width,
            )
            problems.append(f"{path} is {scroll_width} px wide at {width} px; sticking out: {widest}")
    assert not problems, "\n".join(problems)
