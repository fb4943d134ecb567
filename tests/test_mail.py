"""Mail: rendered from mail/ templates, committed to the outbox, sent through a real SMTP
server (aiosmtpd, started by each test) or kept in the local mailbox, retried with the queue's
backoff, visible when it fails; and the settings that say where it goes."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from support import BASE_URL, components, deliver_due, fresh_sandbox, logged_in, portal_app, portal_settings
from support.mail import html_of, links_in, self_signed_tls, smtp_server, text_links, text_of

from portal.cli import main
from portal.core.db import open_database
from portal.core.settings import Settings, SettingsError
from portal.mail import KIND, Mail, SmtpUrl, SmtpUrlError, parse_smtp_url
from portal.mail.message import build_message, message_id, reply_to, sender
from portal.mail.templates import absolute_url
from portal.outbox.queue import Outbox


# --- helpers ---------------------------------------------------------------------------------
def mail_settings(tmp_path, **overrides) -> Settings:
    """The test settings, with the admin signing in by password alone."""
    return portal_settings(tmp_path, admin_two_factor=False, **overrides)


def wait_until(check: Callable[[], object], timeout: float = 10.0):
    """`check()` once it is truthy (AssertionError after `timeout`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out")


def rows(client: TestClient, sql: str, params: tuple = ()) -> list[dict]:
    """The rows `sql` selects, read on the app's loop thread (see on_loop)."""
    return client.blocking_portal.call(lambda: list(components(client.app).db.query(sql, params)))


def item_of(client: TestClient, item_id: int):
    """The outbox item as it is now, read on the app's loop thread."""
    return client.blocking_portal.call(lambda: components(client.app).outbox.get(item_id))


def mail_items(client: TestClient) -> list[dict]:
    return rows(client, "select * from outbox where kind = 'mail' order by id")


def submit_test(client: TestClient, to: str = "bob@example.com", key: str = "k1", **context):
    """Commit mail/test_message to `to`, on the app's loop (where its handlers would)."""
    mail = components(client.app).mail
    return client.blocking_portal.call(
        lambda: mail.submit(to=to, template="test_message", context={"name": "Bob", **context}, key=key)
    )


def on_loop(client: TestClient, sql: str, params: list) -> None:
    """Run `sql` on the app's event loop thread: the app's one SQLite connection is used there,
    and a statement from the test's thread could land inside one of its transactions."""
    client.blocking_portal.call(lambda: components(client.app).db.execute(sql, params))


def due_now(client: TestClient) -> None:
    """Every waiting delivery due now (make_due, on the loop's thread)."""
    on_loop(client, "update outbox set next_attempt_at = '2000-01-01T00:00:00+00:00'", [])


def lost_outcome(client: TestClient, item_id: int) -> None:
    """As if the attempt that delivered `item_id` had lost its outcome: its lease ran out while
    it was being sent, so the queue tries it again."""
    on_loop(client, "update outbox set state = 'sending', lease_until = '2000-01-01T00:00:00+00:00' where id = ?",
            [item_id])


def settled(client: TestClient, item_id: int, *states: str):
    """The item once its state is one of `states`."""
    return wait_until(lambda: (item := item_of(client, item_id)).state in states and item)


# --- settings --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://user:p%40ss%2Fword@mail.example.com:587",
         SmtpUrl("mail.example.com", 587, "user", "p@ss/word", use_tls=False, start_tls=True)),
        ("smtp://user:pw@mail.example.com", SmtpUrl("mail.example.com", 587, "user", "pw", start_tls=True)),
        ("smtp://mail.example.com", SmtpUrl("mail.example.com", 25, start_tls=None)),
        ("smtp://relay.internal:2525", SmtpUrl("relay.internal", 2525, start_tls=None)),
        ("smtp://me%40example.com:pw@relay.internal:2525",
         SmtpUrl("relay.internal", 2525, "me@example.com", "pw", start_tls=None)),
        ("smtps://user:pw@mail.example.com", SmtpUrl("mail.example.com", 465, "user", "pw", use_tls=True, start_tls=False)),
        ("smtps://mail.example.com:2465", SmtpUrl("mail.example.com", 2465, use_tls=True, start_tls=False)),
    ],
)
def test_smtp_urls_say_host_port_credentials_and_tls(url, expected):
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://mail.example.com", "must start with smtp:// or smtps://"),
        ("mail.example.com:587", "must start with smtp:// or smtps://"),
        ("smtp://", "names no host"),
        ("smtp://mail.example.com:port", "the port is not a number"),
        ("smtp://mail.example.com:70000", "PORTAL_SMTP_URL"),
        ("smtp://:secret-pass@mail.example.com", "a password but no user name"),
        ("smtp://mail.example.com/inbox", "takes no path or query"),
        ("smtp://mail.example.com?tls=on", "takes no path or query"),
    ],
)
def test_bad_smtp_urls_are_refused_with_one_line_and_no_password(url, says):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"PORTAL_SMTP_URL": url})
    message = str(refused.value)
    assert says in message
    assert "\n" not in message
    assert "secret-pass" not in message
    with pytest.raises(SmtpUrlError, match="PORTAL_SMTP_URL"):  # what the transport raises itself
        parse_smtp_url(url)


