"""`portal check`: one line per thing, each failure with its fix; exit 0 only when everything is right.

Brightpearl is the sandbox served over HTTP; mail is a small SMTP server in a thread that speaks
just enough of the protocol (greeting, EHLO, AUTH PLAIN, QUIT) for smtplib.
"""

from __future__ import annotations

import base64
import os
import socket
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import fresh_sandbox
from support.processes import free_port

from portal.cli import main
from portal.demo import SANDBOX_ACCOUNT, SANDBOX_APP_REF, SANDBOX_STAFF_TOKEN

STRONG_KEY = "k3y-" + "".join(chr(ord("a") + n % 26) + str(n % 10) for n in range(20))


@pytest.fixture(scope="module")
def brightpearl() -> Iterator[str]:
    """The sandbox over HTTP: its PORTAL_BRIGHTPEARL_URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(fresh_sandbox().app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/public-api/{SANDBOX_ACCOUNT}"
    server.should_exit = True
    thread.join(timeout=10)


@contextmanager
def smtp_server(user: str, password: str) -> Iterator[int]:
    """A mail server on a free port that accepts `user`/`password` (AUTH PLAIN) and nothing else."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn, conn.makefile("rb") as lines:
                conn.sendall(b"220 mail.test ESMTP\r\n")
                for raw in lines:
                    command = raw.decode().strip()
                    verb = command.split(" ")[0].upper()
                    if verb in ("EHLO", "HELO"):
                        conn.sendall(b"250-mail.test\r\n250 AUTH PLAIN\r\n")
                    elif verb == "AUTH":
                        sent = base64.b64decode(command.split(" ")[2]).split(b"\0")
                        good = sent[1:] == [user.encode(), password.encode()]
                        conn.sendall(b"235 2.7.0 ok\r\n" if good else b"535 5.7.8 bad credentials\r\n")
                    elif verb == "QUIT":
                        conn.sendall(b"221 bye\r\n")
                        break
                    else:
                        conn.sendall(b"250 ok\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        done.set()
        thread.join(timeout=5)
        listener.close()


def good_env(tmp_path: Path, brightpearl: str, **changes: str | None) -> dict[str, str | None]:
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("PORTAL_")}
    env.update(
        PORTAL_DATA_DIR=str(tmp_path / "data"),
        PORTAL_SECRET_KEY=STRONG_KEY,
        PORTAL_BASE_URL="https://portal.example.com",
        PORTAL_BRIGHTPEARL_URL=brightpearl,
        PORTAL_BRIGHTPEARL_APP_REF=SANDBOX_APP_REF,
        PORTAL_BRIGHTPEARL_STAFF_TOKEN=SANDBOX_STAFF_TOKEN,
    )
    env.update(changes)
    return env


def check(env: dict[str, str | None]) -> tuple[int, dict[str, str]]:
    """Run `portal check`; its exit code and its lines by what they are about."""
    result = CliRunner().invoke(main, ["check"], env=env)
    lines = {}
    for line in result.output.strip().splitlines():
        status, rest = line.split(None, 1)
        name, text = rest.split(": ", 1)
        lines[name] = f"{status} {text}"
    return result.exit_code, lines


def failures(lines: dict[str, str]) -> dict[str, str]:
    return {name: text for name, text in lines.items() if text.startswith("FAIL")}


def test_everything_right_is_exit_0_with_one_ok_line_each(tmp_path, brightpearl):
    with smtp_server("portal", "s3cret pass") as port:
        code, lines = check(good_env(tmp_path, brightpearl, PORTAL_SMTP_URL=f"smtp://portal:s3cret%20pass@127.0.0.1:{port}"))
    assert failures(lines) == {}
    assert code == 0
    assert list(lines) == ["settings", "data directory", "secret key", "database", "base URL", "brightpearl", "mail"]
    assert "accepted the credentials" in lines["brightpearl"]
    assert f"data centre 127.0.0.1:{brightpearl.split(':')[2].split('/')[0]}" in lines["brightpearl"]
    assert "accepted the login" in lines["mail"]


def test_without_smtp_url_mail_is_not_configured_and_not_a_failure(tmp_path, brightpearl):
    code, lines = check(good_env(tmp_path, brightpearl))
    assert code == 0
    assert lines["mail"] == "ok not configured (PORTAL_SMTP_URL is not set)"


