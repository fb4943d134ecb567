"""Upgrades: a database made by the previous release opens, migrates forward and keeps its data; a
failed migration leaves nothing half done; a database from a newer release is refused, untouched.

tests/fixtures/upgrade/v0.1.0.sql is a database as 0.1.0 left it (its schema read from git at that
release by make_fixture.py beside it), so the test holds even after today's migrations grow.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from litestar.testing import TestClient
from support import BASE_URL, components, deliver_due, login, portal_app, portal_settings
from support.processes import db_rows as rows

from portal.core.db import open_database
from portal.core.migrations import SchemaTooNew, known_names
from portal.core.site_settings import SiteSettings
from portal.core.tracking import SETTINGS_KEY as TRACKING_KEY

FIXTURE = Path(__file__).parent / "fixtures" / "upgrade" / "v0.1.0.sql"
FIXTURE_PASSWORD = "upgrade-test-pass"
PENDING_ORDER = 60032  # alice's, in the demo sandbox


def database_of_0_1_0(data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "portal.core.db"
    conn = sqlite3.connect(path)
    conn.executescript(FIXTURE.read_text())
    conn.close()
    return path


def test_a_database_of_the_previous_release_upgrades_and_keeps_logins_settings_audit_and_pending_writes(
    tmp_path, sandbox
):
    path = database_of_0_1_0(tmp_path)
    before_audit = rows(path, "select * from audit order by id")
    assert rows(path, "select state, payload from outbox") == [
        ("pending", '{"author": "Alice Harper", "text": "Sent before the upgrade."}')
    ]
    assert PENDING_ORDER in {order["id"] for order in sandbox.data.orders_for(1001, "SO")}

    app = portal_app(portal_settings(tmp_path), sandbox)  # start-up runs the migrations
    assert [name for (name,) in rows(path, "select name from _sqlite_migrations order by id")] == known_names()
    assert rows(path, "select * from audit where id <= 3 order by id") == before_audit
    assert components(app).outbox.get(1).state == "pending"
    with TestClient(app, base_url=BASE_URL) as client:  # the outbox worker starts with the app
        store = SiteSettings(components(app).db)
        assert store.get("branding") == {"site_name": "Upgraded Portal"}
        assert store.get(TRACKING_KEY) == {"7": "https://track.example/{reference}"}  # the demo seed kept it
        for email in ("alice@example.com", "carol@example.com", "admin@example.com"):
            client.cookies.clear()
            assert login(client, email, FIXTURE_PASSWORD).status_code == 303, email
        # The comment that waited through the upgrade is delivered, once.
        deliver_due(client)
        assert components(app).outbox.get(1).state == "done"
    notes = [n for n in sandbox.data.notes_for(PENDING_ORDER) if "Sent before the upgrade." in n["text"]]
    assert len(notes) == 1 and notes[0]["text"].startswith("Alice Harper (via portal)")


def test_each_migration_runs_in_its_own_transaction(tmp_path):
    path = tmp_path / "portal.core.db"
    # A table with the name of m003's last index makes m003 fail after it created the outbox table.
    obstacle = sqlite3.connect(path)
    obstacle.execute("create table idx_outbox_kind_target_id (x)")
    obstacle.close()
    with pytest.raises(sqlite3.OperationalError, match="already a table named"):
        open_database(path)
    assert rows(path, "select name from _sqlite_migrations order by id") == [
        ("m001_users_and_sessions",), ("m002_settings_and_audit",)
    ]
    tables = {name for (name,) in rows(path, "select name from sqlite_master where type = 'table'")}
    assert {"users", "audit"} <= tables and "outbox" not in tables  # m003 left nothing behind

    conn = sqlite3.connect(path)
    conn.execute("drop table idx_outbox_kind_target_id")
    conn.close()
    open_database(path).close()
    assert rows(path, "select count(*) from _sqlite_migrations") == [(len(known_names()),)]


def future_database(tmp_path: Path) -> Path:
    path = database_of_0_1_0(tmp_path)
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute("insert into _sqlite_migrations (migration_set, name, applied_at) "
                 "values ('portal', 'm999_from_a_newer_release', '2027-01-01 00:00:00+00:00')")
    conn.commit()
    conn.close()
    return path


def test_a_database_of_a_newer_release_is_refused_and_left_as_it_was(tmp_path):
    path = future_database(tmp_path)
    before = path.read_bytes()
    with pytest.raises(SchemaTooNew, match="newer release .* m999_from_a_newer_release"):
        open_database(path)
    assert path.read_bytes() == before


@pytest.mark.slow
@pytest.mark.parametrize("command", [["demo", "--port", "1"], ["tracking", "list"]])
def test_the_portal_refuses_to_start_on_a_newer_database_with_one_line(tmp_path, command):
    path = future_database(tmp_path / "data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    result = subprocess.run(
        [sys.executable, "-m", "portal.cli", *command, "--data", str(path.parent)],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "newer release of the portal" in lines[0] and "m999_from_a_newer_release" in lines[0]
