"""Brightpearl's errors mean what they say on the portal's pages and in its log: an outage is
"try again", rejected credentials are a configuration problem the merchant must fix, a 404 for a
path the portal needs is an error (not "nothing found"), and our own bad request is a bug."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from support import empty_cache, fresh_sandbox, portal_app, switch_to

from portal.brightpearl.errors import BrightpearlNotFound
from portal.sandbox.demo import ALICE_CONTACT_ID

FIXTURES = Path(__file__).parent / "fixtures" / "brightpearl"


def recorded_none_found() -> dict:
    """The recorded 404 for a contact id that does not exist (examples/error-generic.json)."""
    examples = json.loads((FIXTURES / "error-generic.json").read_text())["response"]["examples"]
    return next(e["body"] for e in examples if e["status"] == 404)


def not_found_error(body: dict) -> BrightpearlNotFound:
    return BrightpearlNotFound("404", status=404, errors=body["errors"])


def test_no_such_id_and_an_unknown_path_are_told_apart_by_the_message():
    none = not_found_error(recorded_none_found())
    assert none.none_found and not none.unknown_uri
    unknown = not_found_error({"errors": [{"code": "CMNC-404", "message": "Cannot find the resource /order-service/nope"}]})
    assert unknown.unknown_uri and not unknown.none_found


def alice_order(sandbox) -> int:
    return sandbox.data.orders_for(ALICE_CONTACT_ID, "SO")[0]["id"]


@pytest.mark.anyio
async def test_an_unknown_path_on_a_list_endpoint_is_an_error_not_an_empty_list(settings, sandbox):

    bp = portal_app(settings, sandbox).state["components"].bp
    order_id = alice_order(sandbox)
    sandbox.fail(r"/note$", 404)
    with pytest.raises(BrightpearlNotFound) as caught:
        await bp.orders.notes(order_id)
    assert caught.value.unknown_uri
    sandbox.clear_faults()
    assert isinstance(await bp.orders.notes(order_id), tuple)  # and the path, once served, works
    # "No Contact Found" is what a missing id gets: an empty result, not an error.
    assert await bp.contacts.one(99999999) is None
    await bp.aclose()


def test_a_404_for_the_essential_data_is_a_502_page_with_a_reference_and_a_logged_traceback(alice, sandbox, caplog):
    order_id = alice_order(sandbox)
    empty_cache(alice)
    sandbox.fail(r"^/order-service/order/[0-9,\-]+$", 404)
    with caplog.at_level(logging.ERROR):
        response = alice.get(f"/orders/{order_id}")
    assert response.status_code == 502
    assert "The order system gave an answer we could not use" in response.text
    assert "Reference:" in response.text
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)


def test_our_bad_request_is_a_500_page_with_a_reference_not_an_outage(alice, sandbox, caplog):
    empty_cache(alice)
    sandbox.fail(r"^/order-service/order-search", 400)
    with caplog.at_level(logging.ERROR):
        response = alice.get("/orders")
    assert response.status_code == 500
    assert "Something went wrong" in response.text and "Reference:" in response.text
    assert "not answering" not in response.text
    assert "Retry-After" not in response.headers
    assert any("Unhandled error" in r.getMessage() and r.exc_info for r in caplog.records)


def test_rejected_credentials_say_the_portal_cannot_reach_the_merchants_system(client, sandbox, caplog):
    alice = switch_to(client, "alice@example.com")
    empty_cache(alice)
    sandbox.config.staff_token = "revoked-token"  # the merchant revoked the portal's token
    with caplog.at_level(logging.ERROR):
        response = alice.get("/orders")
    assert response.status_code == 503
    assert "The portal can’t reach the merchant’s system" in response.text
    assert "problem on our side, not yours" in response.text
    assert "Brightpearl is not answering" not in response.text  # it answered: it said no
    assert any("rejects the portal's credentials" in r.getMessage() for r in caplog.records)
    admin = switch_to(client, "admin@example.com")
    assert "portal_brightpearl_credentials_rejected 1.0" in admin.get("/metrics").text
    sandbox.config.staff_token = fresh_sandbox().config.staff_token
    empty_cache(admin)
    assert switch_to(client, "alice@example.com").get("/orders").status_code == 200
    assert "portal_brightpearl_credentials_rejected 0.0" in switch_to(client, "admin@example.com").get("/metrics").text


def test_an_outage_is_a_503_to_try_again(alice, sandbox):
    empty_cache(alice)
    sandbox.fail(r"^/order-service/order-search", 500)
    response = alice.get("/orders")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Please try again in a minute" in response.text
