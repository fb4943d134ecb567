"""Two-factor sign-in: setting it up, the login's second step, recovery codes, turning it off,
an admin's reset (API and CLI), and the tokens the code form carries."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from types import SimpleNamespace

import pyotp
import pytest
from click.testing import CliRunner
from itsdangerous.timed import TimestampSigner
from litestar.testing import TestClient
from support import BASE_URL, components, csrf_token, login, portal_app, portal_settings, switch_to

from portal.cli import main
from portal.security import two_factor as two_factor_module
from portal.security.passwords import Passwords
from portal.security.two_factor import (
    RECOVERY_CODES,
    WRONG_CODES_ALLOWED,
    Actor,
    TwoFactor,
    TwoFactorError,
    looks_like_totp,
    normalise_code,
    qr_data_uri,
)

ALICE = "alice@example.com"
SECRET_ON_PAGE = re.compile(r'id="two-factor-secret" class="secret">([A-Z2-7 ]+)<')
CODE_ON_PAGE = re.compile(r"<li><code>([a-z0-9-]{14})</code></li>")
LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')


class Clock:
    """The wall clock two-factor codes are counted from, moved by the test (the TOTP module's
    `time`; everything else keeps the real one)."""

    def __init__(self) -> None:
        self.now = float(int(time.time() // 30) * 30 + 10)  # 10 s into a step

    def time(self) -> float:
        return self.now

    def tick(self, seconds: float = 30) -> None:
        self.now += seconds

    def code(self, secret: str, offset_steps: int = 0) -> str:
        return pyotp.TOTP(secret).at(self.now + 30 * offset_steps)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(two_factor_module, "time", SimpleNamespace(time=fake.time, monotonic=time.monotonic))
    return fake


def audit_rows(app, action: str) -> list[dict]:
    return list(components(app).db.query("select * from audit where action = ? order by id", [action]))


def user_row(app, email: str) -> dict:
    return components(app).users.by_email(email)


def post(client: TestClient, path: str, **data):
    return client.post(path, data={"_csrf_token": client.cookies["csrftoken"], **data}, follow_redirects=False)


def turn_on(client: TestClient, clock: Clock) -> tuple[str, list[str]]:
    """Set up two-factor on the logged-in client's account; return the secret and the codes."""
    started = post(client, "/account/two-factor/setup")
    assert started.status_code == 303 and started.headers["location"] == "/account/two-factor/setup"
    setup = client.get("/account/two-factor/setup")
    assert setup.status_code == 200
    secret = SECRET_ON_PAGE.search(setup.text).group(1).replace(" ", "")
    confirmed = post(client, "/account/two-factor/confirm", code=clock.code(secret))
    assert confirmed.status_code == 200, confirmed.text
    codes = CODE_ON_PAGE.findall(confirmed.text)
    clock.tick()  # the next code is of a later step (the confirming one is used up)
    return secret, codes


def password_step(client: TestClient, email: str = ALICE, **extra) -> str:
    """Log in with the password alone; return the code form's token."""
    answer = login(client, email, **extra)
    assert answer.status_code == 200, answer.text
    assert "portal_session" not in answer.headers.get("set-cookie", "")
    return LOGIN_TOKEN.search(answer.text).group(1)


def code_step(client: TestClient, token: str, code: str, **extra):
    return client.post(
        "/login/two-factor",
        data={"_csrf_token": client.cookies["csrftoken"], "login_token": token, "code": code, **extra},
        follow_redirects=False,
    )


def logged_out(client: TestClient) -> TestClient:
    """The same browser with its cookies gone (another person, or the same one later)."""
    client.cookies.clear()
    return client


@pytest.fixture
def alice_with_two_factor(client, clock):
    """Alice's secret and recovery codes, two-factor on; the client logged out again."""
    secret, codes = turn_on(switch_to(client, ALICE), clock)
    return SimpleNamespace(secret=secret, codes=codes, client=logged_out(client))


# --- setting it up -----------------------------------------------------------------------------
def test_the_page_is_off_for_a_customer_and_shows_no_requirement(client):
    page = switch_to(client, ALICE).get("/account/two-factor")
    assert page.status_code == 200
    assert "Two-factor sign-in is off" in page.text
    assert "Set up two-factor sign-in" in page.text
    assert "requires two-factor" not in page.text
    assert 'href="/account/two-factor" aria-current="page">Alice Harper' in page.text  # the header's link