def test_the_password_never_shows_in_a_description():
    url = parse_smtp_url("smtp://user:secret-pass@mail.example.com:587")
    assert url.describe() == "smtp://user@mail.example.com:587"
    assert "secret-pass" not in repr(url)


@pytest.mark.parametrize("var", ["PORTAL_MAIL_FROM", "PORTAL_MAIL_REPLY_TO"])
@pytest.mark.parametrize("value", ["not an address", "a@b.com, c@d.com", "shop@", "Shop <shop@example.com>\r\nBcc: x@y.z"])
def test_mail_addresses_in_the_settings_must_be_addresses(var, value):
    with pytest.raises(SettingsError, match=var):
        Settings.from_env({var: value})


def test_good_mail_settings_are_taken():
    settings = Settings.from_env({
        "PORTAL_SMTP_URL": "smtps://u:p@mail.example.com",
        "PORTAL_MAIL_FROM": "Acme Supplies <orders@acme.example>",
        "PORTAL_MAIL_REPLY_TO": "help@acme.example",
    })
    assert (settings.smtp_url, settings.mail_reply_to) == ("smtps://u:p@mail.example.com", "help@acme.example")


def test_serve_refuses_a_bad_smtp_url_with_one_line(tmp_path):
    result = CliRunner().invoke(
        main, ["serve"], env={"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_SMTP_URL": "http://mail.example.com"}
    )
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines == ["portal: PORTAL_SMTP_URL must start with smtp:// or smtps://, like "
                     "smtp://user:password@mail.example.com:587 or smtps://user:password@mail.example.com:465"]


# --- the message -----------------------------------------------------------------------------
def test_sender_defaults_to_portal_at_the_base_url_host_with_the_site_name():
    settings = Settings(base_url="https://portal.acme.example:8443/shop", site_name="Acme Portal")
    assert sender(settings) == "Acme Portal <portal@portal.acme.example>"
    assert sender(settings.with_(mail_from="orders@acme.example")) == "Acme Portal <orders@acme.example>"
    assert sender(settings.with_(mail_from="Acme <orders@acme.example>")) == "Acme <orders@acme.example>"


def test_reply_to_is_the_setting_else_the_merchant_email_else_none():
    settings = Settings()
    assert reply_to(settings) is None
    assert reply_to(settings.with_(merchant_email="shop@acme.example")) == "shop@acme.example"
    assert reply_to(settings.with_(merchant_email="shop@acme.example", mail_reply_to="help@acme.example")) == "help@acme.example"


