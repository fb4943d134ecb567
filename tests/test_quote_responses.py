"""Declining a quote with a reason, or asking for changes on some of its lines, through the app:
the note the merchant reads in Brightpearl, the status change where the admin mapped one, the
answer shown on the quote page, bad input refused with nothing queued, one answer per form, the
same 404 for another customer's quote, and Brightpearl down when the customer answers."""

from __future__ import annotations

import re

import pytest
from support import app_rows, calls_for, components, deliver_due, due_now, on_loop
from test_quotes import quote_ids, section

from portal.brightpearl.models import Order
from portal.core.order_defaults import OrderDefaults
from portal.sandbox.demo import ALICE_CONTACT_ID, BOB_CONTACT_ID

QUOTE_STATUS = 1
CANCELLED = 5
REASON = "We found the chairs cheaper elsewhere & <b>faster</b>."


def open_quote(sandbox, contact_id: int = ALICE_CONTACT_ID) -> dict:
    """The contact's newest quote (one still standing in the demo data)."""
    quotes = [o for o in sandbox.data.orders_for(contact_id, "SO") if o["orderStatus"]["orderStatusId"] == QUOTE_STATUS]
    return max(quotes, key=lambda o: o["placedOn"])


def form_key(html: str, action: str) -> str:
    """The idempotency key the page minted for the form posting to `action`."""
    form = html[html.index(f'action="{action}"'):]
    return re.search(r'name="idem_key" value="([^"]+)"', form).group(1)


def decline(client, order_id: int, reason: str = REASON, key: str | None = None):
    key = key or form_key(client.get(f"/quotes/{order_id}").text, f"/quotes/{order_id}/decline")
    return client.post(f"/quotes/{order_id}/decline",
                       data={"reason": reason, "idem_key": key, "_csrf_token": client.cookies["csrftoken"]},
                       follow_redirects=False)


def ask_changes(client, order_id: int, lines: list[int], text: str = "Twelve chairs, not four.", key: str | None = None):
    key = key or form_key(client.get(f"/quotes/{order_id}").text, f"/quotes/{order_id}/changes")
    return client.post(f"/quotes/{order_id}/changes",
                       data={"line": [str(i) for i in lines], "changes": text, "idem_key": key,
                             "_csrf_token": client.cookies["csrftoken"]},
                       follow_redirects=False)


def responses(client) -> list[dict]:
    return app_rows(client, "select * from outbox where kind = 'quote_response' order by id")


def portal_notes(sandbox, order_id: int) -> list[str]:
    return [n["text"] for n in sandbox.data.notes_for(order_id) if "[portal ref portal-" in n["text"]]


def answer_part(html: str) -> str:
    return section(html, "answer-title")


def test_a_decline_is_a_public_note_with_the_reason_and_the_page_shows_it(alice, sandbox):
    order = open_quote(sandbox)
    sent = decline(alice, order["id"])
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/quotes/{order['id']}?done=declined#answer"
    [note] = [n for n in sandbox.data.notes_for(order["id"]) if "[portal ref portal-" in n["text"]]
    assert note["isPublic"] is True
    assert note["text"].startswith(f"Alice Harper (via portal): Quote {order['id']} declined online.\nReason: {REASON}")
    assert sandbox.data.orders[order["id"]]["orderStatus"]["orderStatusId"] == QUOTE_STATUS  # no status mapped
    page = alice.get(sent.headers["location"]).text
    assert "Thank you for your answer: you declined this quote." in page
    answer = answer_part(page)
    assert "You declined this quote on" in answer and "sent to us" in answer
    assert 'name="reason"' not in answer and 'name="changes"' not in answer  # after a decline, no forms
    [row] = app_rows(alice, "select * from audit where action = 'quote.declined'")
    assert row["target"] == f"order:{order['id']}"
    # A second decline (a new form, say from another tab) is refused and nothing is queued.
    again = alice.post(f"/quotes/{order['id']}/decline",
                       data={"reason": "Again", "idem_key": "another-tab", "_csrf_token": alice.cookies["csrftoken"]})
    assert again.status_code == 400 and "You have declined this quote already." in again.text
    assert len(responses(alice)) == 1