def test_anyone_logged_in_may_open_it_and_visitors_are_sent_to_log_in(client):
    assert client.get("/account/two-factor", follow_redirects=False).status_code in (302, 303)
    assert switch_to(client, "sam@example.com").get("/account/two-factor").status_code == 200


def test_setup_shows_a_qr_code_and_the_key_and_changes_nothing_until_confirmed(app, client, clock):
    switch_to(client, ALICE)
    post(client, "/account/two-factor/setup")
    setup = client.get("/account/two-factor/setup")
    secret = SECRET_ON_PAGE.search(setup.text).group(1).replace(" ", "")
    img = re.search(r'<img class="qr-code" src="data:image/svg\+xml;base64,([^"]+)"[^>]*alt="([^"]+)"', setup.text)
    assert img and "QR code" in img.group(2)
    svg = base64.b64decode(img.group(1)).decode()
    assert svg.startswith("<svg") and "<script" not in svg and "<style" not in svg and "style=" not in svg
    assert len(secret) == 32
    assert user_row(app, ALICE)["totp_enabled_at"] is None
    assert client.get("/account/two-factor").text.count("Two-factor sign-in is off") == 1
    # Logging in again still takes the password alone.
    assert login(logged_out(client), ALICE).status_code == 303


def test_a_wrong_confirming_code_is_shown_beside_the_field(app, client, clock):
    switch_to(client, ALICE)
    post(client, "/account/two-factor/setup")
    wrong = post(client, "/account/two-factor/confirm", code="000000")
    assert wrong.status_code == 400
    assert 'id="setup-code-error"' in wrong.text and "That code is not right" in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    assert SECRET_ON_PAGE.search(wrong.text)  # the same QR code and key again
    assert user_row(app, ALICE)["totp_enabled_at"] is None


def test_confirming_turns_it_on_with_ten_recovery_codes_stored_as_hashes(app, client, clock):
    switch_to(client, ALICE)
    secret, codes = turn_on(client, clock)
    page = client.get("/account/two-factor")
    assert "Two-factor sign-in is on" in page.text and "10 recovery codes are left" in page.text
    assert len(codes) == RECOVERY_CODES == len(set(codes))
    row = user_row(app, ALICE)
    assert row["totp_enabled_at"] and row["totp_secret"] == secret
    stored = [
        r["code_hash"]
        for r in components(app).db.query("select code_hash from recovery_codes where user_id = ?", [row["id"]])
    ]
    assert sorted(stored) == sorted(hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes)
    assert not any(code in json.dumps(stored) for code in codes)
    [enabled] = audit_rows(app, "two_factor.enable")
    assert enabled["actor_email"] == ALICE and enabled["target"] == f"user:{row['id']}"


def test_the_codes_page_offers_a_download_without_javascript(client, clock):
    switch_to(client, ALICE)
    post(client, "/account/two-factor/setup")
    secret = SECRET_ON_PAGE.search(client.get("/account/two-factor/setup").text).group(1).replace(" ", "")
    page = post(client, "/account/two-factor/confirm", code=clock.code(secret)).text
    href = re.search(r'href="(data:text/plain[^"]+)" download="recovery-codes.txt"', page).group(1)
    assert all(code in href for code in CODE_ON_PAGE.findall(page))


def test_enabling_ends_the_accounts_other_sessions(app, client, clock):
    earlier = switch_to(client, ALICE).cookies["portal_session"]
    turn_on(switch_to(client, ALICE), clock)
    assert client.get("/account/two-factor").status_code == 200
    alice_id = user_row(app, ALICE)["id"]
    left = [
        r["id_hash"] for r in components(app).db.query("select id_hash from sessions where user_id = ?", [alice_id])
    ]
    assert left == [hashlib.sha256(client.cookies["portal_session"].encode()).hexdigest()]
    assert hashlib.sha256(earlier.encode()).hexdigest() not in left