def test_a_message_is_multipart_text_and_html_with_its_headers():
    created = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    payload = {"from": "Acme <orders@acme.example>", "to": "bob@example.com", "reply_to": "help@acme.example",
               "subject": "Hello", "text": "Plain words\n", "html": "<p>Rich words</p>\n"}
    message = build_message(payload, item_id=42, created_at=created)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert (message["From"], message["To"], message["Reply-To"]) == (payload["from"], "bob@example.com", "help@acme.example")
    assert message["Subject"] == "Hello"
    assert message["Date"] == "Sun, 01 Mar 2026 09:30:15 +0000"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] == "<portal.20260301093015123456.42@acme.example>"
    # The same item always gets the same Message-ID; another item another one.
    assert build_message(payload, item_id=42, created_at=created)["Message-ID"] == message["Message-ID"]
    assert message_id(43, created, payload["from"]) != message["Message-ID"]
    assert "Reply-To" not in build_message({**payload, "reply_to": None}, item_id=42, created_at=created)


def test_rendering_brands_the_message_and_escapes_html_only(tmp_path):
    settings = mail_settings(tmp_path, site_name="Acme Supplies", brand_colour="#123456", accent_colour="#abcdef",
                             merchant_email="shop@acme.example", merchant_phone="0113 496 0000",
                             base_url="https://portal.acme.example/")
    db = open_database(tmp_path / "mail.db")
    mail = Mail(db, Outbox(db), settings)
    rendered = mail.render("test_message", {"name": "Bob & <Co>"})
    assert rendered.subject == "A test message from Acme Supplies"
    assert "Hello Bob & <Co>," in rendered.text  # plain text is not escaped
    assert "Hello Bob &amp; &lt;Co&gt;," in rendered.html
    assert "<Co>" not in rendered.html
    for brand in ("Acme Supplies", "#123456", "#abcdef", "shop@acme.example", "0113 496 0000"):
        assert brand in rendered.html
    assert "https://portal.acme.example/login" in rendered.text
    assert 'href="https://portal.acme.example/login"' in rendered.html
    assert "<title>A test message from Acme Supplies</title>" in rendered.html
    db.close()


def test_links_are_paths_under_the_base_url_only():
    assert absolute_url("https://acme.example/portal/", "/reset/abc", {"next": "/orders", "x": ""}) == (
        "https://acme.example/portal/reset/abc?next=%2Forders"
    )
    for outside in ("https://evil.example/", "//evil.example/x", "reset", "/\\evil.example"):
        with pytest.raises(ValueError, match="mail links take a path"):
            absolute_url("https://acme.example", outside)


# --- idempotency -----------------------------------------------------------------------------
def test_the_same_key_commits_one_message_and_visitors_have_keys_of_their_own(tmp_path):
    db = open_database(tmp_path / "mail.db")
    db["users"].insert({"id": 7, "email": "a@example.com", "password_hash": "x", "role": "admin", "active": 1,
                        "created_at": "2026-01-01", "updated_at": "2026-01-01"})
    outbox = Outbox(db)
    mail = Mail(db, outbox, mail_settings(tmp_path))
    outbox.register(KIND, mail.deliver)
    first = mail.submit(to="new@example.com", template="test_message", context={}, key="welcome:1")
    again = mail.submit(to="new@example.com", template="test_message", context={"note": "changed"}, key="welcome:1")
    assert again.id == first.id and again.payload == first.payload
    of_user = mail.submit(to="a@example.com", template="test_message", context={}, key="welcome:1", user_id=7)
    assert of_user.id != first.id
    assert mail.submit(to="a@example.com", template="test_message", context={}, key="welcome:1", user_id=7).id == of_user.id
    assert db.execute("select count(*) from outbox").fetchone()[0] == 2
    with pytest.raises(ValueError, match="not an e-mail address"):
        mail.submit(to="bob@example.com\r\nBcc: x@evil.example", template="test_message", context={}, key="k")
    db.close()


