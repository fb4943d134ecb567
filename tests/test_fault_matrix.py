"""The fault matrix: every Brightpearl endpoint family the customer pages call, failed on its own
with 404, 500 and a timeout. Each page answers 200 with its essential data and a note where a
part is missing, or a clear error page when its essential data failed; never a 500 of ours; and
the pages that do not need the failing endpoint keep working, also after its breaker opened.

The families are not listed by hand: a first pass records which ones each page calls, so a page
that starts calling a new endpoint is in the matrix without anyone adding it.
"""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient
from support import BASE_URL, fresh_sandbox, portal_app, portal_settings, switch_to

from portal.brightpearl.client import resource_name
from portal.core.settings import Settings
from portal.sandbox import Sandbox
from portal.sandbox.demo import ALICE_CONTACT_ID

FAULTS = (404, 500, "timeout")

# What each page cannot be without: when one of these fails the page is an error page (502/503);
# when anything else fails the page is 200 with a note. A dashboard tile is one part of the
# dashboard: on its own URL every endpoint it reads is essential to it, but for the tile of
# shipments, which shows its notes without the delivery method names.
ORDERS = {"order-service/order-search", "order-service/order"}
STATEMENT = {"contact-service/contact", "accounting-service/statement/all-transaction-search"}
ESSENTIAL_EXCEPT = {"/tiles/shipments": {"warehouse-service/shipping-method"}}
ESSENTIAL = {
    "/orders": ORDERS,
    "/orders/{order}": {"order-service/order"},
    "/documents": ORDERS,
    "/documents/{invoice}": {"order-service/order"},
    "/documents/{invoice}.pdf": {"order-service/order"},
    "/statement": STATEMENT,
    "/statement.csv": STATEMENT,
    "/statement.pdf": STATEMENT,
    "/account": {"contact-service/contact"},
    "/addresses": set(),  # the address book says so itself and keeps the form and pending items
}
# Parts a page works out another way when Brightpearl fails them: no note, nothing missing. The
# statement's opening balance is the sum of the account's earlier lines, which it reads anyway.
WORKED_OUT = {page: {"accounting-service/contact/currency/balance"} for page in ("/statement", "/statement.pdf")}
TILES = ("balance", "overdue", "open-orders", "quotes", "latest-orders", "shipments")
PAGES = ("/", *(f"/tiles/{name}" for name in TILES), *ESSENTIAL)

# What pages say in place of what they could not read.
DEGRADED = (
    "can’t be shown right now",  # portal.web.parts
    "Our system is not answering right now",  # the address book
    "We couldn't load this just now",  # a dashboard tile
)
HTML_ERROR_TITLES = {
    502: "The order system gave an answer we could not use",
    503: "Brightpearl is not answering right now",
}


def pick_orders(sandbox: Sandbox) -> dict[str, int]:
    """Alice's order with shipments and comments, and one of her invoiced orders."""
    orders = sandbox.data.orders_for(ALICE_CONTACT_ID, "SO")
    shipped = next(o["id"] for o in orders if sandbox.data.goods_out_for(o["id"]) and sandbox.data.notes_for(o["id"]))
    invoiced = next(
        o["id"] for o in orders if any(i.get("invoiceReference") for i in o.get("invoices") or []) and o["id"] != shipped
    )
    return {"order": shipped, "invoice": invoiced}


def url(page: str, ids: dict[str, int]) -> str:
    return page.format(**ids)


def family_pattern(family: str) -> str:
    """A regular expression for the sandbox paths of one endpoint family (ids and currency
    codes between and after its named segments, as `resource_name` drops them)."""
    ids = r"(?:/(?:[0-9*][0-9,*\-]*|[A-Z]{3}))*"
    return "^/" + (ids + "/").join(re.escape(segment) for segment in family.split("/")) + ids + "/?$"