# --- the login's second step --------------------------------------------------------------------
def test_login_then_needs_the_code_and_a_right_one_starts_the_session(app, alice_with_two_factor, clock):
    client, secret = alice_with_two_factor.client, alice_with_two_factor.secret
    before = len(audit_rows(app, "login"))
    token = password_step(client, next="/documents")
    assert client.get("/orders", follow_redirects=False).status_code in (302, 303)  # no session yet
    answer = code_step(client, token, clock.code(secret), next="/documents")
    assert answer.status_code == 303 and answer.headers["location"] == "/documents"
    cookies = answer.headers.get_list("set-cookie")
    assert any(c.startswith("portal_session=") and "HttpOnly" in c for c in cookies)
    assert any(c.startswith("csrftoken=") for c in cookies)
    assert client.get("/orders").status_code == 200
    logins = audit_rows(app, "login")[before:]
    assert [r["outcome"] for r in logins] == ["second_factor_needed", "ok"]
    assert json.loads(logins[-1]["detail"]) == {"second_factor": "totp"}
    assert user_row(app, ALICE)["last_login_at"]


def test_a_wrong_code_shows_the_form_again_and_the_same_token_still_works(app, alice_with_two_factor, clock):
    client, secret = alice_with_two_factor.client, alice_with_two_factor.secret
    token = password_step(client)
    wrong = code_step(client, token, "123456" if clock.code(secret) != "123456" else "654321")
    assert wrong.status_code == 400
    assert 'id="code-error"' in wrong.text and "That code is not right" in wrong.text
    assert LOGIN_TOKEN.search(wrong.text).group(1) == token
    assert "portal_session" not in wrong.headers.get("set-cookie", "")
    assert audit_rows(app, "login.two_factor")[-1]["outcome"] == "failed"
    empty = code_step(client, token, "  ")
    assert empty.status_code == 400 and "Enter the 6-digit code" in empty.text
    assert code_step(client, token, clock.code(secret)).status_code == 303


def test_a_replayed_code_is_refused(app, alice_with_two_factor, clock):
    client, secret = alice_with_two_factor.client, alice_with_two_factor.secret
    code = clock.code(secret)
    assert code_step(client, password_step(client), code).status_code == 303
    again = code_step(logged_out(client), password_step(client), code)
    assert again.status_code == 400 and "That code is not right" in again.text
    # An earlier step's code (still inside the drift window) is refused too.
    assert code_step(client, password_step(client), clock.code(secret, -1)).status_code == 400
    clock.tick()
    assert code_step(client, password_step(client), clock.code(secret)).status_code == 303


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(app, alice_with_two_factor, clock):
    client, codes = alice_with_two_factor.client, alice_with_two_factor.codes
    answer = code_step(client, password_step(client), codes[3].upper().replace("-", " "), next="/orders")
    assert answer.status_code == 200
    assert "You used a recovery code" in answer.text and "9 recovery codes" in answer.text
    assert 'href="/orders"' in answer.text
    assert any(c.startswith("portal_session=") for c in answer.headers.get_list("set-cookie"))
    assert client.get("/orders").status_code == 200
    again = code_step(logged_out(client), password_step(client), codes[3])
    assert again.status_code == 400
    [used] = audit_rows(app, "two_factor.recovery_code_used")
    assert json.loads(used["detail"]) == {"codes_left": 9}
    assert json.loads(audit_rows(app, "login")[-2]["detail"]) == {"second_factor": "recovery_code"}


def test_a_token_of_another_purpose_or_tampered_goes_back_to_the_login_form(app, alice_with_two_factor, clock):
    client, secret = alice_with_two_factor.client, alice_with_two_factor.secret
    alice_id = user_row(app, ALICE)["id"]
    tokens = components(app).tokens
    csrf_token(client)
    for token in (tokens.mint("password-reset", alice_id), password_step(client)[:-2] + "xx", ""):
        answer = code_step(client, token, clock.code(secret))
        assert answer.status_code == 400
        assert 'action="/login"' in answer.text and "cannot be continued" in answer.text
        assert "portal_session" not in answer.headers.get("set-cookie", "")


def test_a_used_token_works_once(app, alice_with_two_factor, clock):
    client, secret = alice_with_two_factor.client, alice_with_two_factor.secret
    token = password_step(client)
    assert code_step(client, token, clock.code(secret)).status_code == 303
    clock.tick()
    csrf_token(logged_out(client))
    again = code_step(client, token, clock.code(secret))
    assert again.status_code == 400 and "cannot be continued" in again.text