def test_audit_is_committed_with_the_message(tmp_path):
    db = open_database(tmp_path / "mail.db")
    outbox = Outbox(db)
    mail = Mail(db, outbox, mail_settings(tmp_path))
    outbox.register(KIND, mail.deliver)
    audited = []
    mail.submit(to="new@example.com", template="test_message", context={}, key="a", audit=lambda: audited.append(1))
    mail.submit(to="new@example.com", template="test_message", context={}, key="a", audit=lambda: audited.append(2))
    assert audited == [1]
    db.close()


# --- through a real SMTP server --------------------------------------------------------------
def test_sent_over_smtp_with_branding_reply_to_and_links_from_the_base_url(tmp_path):
    with smtp_server() as smtp:
        settings = mail_settings(tmp_path, smtp_url=smtp.url, site_name="Acme Supplies",
                                 merchant_email="shop@acme.example", brand_colour="#123456")
        app = portal_app(settings, fresh_sandbox())
        with logged_in(app, "admin@example.com") as admin:
            page = admin.get("/admin/mailbox")
            assert "Messages are sent, not kept here" in page.text
            key = page.text.split('name="idem_key" value="', 1)[1].split('"', 1)[0]
            # The request arrives with another Host: the links still come from PORTAL_BASE_URL.
            sent = admin.post("/admin/mailbox/test", headers={"Host": "evil.example"},
                              data={"idem_key": key, "_csrf_token": admin.cookies["csrftoken"]}, follow_redirects=False)
            assert sent.status_code == 303
            [message] = smtp.wait_for(1)
            assert smtp.envelopes[0][:2] == ("portal@testserver.local", ["admin@example.com"])
            assert message["From"] == "Acme Supplies <portal@testserver.local>"
            assert message["To"] == "admin@example.com"
            assert message["Reply-To"] == "shop@acme.example"
            assert message["Subject"] == "A test message from Acme Supplies"
            assert message["Auto-Submitted"] == "auto-generated"
            assert message.get_content_type() == "multipart/alternative"
            assert "the portal's mail works" in text_of(message)
            assert "Acme Supplies" in html_of(message) and "#123456" in html_of(message)
            links = links_in(message)
            assert links and all(url.startswith(BASE_URL + "/") for url in links)
            assert not any("evil.example" in url for url in links)
            assert f"{BASE_URL}/login" in text_links(message)
            for url in links:  # every link opens a page of the portal
                assert admin.get(urlsplit(url).path).status_code == 200
            item = settled(admin, mail_items(admin)[0]["id"], "done")
            assert item.result["message_id"] == message["Message-ID"]
            # The same form sent again sends nothing more.
            admin.post("/admin/mailbox/test", data={"idem_key": key, "_csrf_token": admin.cookies["csrftoken"]})
            assert len(mail_items(admin)) == 1
            deliver_due(admin)
            assert len(smtp.messages) == 1
            listed = admin.get(f"/admin/mailbox?sent={item.id}")
            assert "Test message sent (admin@example.com)" in listed.text


def test_sent_with_smtp_auth(tmp_path):
    with smtp_server(auth=("portal@acme.example", "p@ss word/1")) as smtp:
        assert "%40" in smtp.url  # the credentials travel URL-encoded
        app = portal_app(mail_settings(tmp_path, smtp_url=smtp.url), fresh_sandbox())
        with TestClient(app, base_url=BASE_URL) as client:
            submit_test(client)
            [message] = smtp.wait_for(1)
            assert smtp.envelopes[0][2] is True  # authenticated
            assert message["To"] == "bob@example.com"


def test_wrong_smtp_credentials_fail_the_message_for_an_admin_to_see(tmp_path):
    with smtp_server(auth=("portal", "right")) as smtp:
        url = smtp.url.replace(":right@", ":wrong@")
        app = portal_app(mail_settings(tmp_path, smtp_url=url), fresh_sandbox())
        with logged_in(app, "admin@example.com") as admin:
            item = settled(admin, submit_test(admin).id, "failed")
            assert item.last_error.startswith("the mail server refused the message: 535")
            assert smtp.messages == []
            assert "535" in admin.get("/admin/mailbox").text