class Portal:
    """A portal app on its own sandbox, started, with alice logged in."""

    def __init__(self, settings: Settings) -> None:
        self.sandbox = fresh_sandbox()
        self.ids = pick_orders(self.sandbox)
        app = portal_app(settings, self.sandbox)
        components = app.state["components"]
        components.client.backoff_base = 0.0  # retries without waiting: the matrix is large
        self.client_health = components.client.health
        self.http = TestClient(app, base_url=BASE_URL)

    def __enter__(self) -> Portal:
        self.http.__enter__()
        switch_to(self.http, "alice@example.com")
        return self

    def __exit__(self, *exc_info) -> None:
        self.http.__exit__(*exc_info)

    def families_of(self, page: str) -> set[str]:
        """The endpoint families `page` calls with nothing cached."""
        self.http.app.state["components"].cache.clear()
        self.sandbox.reset_calls()
        response = self.http.get(url(page, self.ids))
        assert response.status_code == 200, page
        return {resource_name(path) for _, path, _ in self.sandbox.calls}


@pytest.fixture(scope="module")
def families(tmp_path_factory) -> dict[str, frozenset[str]]:
    """page -> the endpoint families it calls (cold), from one healthy pass."""
    with Portal(portal_settings(tmp_path_factory.mktemp("discovery"))) as portal:
        return {page: frozenset(portal.families_of(page)) for page in PAGES}


def all_families(families: dict[str, frozenset[str]]) -> list[str]:
    return sorted(set().union(*families.values()))


def test_discovery_finds_the_endpoints_the_pages_read(families):
    found = all_families(families)
    # The pages read orders, despatches, contacts, accounting and reference data; a page that
    # stopped calling anything (or a broken discovery) would empty the matrix below.
    for family in ("order-service/order", "order-service/order-search", "order-service/order/note",
                   "warehouse-service/shipping-method", "contact-service/contact",
                   "accounting-service/statement/all-transaction-search"):
        assert family in found
    assert families["/"] == frozenset()  # the dashboard shell itself reads nothing


def check_page(portal: Portal, page: str, family: str, uses: frozenset[str]) -> None:
    response = portal.http.get(url(page, portal.ids))
    status, text = response.status_code, response.text
    where = f"{page} with {family} failing"
    assert status in (200, 502, 503), f"{where}: {status}"
    html = response.headers.get("content-type", "").startswith("text/html")
    if family not in uses:
        assert status == 200, where
        if html:
            assert not any(phrase in text for phrase in DEGRADED), f"{where}: a note for a part that did not fail"
        return
    essential = ESSENTIAL.get(page)
    if essential is None:  # a tile (or the shell): all it reads is essential, less the exceptions
        essential = uses - ESSENTIAL_EXCEPT.get(page, set())
    if status == 200:
        assert family not in essential, f"{where}: answered 200 without its essential data"
        if html and family not in WORKED_OUT.get(page, ()):
            assert any(phrase in text for phrase in DEGRADED), f"{where}: no note for the missing part"
        return
    assert family in essential, f"{where}: an error page for a part that should only degrade"
    if page.startswith("/tiles/"):
        assert "We couldn't load this just now" in text, where
    else:
        assert HTML_ERROR_TITLES[status] in text, where
    assert "Traceback" not in text


def _matrix_cases():
    return [pytest.param(fault, id=str(fault)) for fault in FAULTS]


@pytest.mark.parametrize("fault", _matrix_cases())
def test_each_endpoint_failing_alone_degrades_only_what_needs_it(families, tmp_path, fault, caplog):
    for family in all_families(families):
        data_dir = tmp_path / f"{family.replace('/', '_')}-{fault}"
        data_dir.mkdir()
        with Portal(portal_settings(data_dir)) as portal:
            portal.sandbox.fail(family_pattern(family), fault)
            # Three rounds: enough failed calls to open the family's breaker (5 calls), after
            # which its pages fail fast and every other page must still work.
            for _ in range(3):
                for page in PAGES:
                    check_page(portal, page, family, families[page])
            health = portal.client_health()
            assert health["circuit"] != "open", f"{family} alone was taken for an outage"
            assert "Unhandled error" not in caplog.text, f"{family} {fault}: a 500 of ours"