def test_an_expired_token_goes_back_to_the_login_form(app, alice_with_two_factor, clock, monkeypatch):
    client, secret = alice_with_two_factor.client, alice_with_two_factor.secret
    # A token signed six minutes ago (its lifetime is five): only the signing time is moved.
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 360)
    old = components(app).tokens.mint("login-two-factor", user_row(app, ALICE)["id"])
    monkeypatch.undo()
    csrf_token(client)
    answer = code_step(client, old, clock.code(secret))
    assert answer.status_code == 400
    assert "took longer than 5 minutes" in answer.text and 'action="/login"' in answer.text
    assert audit_rows(app, "login.two_factor")[-1]["outcome"] == "expired"


def test_five_wrong_codes_end_the_sign_in_and_block_the_account_for_a_while(app, alice_with_two_factor, clock):
    client, secret = alice_with_two_factor.client, alice_with_two_factor.secret
    token = password_step(client)
    wrong = "000000" if clock.code(secret) != "000000" else "111111"
    answers = [code_step(client, token, wrong) for _ in range(WRONG_CODES_ALLOWED)]
    assert all(a.status_code == 400 for a in answers)
    assert "That code is not right" in answers[-2].text
    assert "Too many wrong codes" in answers[-1].text and 'action="/login"' in answers[-1].text
    # The token is void, and a new one (the password again) is refused too, even with the right code.
    assert "cannot be continued" in code_step(client, token, clock.code(secret)).text
    blocked = code_step(client, password_step(client), clock.code(secret))
    assert blocked.status_code == 400 and "Too many wrong codes" in blocked.text


def test_a_login_without_two_factor_is_unchanged(app, client, alice_with_two_factor):
    answer = login(client, "bob@example.com")
    assert answer.status_code == 303 and "portal_session=" in answer.headers["set-cookie"]
    assert (
        list(
            components(app).db.query(
                "select * from tokens where subject = ?", [str(user_row(app, "bob@example.com")["id"])]
            )
        )
        == []
    )
    assert login(client, ALICE, "wrong password").status_code == 400  # generic failure, no code form
    assert "login_token" not in login(client, ALICE, "wrong password").text


# --- changing it ------------------------------------------------------------------------------
def test_turning_it_off_needs_the_password_and_a_code(app, client, clock):
    switch_to(client, ALICE)
    secret, _ = turn_on(client, clock)
    no_password = post(client, "/account/two-factor/disable", password="wrong password", code=clock.code(secret))
    assert no_password.status_code == 400
    assert 'id="disable-password-error"' in no_password.text
    no_code = post(client, "/account/two-factor/disable", password="portal-demo-pass", code="000000")
    assert no_code.status_code == 400 and 'id="disable-code-error"' in no_code.text
    missing = post(client, "/account/two-factor/disable", password="", code="")
    assert "Enter your current password." in missing.text
    assert user_row(app, ALICE)["totp_enabled_at"]
    done = post(client, "/account/two-factor/disable", password="portal-demo-pass", code=clock.code(secret))
    assert done.status_code == 303 and done.headers["location"] == "/account/two-factor?done=off"
    assert (
        "Two-factor sign-in is off. You sign in with your password alone." in client.get(done.headers["location"]).text
    )
    row = user_row(app, ALICE)
    assert row["totp_enabled_at"] is None and row["totp_secret"] is None
    assert list(components(app).db.query("select * from recovery_codes where user_id = ?", [row["id"]])) == []
    assert [r["outcome"] for r in audit_rows(app, "two_factor.disable")] == ["refused", "refused", "ok"]
    assert login(logged_out(client), ALICE).status_code == 303


def test_a_recovery_code_also_turns_it_off(app, client, clock):
    switch_to(client, ALICE)
    _, codes = turn_on(client, clock)
    done = post(client, "/account/two-factor/disable", password="portal-demo-pass", code=codes[0])
    assert done.status_code == 303
    assert user_row(app, ALICE)["totp_enabled_at"] is None


def test_new_recovery_codes_need_a_code_and_replace_the_old(app, client, clock):
    switch_to(client, ALICE)
    secret, old = turn_on(client, clock)
    refused = post(client, "/account/two-factor/recovery-codes", code="000000")
    assert refused.status_code == 400 and 'id="regenerate-code-error"' in refused.text
    fresh = post(client, "/account/two-factor/recovery-codes", code=clock.code(secret))
    assert fresh.status_code == 200 and "The old ones no longer work" in fresh.text
    new = CODE_ON_PAGE.findall(fresh.text)
    assert len(new) == 10 and not set(new) & set(old)
    assert audit_rows(app, "two_factor.recovery_codes_regenerated")
    clock.tick()
    other = logged_out(client)
    assert code_step(other, password_step(other), old[0]).status_code == 400
    assert code_step(other, password_step(other), new[0]).status_code == 200


