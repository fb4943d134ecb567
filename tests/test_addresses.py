"""Delivery addresses: the contact's addresses from Brightpearl, and adding one through the
outbox, exactly once, whatever Brightpearl does meanwhile."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from litestar.testing import TestClient
from support import calls_for, deliver_due, empty_cache, logged_in, make_due, portal_app, switch_to

from portal.brightpearl.models import Contact, PostalAddress
from portal.sandbox import DEMO_PASSWORD
from portal.security.access import may_see_address

ALICE, TOM, BOB = 1001, 1002, 1003
NEW = {
    "line1": "Dock 7, Canal Wharf",
    "line2": "Holbeck",
    "town": "Leeds",
    "county": "West Yorkshire",
    "postcode": "ls11 5pz",
}


# --- helpers ---------------------------------------------------------------------------------
def form_of(html: str) -> dict[str, str]:
    """The hidden fields of the add-address form on a page or fragment."""
    return {
        "idem_key": re.search(r'name="idem_key" value="([^"]+)"', html).group(1),
        "known_max_id": re.search(r'name="known_max_id" value="([^"]*)"', html).group(1),
    }


def post_address(client: TestClient, htmx: bool = False, form: dict | None = None, **fields):
    """Submit the add-address form as shown on the page (fresh hidden fields unless given)."""
    data = {"country": "GBR", **NEW, **(form or form_of(client.get("/addresses").text)), **fields}
    data["_csrf_token"] = client.cookies["csrftoken"]
    headers = {"HX-Request": "true", "X-CSRFToken": client.cookies["csrftoken"]} if htmx else {}
    return client.post("/addresses", data=data, headers=headers, follow_redirects=False)


def with_line1(sandbox, line1: str) -> list[dict]:
    """Every address in the sandbox (linked or not) whose first line is `line1`."""
    return [a for a in sandbox.data.addresses.values() if a["addressLine1"] == line1]


def outbox_rows(app) -> list[dict]:
    return list(app.state["components"].db.query("select * from outbox where kind = 'postal_address' order by id"))


def card(page: str, key: str) -> str:
    """The list entry with this id (e.g. "address-5001"), up to the next entry."""
    for chunk in page.split('<li class="address-card')[1:]:
        if f'id="{key}"' in chunk.split(">", 1)[0]:
            return chunk.split("</section>", 1)[0]
    raise AssertionError(f"no card {key}")


def writes(sandbox) -> list[tuple[str, str, int]]:
    return [call for call in sandbox.calls if call[0] != "GET"]


class Rewriting(httpx.AsyncBaseTransport):
    """The sandbox behind a filter: `request(httpx.Request)` may change what is asked and
    `body(path, json)` what comes back, to play a real account or a misbehaving upstream."""

    def __init__(self, sandbox, request=None, body=None) -> None:
        self.inner = sandbox.transport()
        self.request = request
        self.body = body

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.request:
            request = self.request(request)
        response = await self.inner.handle_async_request(request)
        if self.body is None:
            return response
        data = json.loads(await response.aread() or b"null")
        data = self.body(request.url.path, data)
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return httpx.Response(response.status_code, headers=headers, content=json.dumps(data).encode())


# --- the list ----------------------------------------------------------------------------------
def test_lists_every_address_of_the_contact_with_its_roles(alice, sandbox):
    response = alice.get("/addresses")
    assert response.status_code == 200
    page = response.text
    for address in sandbox.data.addresses_for(ALICE):
        assert address["addressLine1"] in page
    assert page.count('class="address-card ') == len(sandbox.data.addresses_for(ALICE)) == 5
    main = card(page, "address-5001")
    assert "Main address" in main and "Billing" in main and "Default delivery" not in main
    delivery = card(page, "address-5002")
    assert "Default delivery" in delivery and "Main address" not in delivery
    other = card(page, "address-5004")
    assert 'class="role"' not in other
    assert "United Kingdom" in main and "LS10 1AB" in main


def test_says_addresses_cannot_be_changed_here_and_offers_no_such_buttons(alice):
    page = alice.get("/addresses").text
    assert "cannot be changed or removed from this portal" in page
    assert "contact us" in page
    for word in ("Edit", "Delete", "Remove address", "hx-delete", "hx-put"):
        assert word not in page


def test_another_contacts_addresses_never_appear(alice, sandbox):
    bobs = [a["addressLine1"] for a in sandbox.data.addresses_for(BOB)]
    page = alice.get("/addresses").text
    assert bobs and not any(line in page for line in bobs)
    bob_page = switch_to(alice, "bob@example.com").get("/addresses").text
    assert all(line in bob_page for line in bobs)
    assert not any(a["addressLine1"] in bob_page for a in sandbox.data.addresses_for(ALICE))


def test_a_secondary_contact_sees_the_company_address_it_inherits_but_not_its_colleagues_others(client, sandbox):
    svc = client.app.state["components"]
    svc.users.ensure(email="tom@example.com", password_hash=svc.passwords.hash_sync(DEMO_PASSWORD), role="customer",
                     contact_id=TOM, name="Tom Lowe")
    page = switch_to(client, "tom@example.com").get("/addresses").text
    company = card(page, "address-5001")
    assert "Main address" in company and "Your company's address" in company
    assert 'id="address-5006"' in page and "Default delivery" in page
    for address in sandbox.data.addresses_for(ALICE):
        if address["addressId"] != 5001:
            assert address["addressLine1"] not in page


def test_an_address_of_another_contact_slipped_into_the_answer_is_not_shown(settings, sandbox):
    bobs = sandbox.data.addresses_for(BOB)[0]

    def add_bobs(path: str, data):
        if path.endswith(f"/contact/{ALICE}") and isinstance(data, dict):
            for contact in data.get("response", []):
                contact.setdefault("postalAddresses", {})[str(bobs["addressId"])] = bobs
        return data

    with logged_in(portal_app(settings, sandbox, transport=Rewriting(sandbox, body=add_bobs))) as client:
        page = client.get("/addresses").text
        assert 'id="address-5001"' in page
        assert bobs["addressLine1"] not in page


def test_address_text_from_brightpearl_is_shown_as_text(alice, sandbox):
    sandbox.data.addresses[5003]["addressLine2"] = '<img src=x onerror="alert(1)">'
    page = alice.get("/addresses").text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=" in page


def test_a_real_account_that_ignores_include_optional_still_shows_the_defaults(settings, sandbox):
    def strip_optional(request: httpx.Request) -> httpx.Request:
        url = request.url.copy_remove_param("includeOptional")
        return httpx.Request(request.method, url, headers=request.headers, content=request.content)

    with logged_in(portal_app(settings, sandbox, transport=Rewriting(sandbox, request=strip_optional))) as client:
        empty_cache(client)
        sandbox.reset_calls()
        page = client.get("/addresses").text
        assert len(sandbox.calls) == 2  # the contact, then its DEF/BIL/DEL addresses
        assert 'id="address-5001"' in page and 'id="address-5002"' in page
        assert 'id="address-5004"' not in page
        assert "We may hold other addresses for you" in page
        sandbox.reset_calls()
        client.get("/addresses")
        assert sandbox.calls == []
        # An address the portal added (not a default) is still listed after it is delivered.
        assert post_address(client, line1="Portal-added unit").status_code == 303
        page = client.get("/addresses").text
        assert "Portal-added unit" in page and "Sending to our system" not in page


def test_brightpearl_call_counts_cold_and_warm(alice, sandbox):
    cold = calls_for(alice, sandbox, "/addresses", cold=True)
    warm = calls_for(alice, sandbox, "/addresses")
    assert cold == [("GET", f"/contact-service/contact/{ALICE}", 200)]
    assert warm == []


def test_only_customers_may_open_the_page(client):
    assert client.get("/addresses", follow_redirects=False).status_code in (302, 303)
    for email in ("sam@example.com", "admin@example.com"):
        other = switch_to(client, email)
        assert other.get("/addresses").status_code == 403
        assert post_address(other, form={"idem_key": "k" * 16, "known_max_id": "0"}).status_code == 403


# --- adding ------------------------------------------------------------------------------------
def test_adding_an_address_puts_it_into_brightpearl_and_the_list(alice, sandbox):
    response = post_address(alice)
    assert response.status_code == 303
    assert response.headers["location"] == "/addresses"
    added = with_line1(sandbox, NEW["line1"])
    assert len(added) == 1
    address = added[0]
    assert address["contactId"] == ALICE
    lines = (address["addressLine2"], address["addressLine3"], address["addressLine4"])
    assert lines == ("Holbeck", "Leeds", "West Yorkshire")
    assert address["postalCode"] == "LS11 5PZ" and address["countryIsoCode"] == "GBR"
    assert sandbox.data.contacts[ALICE]["postAddressIds"]["DEL"] == 5002  # not asked to be the default
    page = alice.get("/addresses").text
    entry = card(page, f"address-{address['addressId']}")
    assert NEW["line1"] in entry and 'class="role"' not in entry and "Sending" not in entry
    audit = list(alice.app.state["components"].db.query("select * from audit where action = 'address.add'"))
    assert len(audit) == 1 and audit[0]["target"] == f"contact:{ALICE}"


def test_make_default_delivery_address(alice, sandbox):
    assert post_address(alice, default_delivery="1").status_code == 303
    address_id = with_line1(sandbox, NEW["line1"])[0]["addressId"]
    assert sandbox.data.contacts[ALICE]["postAddressIds"]["DEL"] == address_id
    assert sandbox.data.contacts[ALICE]["postAddressIds"]["DEF"] == 5001
    assert "Default delivery" in card(alice.get("/addresses").text, f"address-{address_id}")


def test_htmx_swaps_the_list_and_a_fresh_form(alice, sandbox):
    page = alice.get("/addresses").text
    sent = form_of(page)
    response = post_address(alice, htmx=True, form=sent)
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="address-book"' in response.text
    assert "Address added." in response.text and NEW["line1"] in response.text
    fresh = form_of(response.text)
    assert fresh["idem_key"] != sent["idem_key"]
    assert int(fresh["known_max_id"]) == with_line1(sandbox, NEW["line1"])[0]["addressId"]
    assert f'value="{NEW["line1"]}"' not in response.text  # the form is empty again


def test_the_form_defaults_to_the_contacts_own_country(alice, sandbox):
    page = alice.get("/addresses").text
    assert re.search(r'<option value="GBR" selected>United Kingdom</option>', page)
    assert page.count("<option ") >= 249
    sandbox.data.addresses[5001].update(countryIsoCode="IRL", countryIsoCode2="IE", countryId=103)
    empty_cache(alice)
    assert re.search(r'<option value="IRL" selected>Ireland</option>', alice.get("/addresses").text)


def test_a_contact_id_in_the_form_is_ignored(alice, sandbox):
    bob_before = [a["addressId"] for a in sandbox.data.addresses_for(BOB)]
    response = post_address(alice, contact_id=str(BOB), contactId=str(BOB), default_delivery="1")
    assert response.status_code == 303
    assert with_line1(sandbox, NEW["line1"])[0]["contactId"] == ALICE
    assert [a["addressId"] for a in sandbox.data.addresses_for(BOB)] == bob_before
    assert sandbox.data.contacts[BOB]["postAddressIds"]["DEL"] == 5008
    row = outbox_rows(alice.app)[0]
    assert row["contact_id"] == ALICE and "contact" not in json.loads(row["payload"])["address"]


def test_a_double_submit_adds_one_address(alice, sandbox):
    sent = form_of(alice.get("/addresses").text)
    first = post_address(alice, form=sent)
    second = post_address(alice, form=sent)
    third = post_address(alice, htmx=True, form=sent)
    assert first.status_code == second.status_code == 303 and third.status_code == 200
    assert len(with_line1(sandbox, NEW["line1"])) == 1
    assert len(outbox_rows(alice.app)) == 1


def test_the_same_form_sent_with_other_details_is_refused(alice, sandbox):
    sent = form_of(alice.get("/addresses").text)
    assert post_address(alice, form=sent).status_code == 303
    response = post_address(alice, form=sent, line1="Somewhere else entirely")
    assert response.status_code == 409
    assert "already sent with other details" in response.text
    assert with_line1(sandbox, "Somewhere else entirely") == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("line1", "", "Enter the first line of the address."),
        ("line1", "   ", "Enter the first line of the address."),
        ("line1", "--", "Enter the first line of the address."),
        ("line1", "x" * 101, "Use at most 100 characters (this has 101)."),
        ("line2", "y" * 101, "Use at most 100 characters"),
        ("town", "", "Enter the town or city."),
        ("town", "t" * 61, "Use at most 60 characters"),
        ("county", "c" * 61, "Use at most 60 characters"),
        ("postcode", "", "Enter the postcode."),
        ("postcode", "LS1 1AA 1234567890", "Use at most 16 characters"),
        ("postcode", "LS1 <1>", "Use only letters, numbers, spaces and hyphens."),
        ("line1", "1 Main St\nDROP", "Remove line breaks, tabs and other control characters."),
        ("line2", "tab\there", "Remove line breaks"),
        ("town", "Leeds\x00", "Remove line breaks"),
        ("county", "\u202eevil", "Remove line breaks"),
        ("country", "XXX", "Choose a country from the list."),
        ("country", "GB", "Choose a country from the list."),
        ("country", "", "Choose a country from the list."),
        ("country", "United Kingdom", "Choose a country from the list."),
    ],
)
def test_bad_input_is_reported_beside_the_field_and_nothing_is_stored(alice, sandbox, field, value, message):
    before = len(sandbox.data.addresses)
    sandbox.reset_calls()
    response = post_address(alice, **{field: value})
    assert response.status_code == 400
    assert "Traceback" not in response.text
    error = re.search(rf'<p class="field-error" id="address-{field}-error">([^<]*)</p>', response.text)
    assert error and message in error.group(1)
    assert re.search(rf'id="address-{field}"[^>]*aria-invalid="true"', response.text)
    assert outbox_rows(alice.app) == []
    assert len(sandbox.data.addresses) == before and writes(sandbox) == []


def test_htmx_bad_input_swaps_the_form_with_errors_and_keeps_what_was_typed(alice):
    response = post_address(alice, htmx=True, town="")
    assert response.status_code == 400
    assert "<html" not in response.text and 'id="address-book"' in response.text
    assert "Enter the town or city." in response.text
    assert f'value="{NEW["line1"]}"' in response.text
    assert re.search(r'id="address-town"[^>]*autofocus', response.text)


def test_an_unknown_country_asks_for_a_choice_instead_of_guessing_one(alice):
    response = post_address(alice, country="XXX")
    assert response.status_code == 400
    assert '<option value="" selected>Choose a country…</option>' in response.text
    assert " selected>" not in response.text.split("Choose a country…", 1)[1]


def test_longest_allowed_values_are_accepted(alice, sandbox):
    line1 = "L" * 100
    assert post_address(alice, line1=line1, town="T" * 60, county="C" * 60, postcode="P" * 16).status_code == 303
    assert len(with_line1(sandbox, line1)) == 1


def test_spaces_are_trimmed_and_collapsed(alice, sandbox):
    assert post_address(alice, line1="  12   High   Street ", town=" York ").status_code == 303
    address = with_line1(sandbox, "12 High Street")
    assert len(address) == 1 and address[0]["addressLine3"] == "York"


def test_markup_is_kept_as_text(alice, sandbox):
    markup = '<script>alert("x")</script> Unit 3'
    response = post_address(alice, line1=markup)
    assert response.status_code == 303
    assert with_line1(sandbox, markup)  # stored as typed
    page = alice.get("/addresses").text
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    echoed = post_address(alice, line1=markup, town="")
    assert echoed.status_code == 400 and "<script>alert" not in echoed.text


def test_a_missing_or_forged_form_key_is_refused(alice, sandbox):
    for key in ("", "short", "x" * 65, "bad key with spaces!"):
        response = post_address(alice, form={"idem_key": key, "known_max_id": "0"})
        assert response.status_code == 400
        assert "This form had expired" in response.text
    assert outbox_rows(alice.app) == [] and with_line1(sandbox, NEW["line1"]) == []


def test_too_many_new_addresses_in_an_hour_are_refused(alice, sandbox):
    codes = [post_address(alice, line1=f"{n} Repeat Row").status_code for n in range(11)]
    assert codes[:10] == [303] * 10 and codes[10] == 429
    assert with_line1(sandbox, "10 Repeat Row") == []


# --- faults ------------------------------------------------------------------------------------
def test_added_while_brightpearl_is_down_then_delivered_once_when_it_returns(alice, sandbox):
    sent = form_of(alice.get("/addresses").text)  # the customer is on the page (cache warm)
    sandbox.knobs.outage = True
    response = post_address(alice, htmx=True, form=sent)
    assert response.status_code == 200
    assert "It is on its way to our system" in response.text
    assert "Waiting — our system is busy, we'll keep trying" in response.text
    assert 'hx-trigger="every 15s"' in response.text
    assert with_line1(sandbox, NEW["line1"]) == []
    sandbox.knobs.outage = False
    make_due(alice.app)
    deliver_due(alice)
    deliver_due(alice)
    added = with_line1(sandbox, NEW["line1"])
    assert len(added) == 1 and added[0]["contactId"] == ALICE
    page = alice.get("/addresses").text
    assert NEW["line1"] in page and "Waiting" not in page and "hx-trigger" not in page


def test_without_javascript_and_nothing_cached_the_page_still_shows_what_was_sent(alice, sandbox):
    sent = form_of(alice.get("/addresses").text)
    empty_cache(alice)
    sandbox.knobs.outage = True
    response = post_address(alice, form=sent)
    assert response.status_code == 303
    page = alice.get("/addresses")
    assert page.status_code == 200
    assert "Our system is not answering right now" in page.text
    assert NEW["line1"] in card(page.text, f"pending-{outbox_rows(alice.app)[0]['id']}")
    assert "Waiting — our system is busy" in page.text
    assert 'name="idem_key"' in page.text  # more can be added meanwhile


def test_a_lost_response_after_brightpearl_created_the_address_adds_it_once(alice, sandbox):
    sandbox.knobs.lose_responses = 1
    assert post_address(alice).status_code == 303
    assert len(with_line1(sandbox, NEW["line1"])) == 1  # Brightpearl committed it, unlinked
    assert [a for a in sandbox.data.addresses_for(ALICE) if a["addressLine1"] == NEW["line1"]] == []
    row = outbox_rows(alice.app)[0]
    assert row["state"] == "pending" and json.loads(row["result"]) == {}
    assert "Waiting — our system is busy" in alice.get("/addresses").text
    make_due(alice.app)
    deliver_due(alice)
    assert len(with_line1(sandbox, NEW["line1"])) == 1
    mine = [a for a in sandbox.data.addresses_for(ALICE) if a["addressLine1"] == NEW["line1"]]
    assert len(mine) == 1
    row = outbox_rows(alice.app)[0]
    assert row["state"] == "done"
    assert json.loads(row["result"]) == {"address_id": mine[0]["addressId"], "adopted": True}
    page = alice.get("/addresses").text
    assert page.count(NEW["line1"]) == 1 and "Waiting" not in page


def test_both_answers_lost_still_one_address(alice, sandbox):
    sandbox.knobs.lose_responses = 2
    post_address(alice, default_delivery="1")
    make_due(alice.app)
    deliver_due(alice)  # finds the address, links it; that answer is lost too
    make_due(alice.app)
    deliver_due(alice)  # links it again (harmless) and is done
    added = with_line1(sandbox, NEW["line1"])
    assert len(added) == 1 and added[0]["contactId"] == ALICE
    assert sandbox.data.contacts[ALICE]["postAddressIds"]["DEL"] == added[0]["addressId"]
    assert outbox_rows(alice.app)[0]["state"] == "done"


def test_the_retry_adopts_its_own_address_not_a_look_alike(alice, sandbox):
    sandbox.knobs.lose_responses = 1
    post_address(alice)
    ours = with_line1(sandbox, NEW["line1"])[0]["addressId"]
    # Meanwhile: bob gets an identical address, and someone else an unrelated unlinked one.
    wire = {k: v for k, v in sandbox.data.addresses[ours].items() if k not in ("addressId", "contactId")}
    sandbox.data.add_address(dict(wire), contact_id=BOB)
    sandbox.data.add_address({**wire, "addressLine1": "Elsewhere"})
    make_due(alice.app)
    deliver_due(alice)
    assert json.loads(outbox_rows(alice.app)[0]["result"])["address_id"] == ours
    assert sandbox.data.addresses[ours]["contactId"] == ALICE
    assert len(with_line1(sandbox, NEW["line1"])) == 2  # ours and bob's, nothing new


def test_the_retry_looks_past_many_addresses_created_since_the_form_was_shown(alice, sandbox):
    sent = form_of(alice.get("/addresses").text)
    filler = {"addressLine1": "Someone else's", "countryIsoCode": "GBR", "countryIsoCode2": "GB", "countryId": 222}
    for _ in range(300):  # other customers and the merchant keep adding addresses meanwhile
        sandbox.data.add_address(dict(filler), contact_id=BOB)
    sandbox.knobs.lose_responses = 1
    post_address(alice, form=sent)
    ours = with_line1(sandbox, NEW["line1"])[0]["addressId"]
    assert ours > int(sent["known_max_id"]) + 200  # beyond the first range the retry reads
    sandbox.reset_calls()
    make_due(alice.app)
    deliver_due(alice)
    assert [c[0] for c in sandbox.calls] == ["GET", "GET", "PUT"]
    assert json.loads(outbox_rows(alice.app)[0]["result"]) == {"address_id": ours, "adopted": True}
    assert len(with_line1(sandbox, NEW["line1"])) == 1


def test_a_retry_after_an_unsent_attempt_posts_once(alice, sandbox):
    sandbox.knobs.fail_writes = 1  # refused before Brightpearl did anything
    post_address(alice)
    assert with_line1(sandbox, NEW["line1"]) == []
    make_due(alice.app)
    deliver_due(alice)
    assert len(with_line1(sandbox, NEW["line1"])) == 1
    assert "adopted" not in json.loads(outbox_rows(alice.app)[0]["result"])


def test_a_restart_in_between_loses_nothing_and_delivers_once(settings, sandbox):
    with logged_in(portal_app(settings, sandbox)) as client:
        sandbox.knobs.lose_responses = 1  # Brightpearl creates it; the portal never hears back
        post_address(client, line1="Across a restart")
        sandbox.knobs.outage = True  # ... and then goes away
        post_address(client, line1="Sent during the outage")
    sandbox.knobs.outage = False
    second = portal_app(settings, sandbox)
    with logged_in(second) as client:
        page = client.get("/addresses").text
        assert "Across a restart" in page and "Sent during the outage" in page
        make_due(second)
        deliver_due(client)
        deliver_due(client)
        for line in ("Across a restart", "Sent during the outage"):
            found = with_line1(sandbox, line)
            assert len(found) == 1 and found[0]["contactId"] == ALICE
        assert {row["state"] for row in outbox_rows(second)} == {"done"}


def test_an_address_brightpearl_refuses_needs_attention(alice, sandbox):
    # The sandbox knows a handful of countries; Brightpearl would refuse a code it does not know.
    response = post_address(alice, htmx=True, country="SWE", line1="Storgatan 1", town="Stockholm", postcode="111 51")
    assert response.status_code == 200
    assert "did not accept this address" in response.text
    assert "Needs attention — we've been told" in response.text
    assert outbox_rows(alice.app)[0]["state"] == "failed"
    assert with_line1(sandbox, "Storgatan 1") == []


# --- the ownership rule itself -----------------------------------------------------------------
def test_may_see_address_rule():
    from portal.core.users import User

    alice = User(id=1, email="a@example.com", role="customer", contact_id=ALICE, name="")
    contact = Contact(id=ALICE, post_address_ids={"DEF": 10, "DEL": 11})
    assert may_see_address(alice, contact, PostalAddress(id=12, contact_id=ALICE))
    assert may_see_address(alice, contact, PostalAddress(id=10, contact_id=77))  # inherited default
    assert not may_see_address(alice, contact, PostalAddress(id=13, contact_id=BOB))
    assert not may_see_address(alice, contact, PostalAddress(id=13, contact_id=BOB), linked_ids=[13])
    assert not may_see_address(alice, contact, PostalAddress(id=14, contact_id=0))
    assert may_see_address(alice, contact, PostalAddress(id=14, contact_id=0), linked_ids=[14])
    assert not may_see_address(alice, Contact(id=BOB), PostalAddress(id=12, contact_id=BOB))
    assert not may_see_address(alice, None, PostalAddress(id=12, contact_id=ALICE))

