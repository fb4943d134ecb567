"""The admin's order defaults (/admin/orders) and carrier tracking links (/admin/orders/tracking):
Brightpearl's lists, its defaults when nothing is set, saving with validation and audit, the CLI
and the page sharing one set of patterns; the channel and warehouse reads and their models."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from support import (
    BASE_URL,
    app_rows,
    calls_for,
    components,
    empty_cache,
    fresh_sandbox,
    on_loop,
    portal_app,
    portal_settings,
    switch_to,
)

from portal.brightpearl.models import Channel, OrderStatus, PaymentMethod, PriceList, Warehouse
from portal.cli import main
from portal.core.db import open_database
from portal.core.order_defaults import OrderDefaults, OrderDefaultsStore
from portal.core.site_settings import SiteSettings
from portal.domain.order_defaults import OrderLists, resolve
from portal.sandbox import reference
from portal.sandbox.reference import OrderStatus as SandboxStatus

FIXTURES = Path(__file__).parent / "fixtures" / "brightpearl"
UPS = "https://www.ups.com/track?tracknum={reference}"


def example_body(name: str):
    return json.loads((FIXTURES / name).read_text())["response"]["body"]["response"]


@pytest.fixture
def sandbox():
    return fresh_sandbox()


@pytest.fixture
def client(tmp_path, sandbox):
    app = portal_app(portal_settings(tmp_path), sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        switch_to(client, "admin@example.com")
        yield client


def post(client: TestClient, path: str, **data):
    return client.post(path, data={**data, "_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False)


def selected(html: str, select_id: str) -> str:
    """The value of the chosen option of the select with `select_id` ("" for the blank one)."""
    block = re.search(rf'<select id="{select_id}".*?</select>', html, re.S).group(0)
    found = re.search(r'<option value="([^"]*)" selected>', block)
    return found.group(1) if found else ""


def blank_text(html: str, select_id: str) -> str:
    block = re.search(rf'<select id="{select_id}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value=""[^>]*>([^<]*)</option>', block).group(1)


# --- models and reads ----------------------------------------------------------------------------
def test_channel_and_warehouse_examples_parse():
    channels = [Channel.from_wire(item) for item in example_body("channel-get.json")]
    assert [(c.id, c.name, c.default_warehouse_id, c.default_price_list_id, c.warehouse_ids) for c in channels] == [
        (1, "Trade portal", 2, 2, (2,)),
        (4, "Shopify retail", 2, 3, (2, 3)),
    ]
    warehouses = [Warehouse.from_wire(item) for item in example_body("warehouse-get.json")]
    assert [(w.id, w.name, w.type_code, w.click_and_collect) for w in warehouses] == [
        (2, "Wakefield DC", "warehouse", False),
        (3, "Leeds Showroom", "store", True),
    ]
    # Tolerant of junk, as every model is.
    odd = Channel.from_wire({"id": "7", "warehouseIds": ["3", None, "x", -1]})
    assert odd.id == 7 and odd.warehouse_ids == (3,) and odd.name == ""


def test_channels_and_warehouses_are_read_once_and_cached(client, sandbox):
    bp = components(client.app).bp
    sandbox.reset_calls()
    channels = client.blocking_portal.call(bp.products.channels)
    warehouses = client.blocking_portal.call(bp.warehouse.warehouses)
    assert list(channels) == [1, 2, 4] and channels[1].name == "Trade portal"
    assert list(warehouses) == [2, 3] and warehouses[3].name == "Leeds Showroom"
    client.blocking_portal.call(bp.products.channels)
    client.blocking_portal.call(bp.warehouse.warehouses)
    assert [(method, path) for method, path, _ in sandbox.calls] == [
        ("GET", "/product-service/channel"), ("GET", "/warehouse-service/warehouse")]


# --- the defaults in effect ------------------------------------------------------------------------
def lists() -> OrderLists:
    return OrderLists(
        channels={c.id: c for c in (Channel.from_wire(i) for i in example_body("channel-get.json"))},
        warehouses={w.id: w for w in (Warehouse.from_wire(i) for i in example_body("warehouse-get.json"))},
        price_lists={p.id: p for p in (PriceList.from_wire(i) for i in example_body("price-list-get.json"))},
        statuses={s.id: s for s in (OrderStatus.from_wire(i) for i in example_body("order-status-list.json"))},
    )


def test_untouched_defaults_follow_brightpearl():
    effective = resolve(OrderDefaults(), lists())
    statuses = lists().statuses
    assert effective.channel_id == 1 and effective.warehouse_id == 2 and effective.price_list_id == 2
    assert statuses[effective.quote_accepted_status_id].name == "Quote approved"
    assert statuses[effective.portal_order_status_id].name == "New web order"
    assert effective.lead_source_id is None and effective.project_id is None and effective.notification_email == ""
    assert effective.chosen == frozenset() and effective.gone == frozenset()


def test_a_chosen_channel_brings_its_price_list_and_gone_choices_fall_back():
    effective = resolve(OrderDefaults(channel_id=4, lead_source_id=3), lists())
    assert (effective.channel_id, effective.warehouse_id, effective.price_list_id) == (4, 2, 3)
    assert effective.chosen == {"channel_id", "lead_source_id"}
    gone = resolve(OrderDefaults(channel_id=99, warehouse_id=77), lists())
    assert (gone.channel_id, gone.warehouse_id) == (1, 2) and gone.gone == {"channel_id", "warehouse_id"}
    # No lists at all (a new account): nothing is invented.
    empty = resolve(OrderDefaults(), OrderLists())
    assert (empty.channel_id, empty.warehouse_id, empty.price_list_id, empty.portal_order_status_id) == (None,) * 4


def test_the_store_keeps_its_copy_until_saved(tmp_path):
    db = open_database(tmp_path / "portal.db")
    try:
        store = OrderDefaultsStore(SiteSettings(db))
        assert store.current() == OrderDefaults()
        store.save(OrderDefaults(channel_id=4, notification_email="orders@example.com"))
        assert store.current().channel_id == 4
        # Another store over the same database reads what was saved; junk in the row is ignored.
        assert OrderDefaultsStore(SiteSettings(db)).current().notification_email == "orders@example.com"
        SiteSettings(db).set("order_defaults", {"channel_id": "4", "project_id": True, "warehouse_id": 3})
        assert OrderDefaultsStore(SiteSettings(db)).current() == OrderDefaults(warehouse_id=3)
    finally:
        db.close()


# --- the page ----------------------------------------------------------------------------------
def test_the_page_lists_brightpearls_choices_with_its_defaults_marked(client):
    page = client.get("/admin/orders")
    assert page.status_code == 200
    body = page.text
    for name in ("Trade portal (id 1)", "Phone &amp; email sales (id 2)", "Shopify retail (id 4)", "Wakefield DC (id 2)",
                 "Leeds Showroom (id 3)", "Trade (GBP, id 2)", "Quote approved (id 19)", "New web order (id 2)"):
        assert name in body, name
    assert "Cost (GBP" not in body  # a buying price list is no choice for sales orders
    assert blank_text(body, "channel") == "Default: Trade portal"
    assert blank_text(body, "warehouse") == "Default: Wakefield DC"
    assert blank_text(body, "quote-status") == "Default: Quote approved"
    assert blank_text(body, "order-status") == "Default: New web order"
    assert selected(body, "channel") == "" and "(Brightpearl’s default)" in body
    assert "no list of lead sources or projects" in body


def test_saving_is_audited_and_shown(client):
    saved = post(client, "/admin/orders", channel_id="4", warehouse_id="3", price_list_id="", quote_accepted_status_id="19",
                 portal_order_status_id="3", lead_source_id="12", project_id="", notification_email=" Orders@Example.com ")
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/orders?done=saved"
    page = client.get(saved.headers["location"]).text
    assert "The order defaults are saved" in page
    assert selected(page, "channel") == "4" and selected(page, "warehouse") == "3" and selected(page, "order-status") == "3"
    assert blank_text(page, "price-list") == "Default: Retail"  # the chosen channel's
    assert 'value="12"' in page and 'value="orders@example.com"' in page
    stored = on_loop(client, components(client.app).order_defaults.current)
    assert stored == OrderDefaults(channel_id=4, warehouse_id=3, quote_accepted_status_id=19, portal_order_status_id=3,
                                   lead_source_id=12, notification_email="orders@example.com")
    (row,) = app_rows(client, "select actor_email, target, detail from audit where action = 'order_defaults_changed'")
    assert row["actor_email"] == "admin@example.com" and row["target"] == "settings:order_defaults"
    assert json.loads(row["detail"])["changed"]["channel_id"] == [None, 4]
    # The same again changes nothing and records nothing.
    again = post(client, "/admin/orders", channel_id="4", warehouse_id="3", quote_accepted_status_id="19",
                 portal_order_status_id="3", lead_source_id="12", notification_email="orders@example.com")
    assert again.headers["location"] == "/admin/orders?done=unchanged"
    assert len(app_rows(client, "select id from audit where action = 'order_defaults_changed'")) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("channel_id", "99", "Choose one of Brightpearl's channels listed."),
        ("warehouse_id", "abc", "Choose one of Brightpearl's warehouses listed."),
        ("price_list_id", "1", "Choose one of the selling price lists listed."),
        ("portal_order_status_id", "7", "Choose one of the sales order statuses listed."),
        ("lead_source_id", "-3", "Enter Brightpearl's id, a whole number from 1, or leave it empty."),
        ("project_id", "99999999999", "Enter Brightpearl's id, a whole number from 1, or leave it empty."),
        ("notification_email", "not an address", "Enter an email address like orders@example.com, or leave it empty."),
    ],
)
def test_bad_values_are_refused_beside_their_field(client, field, value, message):
    refused = post(client, "/admin/orders", **{field: value})
    assert refused.status_code == 400
    assert message in html.unescape(refused.text)
    assert 'aria-invalid="true"' in refused.text and "were not saved" in refused.text
    assert on_loop(client, components(client.app).order_defaults.current) == OrderDefaults()
    assert app_rows(client, "select id from audit where action = 'order_defaults_changed'") == []


def test_a_warehouse_the_channel_does_not_ship_from_is_refused(client):
    refused = post(client, "/admin/orders", channel_id="1", warehouse_id="3")
    assert refused.status_code == 400
    assert "The channel Trade portal ships from Wakefield DC: choose one of those." in refused.text
    assert selected(refused.text, "warehouse") == "3"  # what was typed is shown back


def test_without_brightpearl_the_page_says_so_and_nothing_changes(client, sandbox):
    empty_cache(client)
    sandbox.fail("/product-service/channel", 503)
    page = client.get("/admin/orders")
    assert page.status_code == 503 and "Brightpearl is not answering" in page.text
    assert post(client, "/admin/orders", channel_id="1").status_code == 503
    assert on_loop(client, components(client.app).order_defaults.current) == OrderDefaults()


def test_only_admins_reach_the_order_settings_others_get_a_404(client):
    switch_to(client, "alice@example.com")
    for path in ("/admin/orders", "/admin/orders/tracking"):
        assert client.get(path).status_code == 404
    assert post(client, "/admin/orders", channel_id="1").status_code == 404
    assert post(client, "/admin/orders/tracking/9", pattern=UPS).status_code == 404
    assert post(client, "/admin/orders/tracking/9/remove").status_code == 404


# --- carrier tracking links ------------------------------------------------------------------------
def test_tracking_links_are_set_and_removed_and_audited(client):
    page = client.get("/admin/orders/tracking")
    assert page.status_code == 200
    for name in ("Royal Mail Tracked 48", "UPS Standard", "DHL Parcel UK", "Collection from showroom"):
        assert name in page.text
    saved = post(client, "/admin/orders/tracking/9", pattern=f"  {UPS} ")
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/orders/tracking?done=pattern_set"
    assert on_loop(client, components(client.app).tracking.all)[9] == UPS
    assert f"Links to: <code>{UPS}</code>" in client.get(saved.headers["location"]).text
    removed = post(client, "/admin/orders/tracking/9/remove")
    assert removed.headers["location"] == "/admin/orders/tracking?done=pattern_removed"
    assert 9 not in on_loop(client, components(client.app).tracking.all)
    rows = app_rows(client, "select action, target, detail from audit where action like 'tracking_pattern_%' order by id")
    assert [(r["action"], r["target"]) for r in rows] == [("tracking_pattern_set", "shipping_method:9"),
                                                           ("tracking_pattern_removed", "shipping_method:9")]
    assert json.loads(rows[0]["detail"])["pattern"] == UPS and json.loads(rows[1]["detail"])["previous"] == UPS
    # Removing what is not there records nothing.
    post(client, "/admin/orders/tracking/9/remove")
    assert len(app_rows(client, "select id from audit where action = 'tracking_pattern_removed'")) == 1


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "The pattern is empty."),
        ("https://www.ups.com/track", "The pattern must contain {reference} exactly once."),
        ("javascript:alert(1)//{reference}", "The pattern must start with https:// (or http://)."),
        ('https://x.example/"{reference}', "percent-encode them"),
    ],
)
def test_a_bad_pattern_is_refused_as_the_cli_refuses_it(client, pattern, message):
    before = on_loop(client, components(client.app).tracking.all)  # the demo's patterns
    refused = post(client, "/admin/orders/tracking/9", pattern=pattern)
    assert refused.status_code == 400
    assert message in html.unescape(refused.text)
    assert 'aria-invalid="true"' in refused.text
    assert on_loop(client, components(client.app).tracking.all) == before
    assert app_rows(client, "select id from audit where action = 'tracking_pattern_set'") == []


def test_a_method_brightpearl_does_not_have_cannot_get_a_link(client):
    assert post(client, "/admin/orders/tracking/4242", pattern=UPS).status_code == 404


def test_the_cli_and_the_page_share_the_patterns(tmp_path, sandbox):
    runner = CliRunner()
    result = runner.invoke(main, ["tracking", "set", "--method-id", "11", "--pattern",
                                  "https://www.dhl.com/track?id={reference}", "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    app = portal_app(portal_settings(tmp_path), sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        switch_to(client, "admin@example.com")
        assert "https://www.dhl.com/track?id={reference}" in client.get("/admin/orders/tracking").text
        assert post(client, "/admin/orders/tracking/3", pattern="https://www.royalmail.com/t/{reference}").status_code == 303
    listed = runner.invoke(main, ["tracking", "list", "--data", str(tmp_path)])
    assert "3\thttps://www.royalmail.com/t/{reference}" in listed.output.splitlines()
    assert "11\thttps://www.dhl.com/track?id={reference}" in listed.output.splitlines()


# --- quotes and checkout -----------------------------------------------------------------------------
ALL_LISTS = {"/product-service/channel", "/warehouse-service/warehouse", "/product-service/price-list",
             "/order-service/order-status", "/accounting-service/payment-method", "/warehouse-service/shipping-method/"}
CHECKOUT = {"checkout_form": "1"}  # the hidden field the real form sends with its checkboxes


def checked(html: str, input_id: str) -> bool:
    tag = re.search(rf'<input[^>]* id="{input_id}"[^>]*>', html, re.S).group(0)
    return " checked" in tag


def test_payment_methods_parse_from_the_example_and_say_which_currency_they_take():
    methods = [PaymentMethod.from_wire(item) for item in example_body("payment-method-get.json")]
    assert [(m.code, m.name, m.active, m.currencies) for m in methods] == [
        ("STRIPE", "Stripe", True, frozenset({"GBP"})), ("BACS", "BACS", True, frozenset({"GBP"}))]
    assert methods[0].takes("gbp") and not methods[0].takes("EUR")
    assert not PaymentMethod.from_wire({"code": "OLD", "isActive": False}).takes("GBP")  # inactive takes nothing
    assert PaymentMethod.from_wire({"code": "ANY", "isActive": True}).takes("USD")  # no bank account listed: any


def test_stored_checkout_values_that_are_not_valid_fall_back_to_the_default_and_are_logged(caplog):
    stored = {"quote_placement": "sideways", "quote_converted_status_id": "19", "quote_valid_until_field": 7,
              "payment_method_codes": ["BACS", 3], "on_account": "yes", "shipping_method_ids": [9, -1],
              "quote_declined_status_id": 5}
    with caplog.at_level("WARNING", logger="portal.core.order_defaults"):
        defaults = OrderDefaults.from_json(stored)
    assert defaults == OrderDefaults(quote_declined_status_id=5)
    logged = caplog.text
    for name in ("quote_placement", "quote_converted_status_id", "quote_valid_until_field", "payment_method_codes",
                 "on_account", "shipping_method_ids"):
        assert f"{name} = " in logged, name
    fine = OrderDefaults.from_json({"quote_placement": "order", "payment_method_codes": ["BACS", "BACS", "CARD"],
                                    "on_account": False, "shipping_method_ids": [9, 3, 9]})
    assert (fine.quote_placement, fine.payment_method_codes, fine.on_account, fine.shipping_method_ids) == (
        "order", ("BACS", "CARD"), False, (9, 3))


def test_the_page_shows_the_quote_and_checkout_choices_with_what_unset_means(client):
    body = client.get("/admin/orders").text
    # The sandbox has no "converted", "changes" or "declined" status: resolve's fallbacks are named.
    assert blank_text(body, "quote-converted-status") == "Default: Quote approved (the accepted status)"
    assert blank_text(body, "quote-changes-status") == "Default: none, a note only"
    assert blank_text(body, "quote-declined-status") == "Default: none, a note only"
    assert checked(body, "quote-placement-accept") and not checked(body, "quote-placement-order")
    for code in ("BACS", "CARD", "STRIPE"):
        assert f'name="payment_method_codes" value="{code}"' in body, code
    assert 'value="CHEQUE"' not in body and "Not offerable (inactive in Brightpearl): Cheque." in body
    assert checked(body, "on-account")  # on account is offered until the admin says otherwise
    for method_id in (3, 7, 9, 11, 14):
        assert not checked(body, f"shipping-{method_id}")
    assert "the quote’s shipping method, no choice" in body
    assert 'name="checkout_form" value="1"' in body and 'id="valid-until-field" name="quote_valid_until_field"' in body


def test_a_status_brightpearl_names_is_the_default(client, monkeypatch):
    monkeypatch.setattr(reference, "ORDER_STATUSES", [*reference.ORDER_STATUSES,
                                                      SandboxStatus(20, "Quote declined", "SO", 6, True, "#cccccc")])
    empty_cache(client)
    body = client.get("/admin/orders").text
    assert blank_text(body, "quote-declined-status") == "Default: Quote declined"
    assert blank_text(body, "quote-changes-status") == "Default: none, a note only"


def test_the_quote_and_checkout_choices_are_saved_audited_and_shown_back(client):
    saved = client.post("/admin/orders", data={
        **CHECKOUT, "quote_placement": "order", "quote_converted_status_id": "4", "quote_changes_status_id": "3",
        "quote_declined_status_id": "5", "quote_valid_until_field": " PCF_VALIDTO ",
        "payment_method_codes": ["STRIPE", "BACS"], "shipping_method_ids": ["9", "3"],
        "_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False)  # on_account left unticked
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/orders?done=saved"
    stored = on_loop(client, components(client.app).order_defaults.current)
    assert stored == OrderDefaults(quote_placement="order", quote_converted_status_id=4, quote_changes_status_id=3,
                                   quote_declined_status_id=5, quote_valid_until_field="PCF_VALIDTO",
                                   payment_method_codes=("STRIPE", "BACS"), on_account=False, shipping_method_ids=(9, 3))
    page = client.get(saved.headers["location"]).text
    assert checked(page, "quote-placement-order") and not checked(page, "on-account")
    assert selected(page, "quote-converted-status") == "4" and selected(page, "quote-declined-status") == "5"
    assert 'value="PCF_VALIDTO"' in page and checked(page, "shipping-9") and not checked(page, "shipping-7")
    assert "placed as a new sales order; the quote moves to Invoiced" in page
    assert "Stripe, BACS" in page and "the customer chooses: UPS Standard, Royal Mail Tracked 48" in page
    (row,) = app_rows(client, "select detail from audit where action = 'order_defaults_changed'")
    changed = json.loads(row["detail"])["changed"]
    assert changed["quote_placement"] == ["accept", "order"] and changed["on_account"] == [True, False]
    assert changed["payment_method_codes"] == [[], ["STRIPE", "BACS"]] and changed["shipping_method_ids"] == [[], [9, 3]]
    assert changed["quote_valid_until_field"] == ["", "PCF_VALIDTO"]


def test_a_form_without_the_checkboxes_keeps_the_checkout_choices(client):
    on_loop(client, components(client.app).order_defaults.save,
            OrderDefaults(payment_method_codes=("BACS",), on_account=False, shipping_method_ids=(9,)))
    assert post(client, "/admin/orders", quote_validity_days="45").status_code == 303
    stored = on_loop(client, components(client.app).order_defaults.current)
    assert (stored.payment_method_codes, stored.on_account, stored.shipping_method_ids) == (("BACS",), False, (9,))
    # The real form sends its checkboxes: none ticked is then none offered.
    refused = post(client, "/admin/orders", **CHECKOUT)
    assert refused.status_code == 400 and "Offer at least one way to pay" in html.unescape(refused.text)


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        ({"quote_placement": "later"}, "quote-placement-accept", "Choose one of the two ways listed."),
        ({"quote_converted_status_id": "7"}, "quote-converted-status", "Choose one of the sales order statuses listed."),
        ({"quote_changes_status_id": "x"}, "quote-changes-status", "Choose one of the sales order statuses listed."),
        ({"quote_declined_status_id": "999"}, "quote-declined-status", "Choose one of the sales order statuses listed."),
        ({"quote_valid_until_field": "PCF-VALID TO"}, "valid-until-field", "letters, digits and _, up to 64"),
        ({"quote_valid_until_field": "P" * 65}, "valid-until-field", "letters, digits and _, up to 64"),
        ({**CHECKOUT, "on_account": "1", "payment_method_codes": ["NOPE"]}, "payment-1",
         "Choose among the active payment methods listed."),
        ({**CHECKOUT, "on_account": "1", "payment_method_codes": ["CHEQUE"]}, "payment-1",
         "Choose among the active payment methods listed."),
        ({**CHECKOUT, "on_account": "1", "shipping_method_ids": ["9", "4242"]}, "shipping-14",
         "Choose among Brightpearl’s shipping methods listed."),
        ({**CHECKOUT}, "payment-1", "Offer at least one way to pay: tick a payment method or “On account”."),
    ],
)
def test_bad_quote_and_checkout_values_are_refused_beside_their_field(client, data, field_id, message):
    refused = post(client, "/admin/orders", **data)
    assert refused.status_code == 400
    text = html.unescape(refused.text)
    assert message in text and "were not saved" in text
    error = re.search(r'<p class="field-error" id="([^"]+)"', refused.text).group(1)
    assert f'aria-describedby="{error}"' in refused.text or f' {error}"' in refused.text  # tied to its field or group
    assert re.search(rf'<input[^>]* id="{field_id}"[^>]* autofocus|<select id="{field_id}"[^>]* autofocus', refused.text, re.S)
    assert on_loop(client, components(client.app).order_defaults.current) == OrderDefaults()
    assert app_rows(client, "select id from audit where action = 'order_defaults_changed'") == []


def test_saved_choices_brightpearl_no_longer_has_are_flagged(client):
    on_loop(client, components(client.app).order_defaults.save,
            OrderDefaults(quote_declined_status_id=77, payment_method_codes=("CHEQUE", "BACS"), shipping_method_ids=(4242,)))
    page = " ".join(html.unescape(client.get("/admin/orders").text).split())
    assert "Brightpearl no longer has 1 of the saved choices (status of a quote the customer declines)" in page
    assert "Brightpearl no longer offers payment method CHEQUE, shipping method id 4242" in page
    assert "BACS, on account" in page and "the quote’s shipping method, no choice" in page


def test_the_page_reads_brightpearls_lists_once_cold_and_not_warm(client, sandbox):
    cold = calls_for(client, sandbox, "/admin/orders", cold=True)
    warm = calls_for(client, sandbox, "/admin/orders")
    # Each list once, the payment methods among them; all of them come from the cache after.
    assert sorted(next((p for p in ALL_LISTS if path.endswith(p)), path) for _, path, _ in cold) == sorted(ALL_LISTS)
    assert warm == []


def test_without_payment_methods_the_page_is_the_error_page_and_nothing_changes(client, sandbox):
    empty_cache(client)
    sandbox.fail("/accounting-service/payment-method", 503)
    assert client.get("/admin/orders").status_code == 503
    assert post(client, "/admin/orders", **CHECKOUT, on_account="1", quote_placement="order").status_code == 503
    assert on_loop(client, components(client.app).order_defaults.current) == OrderDefaults()
