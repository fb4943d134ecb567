"""A customer's answer to a quote into Brightpearl exactly once (write kind `quote_response`):
a public note alone, or the note on a status change where the admin mapped one; through the
real outbox, its worker and the sandbox's fault knobs."""

from __future__ import annotations

from support import app_rows, components, on_loop
from test_quote_writes import (
    ALICE,
    QUOTE_STATUS,
    alice_quote,
    alice_user,
    deliver_now,
    portal_notes,
    read_quote,
    retry_until_settled,
    status_of,
    writes,
)

from portal.brightpearl.writes import WRITES
from portal.brightpearl.writes.quote_acceptance import portal_ref
from portal.brightpearl.writes.quote_response import changes_note, decline_note, response_payload

CANCELLED = 5


def answer(client, quote_id: int, key: str, *, status_id: int | None = None, answer: str = "declined"):
    quote = read_quote(client, quote_id)
    user = alice_user(client)
    if answer == "declined":
        note = decline_note(author="Alice Harper", quote_number=str(quote_id), reason="We found it cheaper elsewhere.")
    else:
        note = changes_note(author="Alice Harper", quote_number=str(quote_id), lines=quote.rows[:1],
                            wanted="Twelve, not eight, please.")
    payload = response_payload(
        quote_id=quote_id, answer=answer, note=note, status_id=status_id, seen_status_id=quote.status_id,
        ref=portal_ref(user, key), author="Alice Harper", text="…", line_ids=[r.row_id for r in quote.rows[:1]],
    )
    return user, payload


def submit(client, user: int, payload: dict, key: str):
    outbox = components(client.app).outbox
    return on_loop(client, lambda: outbox.submit(user_id=user, contact_id=ALICE, kind="quote_response",
                                                 idem_key=key, payload=payload, target_id=payload["quote_id"]))


def test_the_kind_is_registered():
    assert "quote_response" in WRITES


def test_without_a_status_the_answer_is_one_public_note(client, sandbox):
    quote_id = alice_quote(sandbox)
    user, payload = answer(client, quote_id, "r-1", answer="changes")
    sandbox.reset_calls()
    done = deliver_now(client, submit(client, user, payload, "r-1"))
    assert done.state == "done", done.last_error
    assert done.result["answer"] == "changes" and done.result["order_id"] == quote_id
    assert [(m, p) for m, p, _ in sandbox.calls] == [
        ("GET", f"/order-service/order/{quote_id}"),
        ("POST", f"/order-service/order/{quote_id}/note"),
    ]
    assert status_of(sandbox, quote_id) == QUOTE_STATUS
    [note] = portal_notes(sandbox, quote_id, payload["ref"])
    assert note["isPublic"] is True
    row = read_quote(client, quote_id).rows[0]
    assert note["text"].startswith(f"Alice Harper (via portal): Changes requested online to quote {quote_id}.")
    assert f"- {row.sku} – {row.name} × {row.quantity.normalize():f}" in note["text"]
    assert "What should change:\nTwelve, not eight, please." in note["text"]


def test_with_a_mapped_status_the_note_rides_on_one_status_change(client, sandbox):
    quote_id = alice_quote(sandbox)
    user, payload = answer(client, quote_id, "r-2", status_id=CANCELLED)
    sandbox.reset_calls()
    done = deliver_now(client, submit(client, user, payload, "r-2"))
    assert done.state == "done" and done.result["status_changed"] is True
    assert writes(sandbox) == [("PUT", f"/order-service/order/{quote_id}/status")]
    assert status_of(sandbox, quote_id) == CANCELLED
    [note] = portal_notes(sandbox, quote_id, payload["ref"])
    assert note["isPublic"] is True and "Reason: We found it cheaper elsewhere." in note["text"]


def test_an_outage_then_recovery_gives_exactly_one_note(client, sandbox):
    quote_id = alice_quote(sandbox)
    user, payload = answer(client, quote_id, "r-3")
    sandbox.knobs.outage = True
    waiting = deliver_now(client, submit(client, user, payload, "r-3"))
    assert waiting.progress == "waiting" and portal_notes(sandbox, quote_id, payload["ref"]) == []
    sandbox.knobs.outage = False
    sandbox.reset_calls()
    done = retry_until_settled(client, waiting.id)
    assert done.state == "done"
    assert writes(sandbox) == [("POST", f"/order-service/order/{quote_id}/note")]
    assert len(portal_notes(sandbox, quote_id, payload["ref"])) == 1


def test_a_lost_answer_to_the_note_is_adopted_not_repeated(client, sandbox):
    quote_id = alice_quote(sandbox)
    user, payload = answer(client, quote_id, "r-4")
    sandbox.knobs.lose_responses = 1
    first = deliver_now(client, submit(client, user, payload, "r-4"))
    assert first.state == "pending" and len(portal_notes(sandbox, quote_id, payload["ref"])) == 1
    sandbox.reset_calls()
    done = retry_until_settled(client, first.id)
    assert done.state == "done" and done.result["adopted"] is True
    assert writes(sandbox) == []
    assert len(portal_notes(sandbox, quote_id, payload["ref"])) == 1


def test_a_lost_answer_to_the_status_change_is_adopted_not_repeated(client, sandbox):
    quote_id = alice_quote(sandbox)
    user, payload = answer(client, quote_id, "r-5", status_id=CANCELLED)
    sandbox.knobs.lose_responses = 1
    first = deliver_now(client, submit(client, user, payload, "r-5"))
    assert first.state == "pending" and status_of(sandbox, quote_id) == CANCELLED
    notes_before = len(sandbox.data.notes_for(quote_id))
    sandbox.reset_calls()
    done = retry_until_settled(client, first.id)
    assert done.state == "done" and done.result["adopted"] is True
    assert writes(sandbox) == []  # no second status change, no second note
    assert len(sandbox.data.notes_for(quote_id)) == notes_before
    assert len(portal_notes(sandbox, quote_id, payload["ref"])) == 1


def test_a_status_change_on_a_quote_the_merchant_moved_on_is_refused(client, sandbox):
    quote_id = alice_quote(sandbox)
    user, payload = answer(client, quote_id, "r-6", status_id=CANCELLED)
    put = components(client.app).client.put
    client.blocking_portal.call(put, f"order-service/order/{quote_id}/status", {"orderStatusId": 19})
    sandbox.reset_calls()
    refused = deliver_now(client, submit(client, user, payload, "r-6"))
    assert refused.state == "failed" and refused.result["outcome"] == "quote_changed"
    assert writes(sandbox) == [] and status_of(sandbox, quote_id) == 19


def test_another_customers_quote_is_refused_as_gone(client, sandbox):
    bobs = min(o["id"] for o in sandbox.data.orders_for(1003, "SO"))
    user, payload = answer(client, bobs, "r-7")
    sandbox.reset_calls()
    refused = deliver_now(client, submit(client, user, payload, "r-7"))
    assert refused.state == "failed" and refused.result["outcome"] == "quote_gone"
    assert writes(sandbox) == []
    assert app_rows(client, "select count(*) as n from outbox where kind = 'quote_response'")[0]["n"] == 1