def test_cancelling_a_setup_forgets_its_key(app, client, clock):
    switch_to(client, ALICE)
    post(client, "/account/two-factor/setup")
    assert "continue it" in client.get("/account/two-factor").text
    cancelled = post(client, "/account/two-factor/cancel")
    assert cancelled.headers["location"] == "/account/two-factor?done=cancelled"
    assert client.get("/account/two-factor/setup", follow_redirects=False).status_code == 303
    assert user_row(app, ALICE)["totp_secret"] is None


# --- administrators ---------------------------------------------------------------------------
@pytest.mark.parametrize("required", [True, False])
def test_the_page_tells_an_admin_when_the_portal_requires_it(tmp_path, sandbox, clock, required):
    app = portal_app(portal_settings(tmp_path, admin_two_factor=required), sandbox)
    with TestClient(app, base_url=BASE_URL) as admin:
        switch_to(admin, "admin@example.com")
        page = admin.get("/account/two-factor", follow_redirects=True)
        assert page.status_code == 200
        assert ("Your portal requires two-factor sign-in for administrators" in page.text) is required
        turn_on(admin, clock)
        assert "Your portal requires two-factor sign-in for administrators" not in admin.get("/account/two-factor").text


def test_an_admin_reset_clears_the_secret_codes_and_sessions(app, alice_with_two_factor, clock):
    db = components(app).db
    alice = user_row(app, ALICE)
    admin = user_row(app, "admin@example.com")
    components(app).sessions.create(alice["id"])
    service = TwoFactor(
        db, tokens=components(app).tokens, passwords=Passwords(fast=True), audit=components(app).audit, issuer="Shop"
    )
    assert service.reset(alice["id"], by=Actor(admin["id"], admin["email"], "10.0.0.9")) is True
    row = user_row(app, ALICE)
    assert row["totp_secret"] is None and row["totp_enabled_at"] is None
    assert list(db.query("select * from recovery_codes where user_id = ?", [alice["id"]])) == []
    assert list(db.query("select * from sessions where user_id = ?", [alice["id"]])) == []
    [reset] = audit_rows(app, "two_factor.reset")
    assert (reset["actor_user_id"], reset["actor_email"], reset["ip"], reset["target"]) == (
        admin["id"],
        admin["email"],
        "10.0.0.9",
        f"user:{alice['id']}",
    )
    assert service.reset(alice["id"], by=Actor(admin["id"], admin["email"])) is False
    assert login(logged_out(alice_with_two_factor.client), ALICE).status_code == 303


