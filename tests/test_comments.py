"""Comments on orders: a public note in Brightpearl, delivered exactly once through the outbox."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient
from support import BASE_URL, deliver_due, logged_in, make_due, portal_app, switch_to

ALICE = 1001


def alice_order(sandbox) -> int:
    """One of alice's sales orders (the newest)."""
    return max(order["id"] for order in sandbox.data.orders_for(ALICE, "SO"))


def portal_notes(sandbox, order_id: int) -> list[dict]:
    return [n for n in sandbox.data.notes_for(order_id) if "(via portal)" in n["text"]]


def post_comment(client: TestClient, order_id: int, text: str, idem_key: str = "key-1", htmx: bool = False):
    headers = {"HX-Request": "true", "X-CSRFToken": client.cookies["csrftoken"]} if htmx else {}
    return client.post(
        f"/orders/{order_id}/comments",
        data={"text": text, "idem_key": idem_key, "_csrf_token": client.cookies["csrftoken"]},
        headers=headers,
        follow_redirects=False,
    )


def test_comment_becomes_one_public_note_attributed_to_the_customer(alice, sandbox):
    order_id = alice_order(sandbox)
    response = post_comment(alice, order_id, "Can the cushions ship separately?")
    assert response.status_code == 303
    assert response.headers["location"] == f"/orders/{order_id}#comments"
    notes = portal_notes(sandbox, order_id)
    assert len(notes) == 1
    assert notes[0]["isPublic"] is True
    assert notes[0]["text"] == "Alice Harper (via portal): Can the cushions ship separately?"
    page = alice.get(f"/orders/{order_id}").text
    assert "Can the cushions ship separately?" in page
    assert "<strong>Alice Harper</strong>" in page
    assert "Sending…" not in page


def test_htmx_comment_swaps_the_thread_and_a_fresh_form(alice, sandbox):
    order_id = alice_order(sandbox)
    response = post_comment(alice, order_id, "Please deliver before noon.", htmx=True)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Please deliver before noon." in response.text
    assert 'name="idem_key"' in response.text and 'value="key-1"' not in response.text
    assert "></textarea>" in response.text  # the form is empty again


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "Write a comment before sending it."), ("   \n  ", "Write a comment before sending it."),
     ("x" * 2001, "Keep comments to 2,000 characters")],
)
def test_bad_comments_are_refused_beside_the_field_and_nothing_is_stored(alice, sandbox, text, message):
    order_id = alice_order(sandbox)
    response = post_comment(alice, order_id, text)
    assert response.status_code == 400
    assert 'id="comment-error"' in response.text and message in response.text
    assert portal_notes(sandbox, order_id) == []
    assert list(alice.app.state["components"].db.query("select * from outbox")) == []


def test_markup_is_kept_as_text(alice, sandbox):
    order_id = alice_order(sandbox)
    post_comment(alice, order_id, '<img src=x onerror="alert(1)"> <b>bold</b>')
    assert portal_notes(sandbox, order_id)[0]["text"].endswith('<img src=x onerror="alert(1)"> <b>bold</b>')
    page = alice.get(f"/orders/{order_id}").text
    assert "<img src=x" not in page and "<b>bold</b>" not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &lt;b&gt;bold&lt;/b&gt;" in page


def test_another_customers_order_cannot_be_commented(client, sandbox):
    bobs = max(order["id"] for order in sandbox.data.orders_for(1003, "SO"))
    alice = switch_to(client, "alice@example.com")
    response = post_comment(alice, bobs, "hello")
    assert response.status_code == 404
    assert portal_notes(sandbox, bobs) == []
    assert alice.get(f"/orders/{bobs}/comments", headers={"HX-Request": "true"}).status_code == 404


def test_double_submit_makes_one_comment(alice, sandbox):
    order_id = alice_order(sandbox)
    first = post_comment(alice, order_id, "Only once please", idem_key="same")
    second = post_comment(alice, order_id, "Only once please", idem_key="same")
    assert first.status_code == second.status_code == 303
    assert len(portal_notes(sandbox, order_id)) == 1


def test_comment_sent_while_brightpearl_is_down_is_delivered_once_when_it_returns(alice, sandbox):
    order_id = alice_order(sandbox)
    assert alice.get(f"/orders/{order_id}").status_code == 200  # the customer is on the order page
    sandbox.knobs.outage = True
    response = post_comment(alice, order_id, "Sent during the outage", htmx=True)
    assert response.status_code == 200
    assert "Waiting to send" in response.text
    assert 'hx-trigger="every 3s"' in response.text
    assert portal_notes(sandbox, order_id) == []
    sandbox.knobs.outage = False
    make_due(alice.app)
    deliver_due(alice)
    deliver_due(alice)
    assert [n["text"] for n in portal_notes(sandbox, order_id)] == ["Alice Harper (via portal): Sent during the outage"]
    thread = alice.get(f"/orders/{order_id}/comments", headers={"HX-Request": "true"}).text
    assert "Sent during the outage" in thread and "Waiting to send" not in thread
    assert 'hx-trigger="every 3s"' not in thread


def test_a_lost_response_does_not_create_a_second_note(alice, sandbox):
    order_id = alice_order(sandbox)
    sandbox.knobs.lose_responses = 1
    post_comment(alice, order_id, "The answer to this one is lost")
    assert len(portal_notes(sandbox, order_id)) == 1  # Brightpearl committed it
    row = next(iter(alice.app.state["components"].db.query("select * from outbox")))
    assert row["state"] == "pending"  # ... but the portal could not know
    make_due(alice.app)
    deliver_due(alice)
    assert len(portal_notes(sandbox, order_id)) == 1
    row = next(iter(alice.app.state["components"].db.query("select * from outbox")))
    assert row["state"] == "done" and '"adopted": true' in row["result"]


def test_a_restart_in_between_loses_nothing(settings, sandbox):
    order_id = alice_order(sandbox)
    with logged_in(portal_app(settings, sandbox)) as client:
        client.get(f"/orders/{order_id}")
        sandbox.knobs.outage = True
        post_comment(client, order_id, "Survives a restart")
    sandbox.knobs.outage = False
    second = portal_app(settings, sandbox)
    with TestClient(second, base_url=BASE_URL) as client:
        make_due(second)
        deliver_due(client)
        deliver_due(client)
        assert [n["text"] for n in portal_notes(sandbox, order_id)] == ["Alice Harper (via portal): Survives a restart"]


def test_throttled_brightpearl_still_gets_the_comment_once(alice, sandbox):
    order_id = alice_order(sandbox)
    alice.get(f"/orders/{order_id}")  # warm the cache: the post needs no reads
    sandbox.knobs.throttle_limit = len(sandbox.calls)  # the pool is used up
    sandbox.knobs.throttle_window_s = 1.0
    response = post_comment(alice, order_id, "Through the throttle")
    assert response.status_code == 303
    make_due(alice.app)
    deliver_due(alice)
    assert len(portal_notes(sandbox, order_id)) == 1


def test_too_many_comments_in_a_minute_are_refused(alice, sandbox):
    order_id = alice_order(sandbox)
    codes = [post_comment(alice, order_id, f"comment {n}", idem_key=f"k{n}").status_code for n in range(7)]
    assert codes[:6] == [303] * 6 and codes[6] == 400
    assert len(portal_notes(sandbox, order_id)) == 6


def test_order_page_has_a_labelled_comment_form(alice, sandbox):
    page = alice.get(f"/orders/{alice_order(sandbox)}").text
    assert re.search(r'<label for="comment-text">Add a comment</label>', page)
    assert 'name="_csrf_token"' in page
