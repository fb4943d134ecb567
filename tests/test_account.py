"""The account page: details, credit, balance, price list and account manager from Brightpearl."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
from support import calls_for, empty_cache, logged_in, portal_app, portal_settings, switch_to

from portal.core.formatting import money
from portal.domain.account import Credit, credit_terms

ALICE, BOB = 1001, 1003


def fact(page: str, label: str) -> str:
    """The text of the <dd> after the <dt> with this label, tags removed, spaces collapsed."""
    found = re.search(rf"<dt>{re.escape(label)}</dt>\s*<dd[^>]*>(.*?)</dd>", page, re.S)
    assert found, f"no {label!r} on the page"
    # <wbr> marks where a long value may wrap: no space in the text.
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1).replace("<wbr>", "")).split())


def test_shows_the_contacts_details(alice):
    response = alice.get("/account")
    assert response.status_code == 200
    page = response.text
    assert fact(page, "Name") == "Ms Alice Harper"
    assert fact(page, "Company") == "Harper &amp; Lowe Interiors Ltd"
    assert fact(page, "Account reference") == "HARPERL01"
    assert fact(page, "VAT number") == "GB284552173"
    assert fact(page, "Email") == "alice@example.com"
    assert fact(page, "Other email") == "accounts@harper-lowe.example.com"
    assert fact(page, "Phone") == "0113 496 0000"
    assert fact(page, "Mobile") == "07700 900123"
    assert 'href="/addresses"' in page


def test_shows_credit_terms_balance_and_what_is_left(alice, sandbox):
    page = alice.get("/account").text
    balance = sandbox.data.balance(ALICE, "GBP")
    assert balance is not None
    assert fact(page, "Current balance") == money(balance, "GBP")
    assert fact(page, "Credit limit") == "£15,000.00"
    assert fact(page, "Available credit") == money(Decimal(15000) - balance, "GBP")
    assert fact(page, "Credit terms") == "30 days"
    assert fact(page, "Price list") == "Trade (GBP)"
    assert fact(page, "Account currency") == "GBP"
    assert "Your account manager is <strong>Hannah Brooks</strong>" in page


def test_over_the_limit_is_said_plainly(alice, sandbox):
    sandbox.data.contacts[ALICE]["financialDetails"]["creditLimit"] = 1000
    page = alice.get("/account").text
    over = sandbox.data.balance(ALICE, "GBP") - 1000
    assert fact(page, "Available credit") == f"None: over limit by {money(over, 'GBP')}"
    assert 'class="over-limit"' in page


def test_no_credit_limit_and_no_terms(alice, sandbox):
    details = sandbox.data.contacts[ALICE]["financialDetails"]
    details.update(creditLimit=0, creditTermDays=0, discountPercentage=5.0)
    page = alice.get("/account").text
    assert fact(page, "Credit limit") == "No credit limit set"
    assert "<dt>Available credit</dt>" not in page
    assert fact(page, "Credit terms") == "No credit terms"
    assert fact(page, "Your discount") == "5%"


def test_balance_is_asked_in_the_currency_of_the_contact(alice, sandbox):
    sandbox.data.contacts[ALICE]["financialDetails"]["currencyId"] = 2  # EUR: no transactions
    sandbox.reset_calls()
    page = alice.get("/account").text
    assert ("GET", f"/accounting-service/contact/{ALICE}/currency/EUR/balance", 200) in sandbox.calls
    assert fact(page, "Current balance") == "€0.00 (nothing owed)"
    assert fact(page, "Account currency") == "EUR"


def test_a_currency_no_price_list_names_gives_no_balance_rather_than_a_wrong_one(alice, sandbox):
    sandbox.data.contacts[ALICE]["financialDetails"]["currencyId"] = 3  # USD: no price list uses it
    sandbox.reset_calls()
    page = alice.get("/account").text
    assert not [c for c in sandbox.calls if "/balance" in c[1]]
    assert fact(page, "Current balance") == "Not available right now"
    assert fact(page, "Available credit") == "Not available right now"
    assert "<dt>Account currency</dt>" not in page


def test_no_account_manager_or_a_contact_that_is_not_staff_is_not_shown(alice, sandbox):
    assignment = sandbox.data.contacts[ALICE]["assignment"]["current"]
    assignment["staffOwnerContactId"] = BOB  # not a staff member: never shown as one
    page = alice.get("/account").text
    assert "Bob" not in page and "account manager is" not in page
    assert "please contact us" in page
    assignment.pop("staffOwnerContactId")
    empty_cache(alice)
    sandbox.reset_calls()
    page = alice.get("/account").text
    assert "account manager is" not in page and len(sandbox.calls) == 3


def test_each_customer_sees_only_their_own_account(alice):
    bob = switch_to(alice, "bob@example.com").get("/account").text
    assert "Bob Mitchell" in bob and "Mitchell Hospitality Group Ltd" in bob
    assert "Alice" not in bob and "Harper" not in bob and "HARPERL01" not in bob
    assert "Your account manager is <strong>Daniel Okoro</strong>" in bob


def test_brightpearl_call_counts_cold_and_warm(alice, sandbox):
    cold = sorted(path for _, path, _ in calls_for(alice, sandbox, "/account", cold=True))
    warm = calls_for(alice, sandbox, "/account")
    assert cold == [
        f"/accounting-service/contact/{ALICE}/currency/GBP/balance",
        f"/contact-service/contact/{ALICE}",
        "/contact-service/contact/12",
        "/product-service/price-list",
    ]
    assert warm == []
    # The address page reads the same contact: nothing more to ask.
    assert calls_for(alice, sandbox, "/addresses") == []


def test_a_failing_balance_leaves_the_rest_of_the_page(settings, sandbox):
    class NoBalance(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = sandbox.transport()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/balance"):
                return httpx.Response(503, json={"response": "Service Temporarily Unavailable"})
            return await self.inner.handle_async_request(request)

    with logged_in(portal_app(settings, sandbox, transport=NoBalance())) as client:
        response = client.get("/account")
        assert response.status_code == 200
        assert fact(response.text, "Current balance") == "Not available right now"
        assert fact(response.text, "Credit limit") == "£15,000.00"
        assert "Hannah Brooks" in response.text


def test_brightpearl_down_serves_the_last_copy_or_a_503(alice, sandbox):
    assert alice.get("/account").status_code == 200
    sandbox.knobs.outage = True
    # Cached: still shown (the cached copy is fresh enough here, so no stale note yet).
    assert alice.get("/account").status_code == 200
    empty_cache(alice)
    response = alice.get("/account")
    assert response.status_code == 503
    assert "HARPERL01" not in response.text and "Credit limit" not in response.text


def test_markup_from_brightpearl_is_shown_as_text(alice, sandbox):
    sandbox.data.contacts[ALICE]["lastName"] = "<b>Harper</b>"
    page = alice.get("/account").text
    assert "<b>Harper</b>" not in page and "&lt;b&gt;Harper&lt;/b&gt;" in page


def test_only_customers_may_open_the_page(client):
    assert client.get("/account", follow_redirects=False).status_code in (302, 303)
    for email in ("sam@example.com", "admin@example.com"):
        assert switch_to(client, email).get("/account").status_code == 403


def test_credit_terms_and_available_credit_rules():
    assert credit_terms(30) == "30 days" and credit_terms(1) == "1 day" and credit_terms(0) == "No credit terms"
    assert Credit("GBP", Decimal(100), Decimal(40)).available == Decimal(60)
    assert Credit("GBP", Decimal(100), Decimal(140)).over_limit
    assert Credit("GBP", Decimal(100), Decimal(-20)).available == Decimal(120)  # in credit
    assert Credit("GBP", Decimal(0), Decimal(40)).available is None
    assert Credit(None, Decimal(100), None).available is None


def test_the_account_manager_can_be_reached_by_the_email_brightpearl_holds(alice, sandbox):
    page = alice.get("/account").text
    section = page[page.index('id="contact"') : page.index('id="details-heading"')]
    assert 'href="mailto:hannah.brooks@ashcombe-trade.example"' in section
    # The address wraps before "@" and dots, not mid-word.
    assert "hannah<wbr>.brooks<wbr>@ashcombe-trade<wbr>.example" not in section
    assert "hannah.brooks<wbr>@ashcombe-trade<wbr>.example" in section
    assert "Get in touch with them" in section


def test_without_the_managers_details_the_merchants_contact_is_shown(tmp_path, sandbox):
    sandbox.data.contacts[12]["communication"] = {}
    settings = portal_settings(tmp_path, merchant_email="orders@ashcombe.example", merchant_phone="0113 496 0500")
    with logged_in(portal_app(settings, sandbox)) as client:
        page = client.get("/account").text
    section = page[page.index('id="contact"') : page.index('id="details-heading"')]
    assert "Your account manager is <strong>Hannah Brooks</strong>" in section
    assert 'href="mailto:orders@ashcombe.example"' in section
    assert 'href="tel:01134960500"' in section and "0113 496 0500" in section
    assert "Contact us to change" in section


def test_with_no_manager_and_no_merchant_details_the_page_says_contact_us(alice, sandbox):
    sandbox.data.contacts[ALICE]["assignment"]["current"].pop("staffOwnerContactId")
    page = alice.get("/account").text
    assert "mailto:" not in page and "please contact us" in page


def test_the_address_page_links_contact_us_to_the_account_pages_contact_details(alice):
    page = alice.get("/addresses").text
    assert '<a href="/account#contact">contact us</a>' in page
