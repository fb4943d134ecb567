"""The rules behind the customer's status labels (portal.domain.status_labels) and their store
(portal.core.status_map): the defaults read well for the demo account's statuses, saved rules
win, hidden statuses never show their own label, and bad admin input is refused whole."""

from __future__ import annotations

import pytest

from portal.brightpearl.models import Order, OrderSearchRow, OrderStatus
from portal.core.db import open_database
from portal.core.site_settings import SiteSettings
from portal.core.status_map import KEY, StatusMap
from portal.domain.status_labels import AUTO, MAX_LABEL, StatusLabels, parse_rules, stored_form
from portal.sandbox import reference as ref

# The sandbox's statuses as the portal reads them from Brightpearl's status list.
STATUSES = {s.id: OrderStatus.from_wire(s.wire()) for s in ref.ORDER_STATUSES}
BY_NAME = {s.name: s.id for s in ref.ORDER_STATUSES}


def order(name: str, shipping: str = "SNS", type_code: str = "SO") -> Order:
    return Order(id=1, status_id=BY_NAME.get(name, 999), status_name=name, shipping_status_code=shipping,
                 order_type_code=type_code)


@pytest.mark.parametrize(
    ("name", "shipping", "type_code", "label", "state"),
    [
        ("Draft / Quote", "SNS", "SO", "Quote", "quote"),
        ("Quote approved", "SNS", "SO", "Order received", "received"),
        ("New web order", "SNS", "SO", "Order received", "received"),
        ("New phone order", "SNS", "SO", "Order received", "received"),
        ("New phone order", "SPS", "SO", "Being prepared", "progress"),
        ("New web order", "ASS", "SO", "Shipped", "shipped"),
        ("Invoiced", "ASS", "SO", "Completed", "done"),
        ("Invoiced", "NST", "SO", "Completed", "done"),  # nothing to ship
        ("Invoiced", "SNS", "SO", "Order received", "received"),  # invoiced, goods still to come
        ("Invoiced", "SPS", "SO", "Being prepared", "progress"),
        ("Cancelled", "SNS", "SO", "Cancelled", "cancelled"),
        ("Sales credit", "NST", "SC", "Credit in progress", "received"),
        ("Sales credit complete", "NST", "SC", "Credit completed", "done"),
        ("Pending PO", "SNS", "PO", "Draft", "quote"),
        ("Placed with supplier", "SNS", "PO", "Order placed", "received"),
        ("Products received", "ASS", "PO", "Delivered", "shipped"),
        ("Invoice received", "ASS", "PO", "Completed", "done"),
    ],
)
def test_the_defaults_read_well_for_the_demo_statuses(name, shipping, type_code, label, state):
    labels = StatusLabels(STATUSES, {})
    shown = labels.for_order(order(name, shipping, type_code))
    assert (shown.label, shown.state) == (label, state)
    assert name not in shown.label or name in ("Cancelled",)  # never Brightpearl's workflow name


def test_visible_by_default_follows_brightpearls_flag():
    rules = StatusLabels(STATUSES, {}).rules
    assert rules[BY_NAME["New web order"]].visible and not rules[BY_NAME["New phone order"]].visible
    assert not rules[BY_NAME["Pending PO"]].visible and rules[BY_NAME["Placed with supplier"]].visible
    assert all(rule.is_default for rule in rules.values())


def test_a_saved_label_and_state_win_and_a_hidden_status_shows_its_states_label():
    phone, web = BY_NAME["New phone order"], BY_NAME["New web order"]
    saved = {web: {"label": "Order confirmed", "state": AUTO, "visible": True},
             phone: {"label": "Phoned in", "state": "progress", "visible": False}}
    labels = StatusLabels(STATUSES, saved)
    assert labels.for_order(order("New web order")).label == "Order confirmed"
    assert labels.for_order(order("New web order", "ASS")) .state == "shipped"
    # Hidden: the custom label is not shown, the state's is; the saved state still counts.
    shown = labels.for_order(order("New phone order"))
    assert (shown.label, shown.state) == ("Being prepared", "progress")


def test_without_the_status_list_saved_rules_and_the_orders_own_name_decide():
    saved = {4: {"label": "Paid", "state": "done", "visible": True}}
    labels = StatusLabels({}, saved)
    assert labels.for_order(order("Invoiced")).label == "Paid"
    assert labels.for_order(order("Draft / Quote")).label == "Quote"
    assert labels.for_order(Order(id=2, status_id=77, status_name="Our own status")).label == "Order received"


def test_search_rows_use_the_shipping_status_id():
    labels = StatusLabels(STATUSES, {})
    row = OrderSearchRow(order_id=1, status_id=BY_NAME["New web order"], shipping_status_id=4)
    assert labels.for_row(row).label == "Shipped"
    assert labels.for_row(OrderSearchRow(order_id=1, status_id=BY_NAME["New web order"], shipping_status_id=3)).label == "Being prepared"


def test_the_form_is_parsed_and_only_changes_are_kept():
    labels = StatusLabels(STATUSES, {})
    web, phone = BY_NAME["New web order"], BY_NAME["New phone order"]
    form = {f"state-{web}": AUTO, f"label-{web}": "  Order   confirmed ", f"visible-{web}": "1",
            f"state-{phone}": "auto", f"label-{phone}": "",  # unchanged (hidden, no label)
            "state-424242": "done", "label-424242": "ghost"}  # not a status of the account: ignored
    parsed = parse_rules(labels, form)
    assert not parsed.errors and parsed.changed == (web,)
    assert parsed.rules[web].label == "Order confirmed"
    assert stored_form(parsed.rules) == {"sales": {str(web): {"label": "Order confirmed", "state": AUTO, "visible": True}},
                                         "purchase": {}}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("label", "x" * (MAX_LABEL + 1), "at most 40 characters"), ("state", "purple", "Choose a state")],
)
def test_bad_input_is_refused_with_a_message(field, value, message):
    labels = StatusLabels(STATUSES, {})
    web = BY_NAME["New web order"]
    form = {f"state-{web}": AUTO, f"label-{web}": "Fine", **{f"{field}-{web}": value}}
    parsed = parse_rules(labels, form)
    assert message in parsed.errors[f"{field}-{web}"]


def test_the_store_caches_until_saved(tmp_path):
    db = open_database(tmp_path / "p.db")
    settings = SiteSettings(db)
    store = StatusMap(settings)
    assert store.saved() == {}
    first = store.derived(STATUSES, StatusLabels)
    assert store.derived(STATUSES, StatusLabels) is first  # no rebuild, no read
    db.execute("insert into settings (key, value, updated_at) values (?, ?, '')",
               [KEY, '{"sales": {"4": {"label": "Paid", "state": "done", "visible": true}}}'])
    assert store.saved() == {}  # the in-memory copy: one process owns the database
    store.save({"sales": {"4": {"label": "Paid", "state": "done", "visible": True}}, "purchase": {}})
    assert store.saved()[4]["label"] == "Paid"
    assert store.derived(STATUSES, StatusLabels) is not first
    assert store.derived(STATUSES, StatusLabels).for_order(order("Invoiced")).label == "Paid"
    store.reset()
    assert store.saved() == {} and settings.get(KEY) is None