@pytest.mark.anyio
async def test_starttls_and_implicit_tls_with_a_self_signed_certificate(tmp_path):
    tls = self_signed_tls(tmp_path)
    db = open_database(tmp_path / "mail.db")
    for kind, server in (("starttls", smtp_server(starttls=tls, auth=("u", "pw"))), ("smtps", smtp_server(implicit_tls=tls))):
        with server as smtp:
            outbox = Outbox(db)
            mail = Mail(db, outbox, mail_settings(tmp_path, smtp_url=smtp.url), tls_context=tls.client)
            assert mail.smtp.url.use_tls is (kind == "smtps")
            outbox.register(KIND, mail.deliver)
            item = await outbox.deliver_now(mail.submit(to="bob@example.com", template="test_message", context={}, key=kind))
            assert item.state == "done", item.last_error
            [message] = await asyncio.to_thread(smtp.wait_for, 1)
            assert message["Message-ID"] == item.result["message_id"]
    db.close()


@pytest.mark.anyio
async def test_starttls_with_a_certificate_nobody_trusts_is_tried_again_later(tmp_path):
    tls = self_signed_tls(tmp_path)
    db = open_database(tmp_path / "mail.db")
    with smtp_server(starttls=tls) as smtp:
        outbox = Outbox(db)
        mail = Mail(db, outbox, mail_settings(tmp_path, smtp_url=smtp.url))  # the system's CAs only
        outbox.register(KIND, mail.deliver)
        item = await outbox.deliver_now(mail.submit(to="bob@example.com", template="test_message", context={}, key="x"))
        assert (item.state, item.attempts) == ("pending", 1)
        assert "certificate" in item.last_error.lower()
        assert smtp.messages == []
    db.close()


def test_a_4xx_is_retried_later_and_sent_once(tmp_path):
    with smtp_server() as smtp:
        smtp.reply_next("451 4.3.0 Greylisted, try again later")
        app = portal_app(mail_settings(tmp_path, smtp_url=smtp.url), fresh_sandbox())
        with TestClient(app, base_url=BASE_URL) as client:
            item_id = submit_test(client).id
            waiting = wait_until(lambda: (item := item_of(client, item_id)).attempts >= 1
                                 and item.state != "sending" and item)
            if waiting.state == "pending":  # the worker may already have made the next attempt
                assert waiting.progress == "waiting"
                assert "451 4.3.0 Greylisted" in waiting.last_error
            due_now(client)
            deliver_due(client)
            done = settled(client, item_id, "done")
            assert done.attempts == 2
            assert len(smtp.wait_for(1)) == 1
            due_now(client)
            deliver_due(client)
            time.sleep(0.2)
            assert len(smtp.messages) == 1


def test_a_resend_after_a_lost_outcome_carries_the_same_message_id(tmp_path):
    # SMTP has no idempotency key (docs/mail.md): an attempt whose outcome was lost sends again,
    # and the receiver can tell the repeat by its Message-ID.
    with smtp_server() as smtp:
        app = portal_app(mail_settings(tmp_path, smtp_url=smtp.url), fresh_sandbox())
        with TestClient(app, base_url=BASE_URL) as client:
            item_id = submit_test(client).id
            settled(client, item_id, "done")
            lost_outcome(client, item_id)
            deliver_due(client)
            first, second = smtp.wait_for(2)
            assert first["Message-ID"] == second["Message-ID"]


def test_a_5xx_fails_the_message_and_the_mailbox_page_shows_it(tmp_path):
    with smtp_server() as smtp:
        smtp.reply_next("550 5.7.1 Message rejected as spam")
        app = portal_app(mail_settings(tmp_path, smtp_url=smtp.url), fresh_sandbox())
        with logged_in(app, "admin@example.com") as admin:
            item = settled(admin, submit_test(admin).id, "failed")
            assert item.attempts == 1
            assert "550 5.7.1 Message rejected as spam" in item.last_error
            page = admin.get("/admin/mailbox").text
            section = page.split('id="undelivered-heading"', 1)[1].split("</section>", 1)[0]
            assert "bob@example.com" in section and "A test message from Customer Portal" in section
            assert "failed" in section and "550 5.7.1 Message rejected as spam" in section
            deliver_due(admin)
            assert smtp.messages == []


