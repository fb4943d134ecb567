"""`portal backup` while the portal writes, `portal restore` into an empty data directory: every
login, setting, audit row, pending outbox item, the secret key and the uploaded files come back."""

from __future__ import annotations

import fcntl
import tarfile
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from support import BASE_URL, components, login, portal_app, portal_settings
from support.processes import db_rows as rows

from portal.cli import main
from portal.core.audit import Audit
from portal.core.db import open_database, write_transaction
from portal.core.site_settings import SiteSettings
from portal.core.users import UserStore
from portal.ops.backup import serving_lock

PASSWORD = "backup-test-password"


def run(*args: str, data: Path):
    """The `portal` command in this process, on the data directory `data`; its result."""
    return CliRunner().invoke(main, [*args, "--data", str(data)], env={"PORTAL_DATA_DIR": None, "PORTAL_SECRET_KEY": None})


@pytest.fixture
def live(tmp_path, sandbox):
    """A data directory with logins, settings, audit rows, a pending outbox item, a generated
    secret key and uploads, as a portal that has run a while leaves it."""
    settings = portal_settings(tmp_path / "live", secret_key="")
    app = portal_app(settings, sandbox)
    db = components(app).db
    users = UserStore(db)
    hashed = components(app).passwords.hash_sync(PASSWORD)
    for n in range(5):
        users.add(email=f"person{n}@example.com", password_hash=hashed, role="customer", contact_id=1001,
                  name=f"Person {n}")
    SiteSettings(db).set("branding", {"site_name": "Backed Up"})
    Audit(db).record("admin.branding", actor_email="admin@example.com", target="branding")
    outbox = components(app).outbox
    outbox.submit(user_id=1, contact_id=1001, kind="order_note", idem_key="backup-1", target_id=60032,
                  payload={"author": "Alice Harper", "text": "Waiting in the outbox."})
    uploads = settings.uploads_dir
    (uploads / "logo").mkdir(parents=True)
    (uploads / "logo" / "logo.png").write_bytes(b"\x89PNG fake logo")
    (uploads / "supplier" / "4711").mkdir(parents=True)
    (uploads / "supplier" / "4711" / "invoice.pdf").write_bytes(b"%PDF-1.4 supplier upload")
    return settings, app


def test_a_backup_taken_while_writing_restores_everything_committed_before_it(tmp_path, live, sandbox):
    settings, app = live
    db_path = settings.db_path
    committed_before = rows(db_path, "select count(*) from audit")[0][0]
    stop = threading.Event()
    written = []

    def keep_writing() -> None:
        # Another connection, as the serving portal would be: each transaction adds an audit row
        # and a setting together, so a consistent copy has as many of one as of the other.
        db = open_database(db_path)
        n = 0
        while not stop.is_set():
            with write_transaction(db):
                Audit(db).record("load.write", target=f"n:{n}")
                db["settings"].insert({"key": f"load-{n}", "value": "1", "updated_at": "now"})
            n += 1
            written.append(n)
        db.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 50:
            stop.wait(0.01)
        result = run("backup", "--to", str(tmp_path / "backups" / "portal.tar.gz"), data=settings.data_dir)
        during = len(written)
        while len(written) < during + 50:
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "backed up" in result.output
    archive = tmp_path / "backups" / "portal.tar.gz"
    assert archive.stat().st_mode & 0o077 == 0
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"manifest.json", "portal.core.db", "secret_key", "uploads/logo/logo.png",
            "uploads/supplier/4711/invoice.pdf"} <= names

    restored = tmp_path / "restored"
    result = run("restore", str(archive), data=restored)
    assert result.exit_code == 0, result.output
    copy = restored / "portal.core.db"
    assert rows(copy, "PRAGMA integrity_check") == [("ok",)]
    load_rows = rows(copy, "select count(*) from audit where action = 'load.write'")[0][0]
    load_settings = rows(copy, "select count(*) from settings where key like 'load-%'")[0][0]
    assert 50 <= load_rows == load_settings < len(written)  # one moment, mid-load: no half transaction
    assert rows(copy, "select count(*) from audit")[0][0] == committed_before + load_rows
    assert (restored / "secret_key").read_text() == settings.secret_key_path.read_text()
    assert (restored / "secret_key").stat().st_mode & 0o077 == 0
    assert (restored / "uploads" / "logo" / "logo.png").read_bytes() == b"\x89PNG fake logo"
    assert (restored / "uploads" / "supplier" / "4711" / "invoice.pdf").read_bytes() == b"%PDF-1.4 supplier upload"

    # The portal on the restored directory: the same logins, settings, audit and outbox.
    again = portal_app(portal_settings(restored, secret_key=""), sandbox)
    assert components(again).settings.secret_key == components(app).settings.secret_key
    store = components(again)
    assert SiteSettings(store.db).get("branding") == {"site_name": "Backed Up"}
    assert any(row["action"] == "admin.branding" for row in Audit(store.db).latest(500))
    pending = store.outbox.open_items(kind="order_note", contact_id=1001)
    assert [item.payload["text"] for item in pending] == ["Waiting in the outbox."]
    with TestClient(again, base_url=BASE_URL) as client:
        for n in range(5):
            client.cookies.clear()
            assert login(client, f"person{n}@example.com", PASSWORD).status_code == 303


def test_restore_refuses_a_data_directory_in_use_or_not_empty(tmp_path, live):
    settings, _ = live
    archive = tmp_path / "portal.tar.gz"
    assert run("backup", "--to", str(archive), data=settings.data_dir).exit_code == 0

    refused = run("restore", str(archive), data=settings.data_dir)
    assert refused.exit_code == 2
    assert "already holds portal.core.db" in refused.output and "--force" in refused.output

    with serving_lock(settings.data_dir):  # as `portal serve` holds it
        busy = run("restore", str(archive), "--force", data=settings.data_dir)
    assert busy.exit_code == 2
    assert "a running portal is using" in busy.output

    SiteSettings(open_database(settings.db_path)).set("branding", {"site_name": "Changed after the backup"})
    forced = run("restore", str(archive), "--force", data=settings.data_dir)
    assert forced.exit_code == 0, forced.output
    assert SiteSettings(open_database(settings.db_path)).get("branding") == {"site_name": "Backed Up"}


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_is_written(tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        tar.add(__file__, "notes.txt")
    result = run("restore", str(bogus), data=tmp_path / "empty")
    assert result.exit_code == 2
    assert "not a portal backup" in result.output
    assert not (tmp_path / "empty" / "portal.core.db").exists()


def test_the_lock_is_shared_between_portals_and_exclusive_for_restore(tmp_path):
    with serving_lock(tmp_path), serving_lock(tmp_path):  # two processes may serve one directory
        with open(tmp_path / "portal.lock", "a+b") as handle, pytest.raises(BlockingIOError):
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