def test_changes_name_the_ticked_lines_and_may_be_asked_again(alice, sandbox):
    order = open_quote(sandbox)
    quote = Order.from_wire(order)
    first, second = quote.rows[0], quote.rows[1]
    sent = ask_changes(alice, order["id"], [first.row_id])
    assert sent.status_code == 303 and sent.headers["location"].endswith("?done=changes#answer")
    [text] = portal_notes(sandbox, order["id"])
    assert text.startswith(f"Alice Harper (via portal): Changes requested online to quote {order['id']}.\nLines to change:\n")
    assert f"- {first.sku} – {first.name} × {first.quantity.normalize():f}" in text
    assert second.name not in text
    assert "What should change:\nTwelve chairs, not four." in text
    page = alice.get(sent.headers["location"]).text
    answer = answer_part(page)
    assert "You asked for changes on" in answer and "sent to us" in answer
    assert 'name="changes"' in answer and 'name="reason"' in answer  # both forms still offered
    assert ask_changes(alice, order["id"], [second.row_id], "And the throws in blue.").status_code == 303
    assert len(portal_notes(sandbox, order["id"])) == 2
    assert answer_part(alice.get(f"/quotes/{order['id']}").text).count("You asked for changes on") == 2
    assert len(app_rows(alice, "select * from audit where action = 'quote.changes_requested'")) == 2


def test_a_mapped_declined_status_moves_the_quote_with_the_note(alice, sandbox):
    order = open_quote(sandbox)
    on_loop(alice, components(alice.app).order_defaults.save, OrderDefaults(quote_declined_status_id=CANCELLED))
    sent = decline(alice, order["id"])
    assert sent.status_code == 303
    assert sandbox.data.orders[order["id"]]["orderStatus"]["orderStatusId"] == CANCELLED
    assert [m for m, p, s in sandbox.calls if m in ("POST", "PUT")] == ["PUT"]
    [text] = portal_notes(sandbox, order["id"])
    assert "Reason: " in text
    # Cancelled, it is no longer a quote: the customer goes to the order it now is.
    assert sent.headers["location"] == f"/orders/{order['id']}"
    assert alice.get(sent.headers["location"]).status_code == 200
    [item] = responses(alice)
    assert f'"status_id": {CANCELLED}' in item["payload"]


def test_a_mapped_changes_status_is_used_for_a_request_for_changes(alice, sandbox):
    order = open_quote(sandbox)
    on_loop(alice, components(alice.app).order_defaults.save,
            OrderDefaults(quote_changes_status_id=19, quote_declined_status_id=CANCELLED))
    row = Order.from_wire(order).rows[0]
    assert ask_changes(alice, order["id"], [row.row_id]).status_code == 303
    assert sandbox.data.orders[order["id"]]["orderStatus"]["orderStatusId"] == 19
    assert len(portal_notes(sandbox, order["id"])) == 1


def test_another_customers_quote_is_the_same_404_as_a_missing_one(alice, sandbox):
    bobs = open_quote(sandbox, BOB_CONTACT_ID)["id"]
    token = alice.cookies["csrftoken"]
    for action, data in (("decline", {"reason": "No"}), ("changes", {"line": "1", "changes": "More"})):
        missing = alice.post(f"/quotes/2147483000/{action}", data={**data, "idem_key": "k", "_csrf_token": token})
        theirs = alice.post(f"/quotes/{bobs}/{action}", data={**data, "idem_key": "k", "_csrf_token": token})
        assert missing.status_code == theirs.status_code == 404
        assert theirs.text.replace(str(bobs), "ID") == missing.text.replace("2147483000", "ID")
    assert responses(alice) == []


@pytest.mark.parametrize(
    ("action", "data", "message", "field"),
    [
        ("decline", {"reason": "   "}, "Tell us why you are declining the quote.", 'id="decline-reason"'),
        ("decline", {"reason": "x" * 1001}, "Keep the reason to 1,000 characters (it has 1,001).", 'id="decline-reason"'),
        ("changes", {"changes": "More chairs"}, "Tick the lines you want us to change.", 'aria-describedby="changes-lines-error"'),
        ("changes", {"line": "LINE", "changes": ""}, "Tell us what should change.", 'id="changes-text"'),
        ("changes", {"line": "LINE", "changes": "y" * 2001}, "Keep it to 2,000 characters (it has 2,001).", 'id="changes-text"'),
        ("changes", {"line": "999999", "changes": "More"}, "Tick the lines you want us to change.", 'aria-describedby="changes-lines-error"'),
    ],
)
def test_bad_input_is_400_with_the_error_beside_the_field_and_nothing_queued(alice, sandbox, action, data, message, field):
    order = open_quote(sandbox)
    row_id = str(Order.from_wire(order).rows[0].row_id)
    data = {k: row_id if v == "LINE" else v for k, v in data.items()}
    sandbox.reset_calls()
    bad = alice.post(f"/quotes/{order['id']}/{action}",
                     data={**data, "idem_key": "bad-1", "_csrf_token": alice.cookies["csrftoken"]})
    assert bad.status_code == 400
    answer = answer_part(bad.text)
    assert message in answer and field in answer
    assert f'id="{action if action == "changes" else "decline"}" open' in answer  # the refused form is open
    assert 'value="bad-1"' in answer  # the same key: the corrected form is still one answer
    assert responses(alice) == [] and portal_notes(sandbox, order["id"]) == []
    assert app_rows(alice, "select * from audit where action like 'quote.%'") == []


