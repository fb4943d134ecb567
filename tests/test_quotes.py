"""The customer's quotes: the list (open apart from expired), the quote page, its print view and
PDF, valid-until from the delivery date or the admin's validity, the merchant's terms, and the
same 404 for another customer's quote, an order that is not a quote and a missing id."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from support import app_rows, calls_for, components, on_loop, switch_to

from portal.brightpearl.models import Order
from portal.core.order_defaults import OrderDefaults
from portal.domain.quotes import valid_until
from portal.sandbox.demo import ALICE_CONTACT_ID, BOB_CONTACT_ID

QUOTE_LINK = re.compile(r'href="/quotes/(\d+)"')
TERMS = "Prices hold for the quantities quoted.\nDelivery within 10 working days of acceptance."


def quote_ids(html: str) -> list[int]:
    return [int(found) for found in QUOTE_LINK.findall(html)]


def section(html: str, heading_id: str) -> str:
    """The <section> whose heading has this id."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start: html.index("</section>", start)]


def sandbox_quotes(sandbox, contact_id: int) -> list[dict]:
    return [o for o in sandbox.data.orders_for(contact_id, "SO") if o["orderStatus"]["orderStatusId"] == 1]


def test_the_list_shows_open_quotes_and_expired_ones_apart(alice, sandbox):
    page = alice.get("/quotes")
    assert page.status_code == 200
    quotes = {o["id"]: o for o in sandbox_quotes(sandbox, ALICE_CONTACT_ID)}
    listed = quote_ids(page.text)
    assert listed and set(listed) == set(quotes)
    today = components(alice.app).clock.today()
    open_part = section(page.text, "open-title")
    expired_part = section(page.text, "expired-title")
    for order_id, order in quotes.items():
        placed = datetime.fromisoformat(order["placedOn"]).astimezone(components(alice.app).clock.zone).date()
        until = placed + timedelta(days=30)
        part = expired_part if until < today else open_part
        assert f'href="/quotes/{order_id}"' in part
        assert until.strftime("%-d %b %Y") in part
        assert f"£{float(order['totalValue']['total']):,.2f}" in part
    assert "Expired on" in expired_part and "Valid until" in open_part


def test_orders_that_are_not_quotes_are_not_listed(alice, sandbox):
    listed = set(quote_ids(alice.get("/quotes").text))
    orders = {o["id"] for o in sandbox.data.orders_for(ALICE_CONTACT_ID, "SO")} - {o["id"] for o in sandbox_quotes(sandbox, ALICE_CONTACT_ID)}
    assert orders and not listed & orders


def test_the_quote_page_shows_lines_totals_and_valid_until(alice, sandbox):
    order = max(sandbox_quotes(sandbox, ALICE_CONTACT_ID), key=lambda o: o["placedOn"])
    page = alice.get(f"/quotes/{order['id']}")
    assert page.status_code == 200
    for label in ("Quote number", "Valid until", "Billing address", "Delivery address", "Net", "Tax", "Total",
                  "Printable view", "Download PDF", "Share with a colleague"):
        assert label in page.text
    for row in order["orderRows"].values():
        assert row["productName"].replace("&", "&amp;").replace('"', "&#34;").replace("'", "&#39;") in page.text
    assert "expired" not in page.text.lower()


def test_an_expired_quote_says_so_and_offers_no_acceptance(alice, sandbox):
    listed = alice.get("/quotes").text
    expired = quote_ids(section(listed, "expired-title"))
    assert expired, "the demo data gives alice an expired quote"
    page = alice.get(f"/quotes/{expired[0]}").text
    assert "This quote expired on" in page and "Expired on" in page
    assert "Accept" not in page


def test_valid_until_is_the_delivery_date_when_brightpearl_has_one():
    placed = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    from zoneinfo import ZoneInfo

    london, sydney = ZoneInfo("Europe/London"), ZoneInfo("Australia/Sydney")
    assert valid_until(Order(placed_on=placed), 30, london) == date(2026, 12, 30)
    # The day it was placed is the merchant's day: in Sydney it is already 1 December.
    assert valid_until(Order(placed_on=placed), 30, sydney) == date(2026, 12, 31)
    assert valid_until(Order(placed_on=placed, delivery_date=date(2027, 1, 15)), 30, london) == date(2027, 1, 15)
    assert valid_until(Order(), 30, london) is None