@pytest.mark.parametrize(
    ("changes", "name", "says"),
    [
        ({"PORTAL_BRAND_COLOUR": "blue"}, "settings", "PORTAL_BRAND_COLOUR must be a colour"),
        ({"PORTAL_SESSION_IDLE_MINUTES": "soon"}, "settings", "PORTAL_SESSION_IDLE_MINUTES must be a number"),
        ({"PORTAL_SECRET_KEY": "changeme"}, "secret key", "PORTAL_SECRET_KEY is weak"),
        ({"PORTAL_SECRET_KEY": "x" * 40}, "secret key", "PORTAL_SECRET_KEY is weak"),
        ({"PORTAL_BASE_URL": "http://portal.example.com"}, "base URL", "must be the https:// address"),
        ({"PORTAL_BRIGHTPEARL_URL": None}, "brightpearl", "PORTAL_BRIGHTPEARL_URL is not set"),
        ({"PORTAL_BRIGHTPEARL_STAFF_TOKEN": "wrong-token"}, "brightpearl", "rejected the credentials"),
    ],
)
def test_each_wrong_setting_is_one_failing_line_with_its_fix(tmp_path, brightpearl, changes, name, says):
    code, lines = check(good_env(tmp_path, brightpearl, **changes))
    assert code == 1
    assert list(failures(lines)) == [name]
    assert says in lines[name]


def test_brightpearl_unreachable_names_the_address_and_data_centre(tmp_path, brightpearl):
    port = free_port()
    code, lines = check(good_env(tmp_path, brightpearl, PORTAL_BRIGHTPEARL_URL=f"http://127.0.0.1:{port}/public-api/acme",
                                 PORTAL_BRIGHTPEARL_DEADLINE="2"))
    assert code == 1
    assert list(failures(lines)) == ["brightpearl"]
    assert f"cannot reach http://127.0.0.1:{port}/public-api/acme (data centre 127.0.0.1:{port})" in lines["brightpearl"]


def test_the_data_centre_is_read_from_brightpearl_hosts():
    from portal.ops.check import data_centre

    assert data_centre("https://euw1.brightpearlconnect.com/public-api/acme") == "euw1"
    assert data_centre("https://ws-use.brightpearl.com/public-api/acme") == "ws-use"


def test_a_data_directory_that_cannot_be_written_fails(tmp_path, brightpearl):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    code, lines = check(good_env(tmp_path, brightpearl, PORTAL_DATA_DIR=str(blocker / "data")))
    assert code == 1
    assert "is not a directory" in lines["data directory"] and lines["data directory"].startswith("FAIL")
    # /proc takes no new files, even from root (the tests run as root in CI, where chmod would not stop it).
    code, lines = check(good_env(tmp_path, brightpearl, PORTAL_DATA_DIR="/proc/portal-data"))
    assert code == 1
    assert "is not writable" in lines["data directory"] and "chown" in lines["data directory"]


def test_a_generated_key_others_can_read_fails_and_a_missing_one_is_announced(tmp_path, brightpearl):
    env = good_env(tmp_path, brightpearl, PORTAL_SECRET_KEY=None)
    code, lines = check(env)
    assert code == 0
    assert "generates one into" in lines["secret key"]
    key = tmp_path / "data" / "secret_key"
    key.parent.mkdir(parents=True)
    key.write_text(STRONG_KEY)
    key.chmod(0o644)
    code, lines = check(env)
    assert code == 1
    assert lines["secret key"] == f"FAIL {key} can be read by other users: chmod 600 {key}"
    key.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert check(env)[0] == 0


def test_mail_unreachable_or_refusing_the_login_fails(tmp_path, brightpearl):
    closed = free_port()
    code, lines = check(good_env(tmp_path, brightpearl, PORTAL_SMTP_URL=f"smtp://portal:pw@127.0.0.1:{closed}"))
    assert code == 1
    assert list(failures(lines)) == ["mail"]
    assert f"cannot reach 127.0.0.1:{closed}" in lines["mail"]
    with smtp_server("portal", "right") as port:
        code, lines = check(good_env(tmp_path, brightpearl, PORTAL_SMTP_URL=f"smtp://portal:wrong@127.0.0.1:{port}"))
    assert code == 1
    assert f"127.0.0.1:{port} refused the login (535)" in lines["mail"]