def test_smtp_down_leaves_the_message_waiting_until_it_is_back(tmp_path):
    with smtp_server() as smtp:
        smtp.stop()
        app = portal_app(mail_settings(tmp_path, smtp_url=smtp.url), fresh_sandbox())
        with logged_in(app, "admin@example.com") as admin:
            item_id = submit_test(admin).id
            waiting = wait_until(lambda: (item := item_of(admin, item_id)).attempts >= 1
                                 and item.state == "pending" and item)
            assert waiting.progress == "waiting" and "smtp://127.0.0.1" in waiting.last_error
            assert "waiting" in admin.get("/admin/mailbox").text
            smtp.start()
            due_now(admin)
            deliver_due(admin)
            settled(admin, item_id, "done")
            [message] = smtp.wait_for(1)
            assert message["To"] == "bob@example.com"


# --- without SMTP: the local mailbox ---------------------------------------------------------
class Lines(logging.Handler):
    """What a logger says, as lines (the app's logging config replaces the root's handlers, so
    pytest's caplog does not see it)."""

    def __init__(self, logger: str) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self.logger = logging.getLogger(logger)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def __enter__(self) -> Lines:
        self.logger.addHandler(self)
        self.logger.setLevel(logging.INFO)
        return self

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(logging.NOTSET)


def test_without_smtp_a_message_is_kept_once_even_when_delivered_twice(tmp_path):
    app = portal_app(mail_settings(tmp_path), fresh_sandbox())
    with TestClient(app, base_url=BASE_URL) as client:
        with Lines("portal.mail") as log:
            item_id = submit_test(client, note="Kept, not sent").id
            done = settled(client, item_id, "done")
        assert log.lines == [
            f"mail {item_id} to bob@example.com kept in the local mailbox (no PORTAL_SMTP_URL): "
            "'A test message from Customer Portal'"
        ]
        lost_outcome(client, item_id)
        deliver_due(client)
        assert item_of(client, item_id).attempts == 2
        [row] = rows(client, "select * from mailbox")
        assert row["outbox_id"] == item_id
        assert row["message_id"] == done.result["message_id"]
        assert row["recipients"] == "bob@example.com"
        assert row["subject"] == "A test message from Customer Portal"
        assert "Kept, not sent" in row["text"] and "Kept, not sent" in row["html"]


# --- the mailbox pages -----------------------------------------------------------------------
def test_the_mailbox_lists_newest_first_in_pages_and_shows_each_message(tmp_path):
    app = portal_app(mail_settings(tmp_path, page_size=2), fresh_sandbox())
    with logged_in(app, "admin@example.com") as admin:
        empty = admin.get("/admin/mailbox")
        assert empty.status_code == 200 and "No messages yet" in empty.text
        assert "No SMTP server is set up" in empty.text
        for number in range(3):
            settled(admin, submit_test(admin, to=f"n{number}@example.com", key=f"k{number}").id, "done")
        first = admin.get("/admin/mailbox").text
        assert first.index("n2@example.com") < first.index("n1@example.com")
        assert "n0@example.com" not in first and "page 1 of 2" in first
        assert "n0@example.com" in admin.get("/admin/mailbox?page=2").text
        assert admin.get("/admin/mailbox?page=zero").status_code == 400
        [row] = rows(admin, "select id from mailbox where recipients = 'n0@example.com'")
        shown = admin.get(f"/admin/mailbox/{row['id']}")
        assert shown.status_code == 200
        assert "Hello Bob," in shown.text.split('class="mail-text"', 1)[1]  # the plain text, in <pre>
        assert "Message-ID" in shown.text and "Auto-Submitted" in shown.text  # the headers
        assert f'<iframe class="mail-frame" sandbox src="/admin/mailbox/{row["id"]}/html"' in shown.text
        html = admin.get(f"/admin/mailbox/{row['id']}/html")
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
        assert "Hello Bob," in html.text
        csp = html.headers["content-security-policy"]
        assert csp == ("default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; "
                       "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox")
        assert html.headers["x-frame-options"] == "SAMEORIGIN"
        assert "frame-ancestors 'none'" in shown.headers["content-security-policy"]  # the portal's own page
        assert admin.get("/admin/mailbox/999").status_code == 404
        assert admin.get("/admin/mailbox/999/html").status_code == 404
        assert admin.get("/admin/mailbox/0").status_code == 404