def test_an_expired_quote_cannot_be_declined(alice, sandbox):
    expired = quote_ids(section(alice.get("/quotes").text, "expired-title"))[0]
    page = alice.get(f"/quotes/{expired}").text
    assert 'id="answer"' not in page and "Decline this quote" not in page
    refused = decline(alice, expired, key="expired-1")
    assert refused.status_code == 400
    assert "ask us for a new one instead" in refused.text and 'role="alert"' in refused.text
    assert responses(alice) == []


def test_a_double_submit_with_one_key_is_one_answer(alice, sandbox):
    order = open_quote(sandbox)
    key = form_key(alice.get(f"/quotes/{order['id']}").text, f"/quotes/{order['id']}/decline")
    assert decline(alice, order["id"], key=key).status_code == 303
    assert decline(alice, order["id"], key=key).status_code == 303  # the same form again: the same answer
    assert len(responses(alice)) == 1 and len(portal_notes(sandbox, order["id"])) == 1
    assert len(app_rows(alice, "select * from audit where action = 'quote.declined'")) == 1


def test_brightpearl_down_at_submit_is_on_its_way_then_delivered_once(alice, sandbox):
    order = open_quote(sandbox)
    alice.get(f"/quotes/{order['id']}")  # the quote and the statuses are cached, as after reading it
    sandbox.knobs.outage = True
    sent = decline(alice, order["id"])
    assert sent.status_code == 303
    page = alice.get(sent.headers["location"])
    assert page.status_code == 200
    answer = answer_part(page.text)
    assert "You declined this quote on" in answer and "on its way" in answer
    assert portal_notes(sandbox, order["id"]) == []
    sandbox.knobs.outage = False
    for _ in range(3):
        due_now(alice)
        deliver_due(alice)
    [item] = responses(alice)
    assert item["state"] == "done"
    assert len(portal_notes(sandbox, order["id"])) == 1
    assert "sent to us" in answer_part(alice.get(f"/quotes/{order['id']}").text)


def test_a_refused_delivery_says_it_could_not_be_sent(alice, sandbox):
    order = open_quote(sandbox)
    on_loop(alice, components(alice.app).order_defaults.save, OrderDefaults(quote_declined_status_id=CANCELLED))
    alice.get(f"/quotes/{order['id']}")
    # The merchant approves the quote meanwhile, behind the portal's cached copy.
    sandbox.data.orders[order["id"]]["orderStatus"]["orderStatusId"] = 19
    sent = decline(alice, order["id"])
    assert sent.headers["location"].endswith("?done=declined#answer")
    [item] = responses(alice)
    assert item["state"] == "failed"
    assert "could not be sent — we are looking into it" in answer_part(alice.get(sent.headers["location"]).text)


def test_at_most_ten_answers_an_hour_per_login(alice, sandbox):
    order = open_quote(sandbox)
    row_id = Order.from_wire(order).rows[0].row_id
    for n in range(10):
        assert ask_changes(alice, order["id"], [row_id], f"Change {n}", key=f"hour-{n}").status_code == 303
    refused = ask_changes(alice, order["id"], [row_id], "One more", key="hour-10")
    assert refused.status_code == 400 and "You have answered 10 quotes in the last hour" in refused.text
    assert len(responses(alice)) == 10


def test_the_quote_page_makes_no_more_brightpearl_calls(alice, sandbox):
    order = open_quote(sandbox)
    row_id = Order.from_wire(order).rows[0].row_id
    assert ask_changes(alice, order["id"], [row_id]).status_code == 303
    cold = calls_for(alice, sandbox, f"/quotes/{order['id']}", cold=True)
    warm = calls_for(alice, sandbox, f"/quotes/{order['id']}")
    assert len(cold) <= 2 and warm == []