def test_the_cli_resets_two_factor_for_a_locked_out_login(tmp_path, sandbox, clock):
    settings = portal_settings(tmp_path, admin_two_factor=True)
    app = portal_app(settings, sandbox)
    with TestClient(app, base_url=BASE_URL) as admin:
        turn_on(switch_to(admin, "admin@example.com"), clock)
    components(app).db.close()
    result = CliRunner().invoke(
        main, ["users", "reset-two-factor", "--email", "Admin@Example.com", "--data", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "two-factor sign-in is off for admin@example.com" in result.output
    again = CliRunner().invoke(
        main, ["users", "reset-two-factor", "--email", "admin@example.com", "--data", str(tmp_path)]
    )
    assert "was not on" in again.output
    missing = CliRunner().invoke(
        main, ["users", "reset-two-factor", "--email", "nobody@example.com", "--data", str(tmp_path)]
    )
    assert missing.exit_code == 2 and "no login for nobody@example.com" in missing.output
    app = portal_app(settings, sandbox)
    assert user_row(app, "admin@example.com")["totp_enabled_at"] is None
    rows = audit_rows(app, "two_factor.reset")
    assert [r["outcome"] for r in rows] == ["ok", "unchanged"] and rows[0]["actor_email"].startswith("cli:")


# --- the store on its own -----------------------------------------------------------------------
@pytest.fixture
def store(app):
    c = components(app)
    now = Clock()
    service = TwoFactor(
        c.db, tokens=c.tokens, passwords=Passwords(fast=True), audit=c.audit, issuer="Harper & Co", now=now.time
    )
    return SimpleNamespace(service=service, clock=now, user_id=user_row(app, "bob@example.com")["id"])


def test_codes_within_one_step_of_now_are_accepted_and_further_ones_not(store):
    s, clock, uid = store.service, store.clock, store.user_id
    setup = s.start_setup(uid)
    assert "issuer=Harper%20%26%20Co" in setup.uri and "bob%40example.com" in setup.uri
    assert setup.uri.startswith("otpauth://totp/") and "period" not in setup.uri or "period=30" in setup.uri
    assert s.confirm(uid, clock.code(setup.secret, 2)) is None
    assert s.confirm(uid, clock.code(setup.secret, -2)) is None
    assert len(s.confirm(uid, clock.code(setup.secret, -1)) or []) == 10
    assert s.verify_totp(uid, clock.code(setup.secret, 1)) is True
    assert s.verify_totp(uid, clock.code(setup.secret, 1)) is False  # replayed
    assert s.verify_totp(uid, clock.code(setup.secret, 0)) is False  # older than the last one
    clock.tick(60)
    assert s.verify_totp(uid, clock.code(setup.secret, 2)) is False
    assert s.verify_totp(uid, clock.code(setup.secret)) is True


def test_a_setup_cannot_start_over_a_working_secret(store):
    s, clock, uid = store.service, store.clock, store.user_id
    setup = s.start_setup(uid)
    s.confirm(uid, clock.code(setup.secret))
    with pytest.raises(TwoFactorError):
        s.start_setup(uid)
    with pytest.raises(TwoFactorError):
        s.confirm(uid, clock.code(setup.secret, 1))
    assert s.status(uid).enabled and s.status(uid).codes_left == 10


def test_recovery_codes_work_once_each(store):
    s, clock, uid = store.service, store.clock, store.user_id
    setup = s.start_setup(uid)
    codes = s.confirm(uid, clock.code(setup.secret))
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", code) for code in codes)
    assert s.use_recovery_code(uid, codes[0]) == 9
    assert s.use_recovery_code(uid, codes[0]) is None
    assert s.check(uid, codes[1]).method == "recovery_code"
    assert s.check(uid, "not-a-code") is None
    assert s.status(uid).codes_left == 8


def test_disable_checks_the_password_first(store, anyio_backend):
    import anyio

    s, clock, uid = store.service, store.clock, store.user_id
    setup = s.start_setup(uid)
    s.confirm(uid, clock.code(setup.secret))
    clock.tick()
    assert anyio.run(s.disable, uid, "nope", clock.code(setup.secret)) == {
        "password": "That is not your current password."
    }
    assert s.status(uid).enabled
    assert anyio.run(s.disable, uid, "portal-demo-pass", clock.code(setup.secret)) == {}
    assert not s.status(uid).enabled


def test_codes_are_told_apart_by_their_shape():
    assert looks_like_totp(normalise_code(" 123 456 "))
    assert not looks_like_totp(normalise_code("abcd-efgh-jkmn"))
    assert not looks_like_totp("１２３４５６")  # full-width digits are not a code
    assert normalise_code("ABCD-EFGH JKMN") == "abcdefghjkmn"


def test_the_qr_code_is_an_svg_image_without_scripts_or_styles():
    uri = qr_data_uri("otpauth://totp/Shop:a%40b.c?secret=JBSWY3DPEHPK3PXP&issuer=Shop")
    svg = base64.b64decode(uri.removeprefix("data:image/svg+xml;base64,")).decode()
    assert svg.startswith("<svg") and "<script" not in svg and "<style" not in svg and " style=" not in svg
    assert 'fill="#fff"' in svg  # a white quiet zone, not transparent


def test_wrong_codes_on_the_settings_page_count_towards_the_same_limit(app, client, clock):
    switch_to(client, ALICE)
    secret, _ = turn_on(client, clock)
    wrong = "000000" if clock.code(secret) != "000000" else "111111"
    for _ in range(WRONG_CODES_ALLOWED):
        assert post(client, "/account/two-factor/recovery-codes", code=wrong).status_code == 400
    blocked = post(client, "/account/two-factor/recovery-codes", code=clock.code(secret))
    assert blocked.status_code == 400 and "Too many wrong codes" in blocked.text
    # And the login's second step is closed for the account too.
    other = logged_out(client)
    assert "Too many wrong codes" in code_step(other, password_step(other), clock.code(secret)).text