def test_a_delivery_date_on_the_quote_sets_its_valid_until(alice, sandbox):
    order = sandbox_quotes(sandbox, ALICE_CONTACT_ID)[0]
    order["delivery"]["deliveryDate"] = "2027-02-14T00:00:00.000+00:00"
    page = alice.get(f"/quotes/{order['id']}").text
    assert "14 Feb 2027" in page and "expired" not in page.lower()


def test_the_admins_validity_and_terms_show_on_the_page_print_view_and_pdf(alice, sandbox):
    store = components(alice.app).order_defaults
    on_loop(alice, store.save, OrderDefaults(quote_validity_days=400 // 4, quote_terms=TERMS))
    order = max(sandbox_quotes(sandbox, ALICE_CONTACT_ID), key=lambda o: o["placedOn"])
    placed = datetime.fromisoformat(order["placedOn"]).astimezone(components(alice.app).clock.zone).date()
    until = (placed + timedelta(days=100)).strftime("%-d %b %Y")
    for path in (f"/quotes/{order['id']}", f"/quotes/{order['id']}/print"):
        page = alice.get(path).text
        assert until in page
        assert "Prices hold for the quantities quoted." in page and "Terms" in page
    pdf = alice.get(f"/quotes/{order['id']}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == f'attachment; filename="quote-{order["id"]}.pdf"'
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert f"Quote number {order['id']}" in text.replace("\n", " ") or str(order["id"]) in text
    assert "Prices hold for the quantities quoted." in text and until in text
    merchant = components(alice.app).branding.current().portal_name
    assert merchant in text


def test_the_admin_sets_the_validity_and_terms_on_admin_orders(client):
    admin = switch_to(client, "admin@example.com")
    form = admin.get("/admin/orders").text
    assert 'name="quote_validity_days"' in form and 'name="quote_terms"' in form
    token = admin.cookies["csrftoken"]
    bad = admin.post("/admin/orders", data={"quote_validity_days": "0", "_csrf_token": token})
    assert bad.status_code == 400 and "Enter a number of days from 1 to" in bad.text
    assert components(admin.app).order_defaults.current().quote_validity_days == 30
    saved = admin.post("/admin/orders", data={"quote_validity_days": "45", "quote_terms": TERMS, "_csrf_token": token},
                       follow_redirects=False)
    assert saved.status_code == 303
    current = components(admin.app).order_defaults.current()
    assert current.quote_validity_days == 45 and current.quote_terms == TERMS
    (row,) = app_rows(admin, "select detail from audit where action = 'order_defaults_changed'")
    assert "quote_validity_days" in row["detail"] and "quote_terms" in row["detail"]


def test_another_customers_quote_an_order_and_a_missing_id_are_the_same_404(alice, sandbox):
    bobs = sandbox_quotes(sandbox, BOB_CONTACT_ID)[0]["id"]
    not_a_quote = next(o["id"] for o in sandbox.data.orders_for(ALICE_CONTACT_ID, "SO")
                       if o["orderStatus"]["orderStatusId"] not in (1, 19))
    missing = alice.get("/quotes/2147483000")
    assert missing.status_code == 404
    for order_id in (bobs, not_a_quote):
        for suffix in ("", "/print", "/pdf"):
            theirs = alice.get(f"/quotes/{order_id}{suffix}")
            assert theirs.status_code == 404
            assert theirs.text.replace(str(order_id), "ID") == missing.text.replace("2147483000", "ID")
    refused = app_rows(alice, "select target from audit where action = 'access_refused'")
    assert {"target": f"order:{bobs}"} in refused


def test_brightpearl_call_counts_cold_and_warm(alice, sandbox):
    cold_list = calls_for(alice, sandbox, "/quotes", cold=True)
    warm_list = calls_for(alice, sandbox, "/quotes")
    quote_id = quote_ids(alice.get("/quotes").text)[0]
    cold_quote = calls_for(alice, sandbox, f"/quotes/{quote_id}", cold=True)
    warm_quote = calls_for(alice, sandbox, f"/quotes/{quote_id}")
    cold_print = calls_for(alice, sandbox, f"/quotes/{quote_id}/print", cold=True)
    warm_pdf = calls_for(alice, sandbox, f"/quotes/{quote_id}/pdf")
    assert (len(cold_list), len(warm_list)) == (3, 0)
    assert (len(cold_quote), len(warm_quote)) == (2, 0)
    assert (len(cold_print), len(warm_pdf)) == (2, 0)


def test_the_quotes_feature_switched_off_hides_the_pages_and_the_link(alice):
    assert 'href="/quotes"' in alice.get("/").text
    quote_id = quote_ids(alice.get("/quotes").text)[0]
    on_loop(alice, components(alice.app).features.save, {"quotes": False})
    assert alice.get("/quotes").status_code == 404
    assert alice.get(f"/quotes/{quote_id}").status_code == 404
    assert 'href="/quotes"' not in alice.get("/").text


def test_the_dashboard_tile_links_to_the_quotes(alice):
    tile = alice.get("/tiles/quotes", headers={"HX-Request": "true"}).text
    assert 'href="/quotes"' in tile
    assert quote_ids(tile), "the newest quotes link to their quote pages"


@pytest.mark.parametrize("email", ["sam@example.com", "admin@example.com"])
def test_only_customers_see_quotes(client, email):
    other = switch_to(client, email)
    assert other.get("/quotes").status_code in (403, 404)


def test_the_admins_custom_field_sets_valid_until_when_it_holds_a_date():
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    placed = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

    def until(value, field="PCF_VALIDTO", delivery=date(2027, 1, 15)):
        return valid_until(Order(placed_on=placed, delivery_date=delivery, custom_fields={"PCF_VALIDTO": value}),
                           30, london, field)

    assert until("2027-03-01") == date(2027, 3, 1)  # the field wins over the delivery date
    # A moment is read as the model's date-only fields are: UTC midnight sent in the account's offset...
    assert until("2027-02-28T18:00:00.000-06:00") == date(2027, 3, 1)
    assert until("2027-03-01T00:00:00.000-06:00") == date(2027, 3, 1)  # ...or local midnight
    assert until("2027-03-01 00:00:00 +0000") == date(2027, 3, 1)  # the shape Brightpearl was seen to send (E.5)
    assert until({"id": 12, "value": "2027-03-01"}) == date(2027, 3, 1)
    assert until({"date": "2027-03-01"}) == date(2027, 3, 1)
    assert until("2027-03-01", field="pcf_validto") == date(2027, 3, 1)  # the admin's code, whatever its case
    # Anything else is ignored: the delivery date, else the days from when it was placed.
    for junk in ("", "soon", "2027-13-01", 20270301, True, ["2027-03-01"], {"id": 3}, None):
        assert until(junk) == date(2027, 1, 15), junk
        assert until(junk, delivery=None) == date(2026, 12, 30), junk
    assert until("2027-03-01", field="") == date(2027, 1, 15)  # no field named: the field is not read
    assert until("2027-03-01", field="PCF_OTHER") == date(2027, 1, 15)


def test_the_quote_page_reads_the_admins_custom_field_from_brightpearl(alice, sandbox):
    quote_id = max(o["id"] for o in sandbox_quotes(sandbox, ALICE_CONTACT_ID))
    sandbox.data.order_meta[quote_id].custom_fields["PCF_DELIVNOTE"] = "2027-03-01"
    on_loop(alice, components(alice.app).order_defaults.save, OrderDefaults(quote_valid_until_field="PCF_DELIVNOTE"))
    page = alice.get(f"/quotes/{quote_id}")
    assert page.status_code == 200 and "1 Mar 2027" in page.text
