"""The generic outbox queue with a kind that is not a Brightpearl write (as mail will be): what a
handler's outcome does to an item, and the questions pages ask of the queue."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.core.db import open_database
from portal.outbox.queue import Outbox, OutboxConflict, Refused, TryLater

pytestmark = pytest.mark.anyio


class Mailer:
    """A handler that fails as told, then delivers, and records what it was given."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.attempts: list = []
        self.done: list = []

    async def __call__(self, attempt, save) -> dict:
        self.attempts.append(attempt)
        save({"step": len(self.attempts)})
        if self.failures:
            raise self.failures.pop(0)
        return {"message_id": f"<m{attempt.item_id}@portal>"}


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "portal.db")
    database["users"].insert(
        {"id": 1, "email": "a@example.com", "password_hash": "x", "role": "customer", "active": 1,
         "created_at": "2026-01-01", "updated_at": "2026-01-01"}
    )
    yield database
    database.close()


def queue(db, mailer: Mailer) -> Outbox:
    outbox = Outbox(db)
    outbox.register("mail", mailer, on_done=mailer.done.append)
    return outbox


def submit(outbox: Outbox, key: str = "k1", to: str = "a@example.com"):
    return outbox.submit(user_id=1, contact_id=1001, kind="mail", idem_key=key, payload={"to": to})


def due_now(db) -> None:
    db.execute("update outbox set next_attempt_at = '2000-01-01T00:00:00+00:00'")


async def test_delivered_at_once_and_remembered(db):
    mailer = Mailer()
    outbox = queue(db, mailer)
    item = await outbox.deliver_now(submit(outbox))
    assert item.state == "done" and item.progress == "done"
    assert item.result == {"step": 1, "message_id": f"<m{item.id}@portal>"}
    assert [done.id for done in mailer.done] == [item.id]
    assert mailer.attempts[0].retry is False and mailer.attempts[0].payload == {"to": "a@example.com"}
    assert outbox.delivered_results(kind="mail", contact_id=1001) == [item.result]
    assert outbox.open_items(kind="mail", contact_id=1001) == []


async def test_try_later_waits_and_the_next_attempt_is_a_retry(db):
    mailer = Mailer(TryLater("smtp busy"))
    outbox = queue(db, mailer)
    item = await outbox.deliver_now(submit(outbox))
    assert (item.state, item.progress, item.last_error) == ("pending", "waiting", "smtp busy")
    assert [open_item.id for open_item in outbox.open_items(kind="mail", contact_id=1001)] == [item.id]
    assert outbox.pending_count() == 1
    due_now(db)
    assert await outbox.deliver_due() == 1
    assert outbox.get(item.id).state == "done"
    assert [a.retry for a in mailer.attempts] == [False, True]
    assert mailer.attempts[1].result == {"step": 1}  # what the first attempt saved


async def test_refused_needs_attention_until_an_admin_retries(db):
    mailer = Mailer(Refused("no such mailbox"))
    outbox = queue(db, mailer)
    item = await outbox.deliver_now(submit(outbox))
    assert (item.state, item.progress, item.last_error) == ("failed", "failed", "no such mailbox")
    assert [failed.id for failed in outbox.failed_items()] == [item.id]
    assert mailer.done == []
    outbox.retry(item.id)
    assert await outbox.deliver_due() == 1
    assert outbox.get(item.id).state == "done" and outbox.failed_items() == []


async def test_a_bug_in_a_handler_never_loses_the_write(db):
    mailer = Mailer(KeyError("template"))
    outbox = queue(db, mailer)
    item = await outbox.deliver_now(submit(outbox))
    assert item.state == "pending" and "KeyError" in item.last_error


def test_the_same_key_is_one_write_and_other_content_is_refused(db):
    outbox = queue(db, Mailer())
    first = submit(outbox)
    assert submit(outbox).id == first.id
    with pytest.raises(OutboxConflict):
        submit(outbox, to="b@example.com")
    assert outbox.submitted_since(user_id=1, kind="mail", since=timedelta(minutes=1)) == 1
    with pytest.raises(ValueError, match="no handler"):
        outbox.submit(user_id=1, contact_id=1001, kind="fax", idem_key="k2", payload={})


def test_items_are_read_only(db):
    item = submit(queue(db, Mailer()))
    with pytest.raises(TypeError):
        item.payload["to"] = "someone@else.example"  # type: ignore[index]