def test_a_message_script_is_never_part_of_a_portal_page(tmp_path):
    app = portal_app(mail_settings(tmp_path), fresh_sandbox())
    with logged_in(app, "admin@example.com") as admin:
        evil = "<p>Hi</p><script>fetch('/admin/mailbox').then(r => r.text()).then(alert)</script>"
        payload = {"from": "x@example.com", "to": "bob@example.com", "reply_to": None,
                   "subject": "<script>alert(1)</script>", "text": "<script>alert(2)</script>", "html": evil}
        message = build_message(payload, item_id=1, created_at=datetime.now(UTC))
        admin.blocking_portal.call(lambda: components(app).mail.mailbox.keep(message, outbox_id=None))
        listed = admin.get("/admin/mailbox").text
        shown = admin.get("/admin/mailbox/1").text
        for page in (listed, shown):
            assert "<script>alert" not in page and "fetch('/admin" not in page
            assert "&lt;script&gt;alert(" in page
        framed = admin.get("/admin/mailbox/1/html")
        assert framed.text == evil + "\n"  # as sent, but under a CSP with no scripts and a sandbox
        policy = framed.headers["content-security-policy"]
        assert "script-src" not in policy and "default-src 'none'" in policy and policy.endswith("sandbox")


def test_only_admins_open_the_mailbox(tmp_path):
    app = portal_app(mail_settings(tmp_path), fresh_sandbox())
    with logged_in(app, "alice@example.com") as customer:
        for path in ("/admin/mailbox", "/admin/mailbox/1", "/admin/mailbox/1/html"):
            assert customer.get(path).status_code == 404
        token = customer.cookies["csrftoken"]
        assert customer.post("/admin/mailbox/test", data={"_csrf_token": token, "idem_key": "x" * 24}).status_code == 404
        customer.cookies.clear()
        visitor = customer.get("/admin/mailbox", follow_redirects=False)
        assert visitor.status_code == 303
        assert unquote(visitor.headers["location"]) == "/login?next=/admin/mailbox"
        assert mail_items(customer) == []


def test_the_test_form_out_of_date_is_said_beside_it(tmp_path):
    app = portal_app(mail_settings(tmp_path), fresh_sandbox())
    with logged_in(app, "admin@example.com") as admin:
        refused = admin.post("/admin/mailbox/test", data={"_csrf_token": admin.cookies["csrftoken"], "idem_key": "short"})
        assert refused.status_code == 400
        assert "This form was out of date" in refused.text
        assert mail_items(admin) == []


def test_the_outbox_dedupes_writes_nobody_logged_in_asked_for(tmp_path):
    db = open_database(tmp_path / "queue.db")
    outbox = Outbox(db)

    async def handler(attempt, save) -> dict:
        return {}

    outbox.register("note", handler)
    first = outbox.submit(user_id=None, contact_id=None, kind="note", idem_key="k", payload={"a": 1})
    assert first.user_id is None
    assert outbox.submit(user_id=None, contact_id=None, kind="note", idem_key="k", payload={"a": 1}).id == first.id
    assert outbox.by_key(user_id=None, idem_key="k") == first
    assert outbox.by_key(user_id=None, idem_key="other") is None
    assert [item.id for item in outbox.undelivered(kind="note")] == [first.id]
    db.close()
