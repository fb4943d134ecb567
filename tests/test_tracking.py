"""Carrier tracking links: pattern validation, encoding, storage, the CLI and the order page."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from support import BASE_URL, empty_cache, login, portal_app

from portal.brightpearl.models import GoodsOutNote
from portal.cli import main
from portal.core.db import open_database
from portal.core.site_settings import SiteSettings
from portal.core.tracking import (
    SETTINGS_KEY,
    TrackingPatternError,
    TrackingPatterns,
    tracking_links,
    tracking_url,
    validate_pattern,
)

ALICE = 1001
DHL = "https://www.dhl.com/gb-en/home/tracking.html?tracking-id={reference}"
HOSTILE_REFERENCES = [
    '"><script>alert(1)</script>',
    "javascript:alert(1)",
    "' onmouseover='alert(1)",
    "../../admin?x=1&y=2#frag",
    "1Z 999 AA1 <b>",
    "ÆØÅ-ünïcode",
    "{reference}",
]


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "portal.core.db")
    yield database
    database.close()


# --- validation -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "pattern",
    [
        DHL,
        "https://www.royalmail.com/track-your-item#/tracking-results/{reference}",
        "http://tracking.example.com/{reference}/details",
        "  https://www.ups.com/track?loc=en_GB&tracknum={reference}  ",
        "HTTPS://carrier.example/t?id={reference}&lang=en%20GB",
    ],
)
def test_good_patterns_are_accepted_trimmed(pattern):
    assert validate_pattern(pattern) == pattern.strip()


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "empty"),
        ("https://carrier.example/track", "exactly once"),
        ("https://carrier.example/{reference}/{reference}", "exactly once"),
        ("https://carrier.example/{ref}?id={reference}", "only placeholder"),
        ("https://carrier.example/{reference.__class__}", "exactly once"),
        ("javascript:alert('{reference}')", "https://"),
        ("javascript://carrier.example/%0Aalert({reference})", "https://"),
        ("data:text/html,{reference}", "https://"),
        ("ftp://carrier.example/{reference}", "https://"),
        ("//carrier.example/{reference}", "https://"),
        ("carrier.example/{reference}", "https://"),
        ("https:///{reference}", "host"),
        ("https://[::1/{reference}", "not a URL"),
        ("https://{reference}.carrier.example/", "host"),
        ("https://user:pw@carrier.example/{reference}", "user name"),
        ('https://carrier.example/"><script>{reference}', "characters"),
        ("https://carrier.example/track {reference}", "characters"),
        ("https://carrier.example/\n{reference}", "characters"),
        ("https://carrier.example/" + "a" * 500 + "{reference}", "longer than"),
    ],
)
def test_bad_patterns_are_refused_with_a_reason(pattern, message):
    with pytest.raises(TrackingPatternError, match=re.escape(message)):
        validate_pattern(pattern)


# --- encoding ---------------------------------------------------------------------------------
@pytest.mark.parametrize("reference", HOSTILE_REFERENCES)
def test_the_reference_is_percent_encoded_into_the_admins_url(reference):
    url = tracking_url(DHL, reference)
    prefix = DHL.replace("{reference}", "")
    assert url.startswith(prefix)
    encoded = url[len(prefix) :]
    assert unquote(encoded) == reference.strip()
    assert re.fullmatch(r"[A-Za-z0-9%._~-]+", encoded), encoded
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.dhl.com", "/gb-en/home/tracking.html")
    assert not parts.fragment


def test_an_empty_reference_gives_no_link():
    assert tracking_url(DHL, "") is None
    assert tracking_url(DHL, "   ") is None


# --- storage ----------------------------------------------------------------------------------
def note(note_id: int, method_id: int, reference: str) -> GoodsOutNote:
    return GoodsOutNote(id=note_id, order_id=60001, shipping_method_id=method_id, tracking_reference=reference)


def test_set_list_unset_round_trip(db):
    patterns = TrackingPatterns(db)
    assert patterns.all() == {}
    assert patterns.set(7, f"  {DHL} ") == DHL
    patterns.set("9", "https://www.ups.com/track?tracknum={reference}")
    assert patterns.all() == {7: DHL, 9: "https://www.ups.com/track?tracknum={reference}"}
    assert SiteSettings(db).get(SETTINGS_KEY) == {"7": DHL, "9": "https://www.ups.com/track?tracknum={reference}"}
    assert patterns.unset(7) is True
    assert patterns.unset(7) is False
    assert patterns.all() == {9: "https://www.ups.com/track?tracknum={reference}"}


@pytest.mark.parametrize("method_id", [0, -3, "abc", "7; drop table settings", 2**31])
def test_method_ids_must_be_positive_integers(db, method_id):
    with pytest.raises(TrackingPatternError):
        TrackingPatterns(db).set(method_id, DHL)
    assert TrackingPatterns(db).all() == {}


def test_a_refused_pattern_changes_nothing(db):
    patterns = TrackingPatterns(db)
    patterns.set(7, DHL)
    with pytest.raises(TrackingPatternError):
        patterns.set(7, "javascript:alert({reference})")
    assert patterns.all() == {7: DHL}


def test_hand_edited_rows_are_validated_again_before_use(db):
    SiteSettings(db).set(
        SETTINGS_KEY,
        {"7": DHL, "9": "javascript:alert('{reference}')", "x": DHL, "11": 42, "12": "https://a.example/{reference}"},
    )
    assert TrackingPatterns(db).all() == {7: DHL, 12: "https://a.example/{reference}"}
    links = tracking_links(TrackingPatterns(db), [note(1, 7, "A1"), note(2, 9, "B2"), note(3, 11, "C3")])
    assert links == {1: DHL.replace("{reference}", "A1")}


@pytest.mark.parametrize("raw", ["not json", '["a list"]', '"a string"', "null"])
def test_an_unreadable_setting_means_no_links_not_an_error(db, raw):
    db.execute("insert into settings (key, value, updated_at) values (?, ?, '2026-01-01')", [SETTINGS_KEY, raw])
    assert tracking_links(TrackingPatterns(db), [note(1, 7, "A1")]) == {}
    TrackingPatterns(db).set(7, DHL)  # and an admin can still repair it
    assert tracking_links(TrackingPatterns(db), [note(1, 7, "A1")]) == {1: DHL.replace("{reference}", "A1")}


def test_tracking_links_reads_the_settings_once_and_skips_notes_without_a_reference(db):
    patterns = TrackingPatterns(db)
    patterns.set(7, DHL)
    patterns.set(9, "https://www.ups.com/track?tracknum={reference}")
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        notes = [note(1, 7, "A1"), note(2, 9, "1Z 2"), note(3, 9, ""), note(4, 14, "C3"), note(5, 0, "D4")]
        links = tracking_links(TrackingPatterns(db), notes)
    finally:
        db.conn.set_trace_callback(None)
    assert links == {
        1: DHL.replace("{reference}", "A1"),
        2: "https://www.ups.com/track?tracknum=1Z%202",
    }
    assert len([s for s in statements if "settings" in s]) == 1
    statements.clear()
    db.conn.set_trace_callback(statements.append)
    try:
        assert tracking_links(TrackingPatterns(db), [note(3, 9, "")]) == {}
    finally:
        db.conn.set_trace_callback(None)
    assert statements == []  # nothing to link: not even the settings are read


# --- CLI --------------------------------------------------------------------------------------
def run(*args: str):
    return CliRunner().invoke(main, ["tracking", *args])


def test_cli_set_list_unset(tmp_path):
    data = ["--data", str(tmp_path)]
    assert run("list", *data).output.strip() == "no tracking patterns set"
    result = run("set", "--method-id", "7", "--pattern", DHL, *data)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"method 7: {DHL}"
    run("set", "--method-id", "9", "--pattern", "https://www.ups.com/track?tracknum={reference}", *data)
    listed = run("list", *data)
    assert listed.exit_code == 0
    assert listed.output.splitlines() == [f"7\t{DHL}", "9\thttps://www.ups.com/track?tracknum={reference}"]
    assert run("unset", "--method-id", "7", *data).output.strip() == "method 7: pattern removed"
    assert run("unset", "--method-id", "7", *data).output.strip() == "method 7 had no pattern"
    assert run("list", *data).output.splitlines() == ["9\thttps://www.ups.com/track?tracknum={reference}"]
    assert TrackingPatterns(open_database(tmp_path / "portal.core.db")).all() == {
        9: "https://www.ups.com/track?tracknum={reference}"
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method-id", "7", "--pattern", "javascript:alert({reference})"], "pattern not accepted"),
        (["--method-id", "7", "--pattern", "https://carrier.example/track"], "exactly once"),
        (["--method-id", "0", "--pattern", DHL], "--method-id"),
        (["--method-id", "seven", "--pattern", DHL], "--method-id"),
    ],
)
def test_cli_refuses_bad_input_in_one_line_and_stores_nothing(tmp_path, args, message):
    result = run("set", *args, "--data", str(tmp_path))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert run("list", "--data", str(tmp_path)).output.strip() == "no tracking patterns set"


# --- the order page and the demo --------------------------------------------------------------
def shipped_orders(sandbox, contact_id: int = ALICE) -> dict[int, list[tuple[int, dict]]]:
    """shipping method id -> [(order id, goods-out note)] of the contact's shipped notes with a reference."""
    found: dict[int, list[tuple[int, dict]]] = {}
    for order in sandbox.data.orders_for(contact_id, "SO"):
        for gon in sandbox.data.goods_out_for(order["id"]).values():
            if gon["status"]["shipped"] and gon["shipping"]["reference"]:
                found.setdefault(gon["shipping"]["shippingMethodId"], []).append((order["id"], gon))
    return found


def test_the_demo_links_the_sandboxs_parcel_carriers_but_not_the_pallet_service(app):
    patterns = TrackingPatterns(app.state["components"].db).all()
    assert set(patterns) == {3, 9, 11}  # Royal Mail, UPS, DHL; 7 (pallet) and 14 (collection) have none
    assert "ups.com" in patterns[9] and "royalmail.com" in patterns[3] and "dhl.com" in patterns[11]


def test_the_demo_seed_keeps_an_admins_change(settings, sandbox):
    first = portal_app(settings, sandbox)
    TrackingPatterns(first.state["components"].db).unset(9)
    TrackingPatterns(first.state["components"].db).set(7, DHL)
    second = portal_app(settings, sandbox)
    assert TrackingPatterns(second.state["components"].db).all() == TrackingPatterns(first.state["components"].db).all()
    assert 9 not in TrackingPatterns(second.state["components"].db).all()


def test_order_page_links_a_reference_whose_method_has_a_pattern_and_shows_text_otherwise(alice, sandbox):
    by_method = shipped_orders(sandbox)
    order_id, gon = by_method[9][0]  # UPS: seeded
    page = alice.get(f"/orders/{order_id}").text
    reference = gon["shipping"]["reference"]
    assert f'href="https://www.ups.com/track?loc=en_GB&amp;tracknum={reference}"' in page
    pallet_id, pallet = by_method[7][0]  # Palletways: no pattern
    page = alice.get(f"/orders/{pallet_id}").text
    assert f'<code class="tracking">{pallet["shipping"]["reference"]}</code>' in page
    assert 'class="tracking" href' not in page
    # The settings are read on every page: unsetting takes effect at once.
    TrackingPatterns(alice.app.state["components"].db).unset(9)
    page = alice.get(f"/orders/{order_id}").text
    assert f'<code class="tracking">{reference}</code>' in page


@pytest.mark.parametrize("reference", HOSTILE_REFERENCES[:3])
def test_a_hostile_reference_from_brightpearl_stays_inert_on_the_order_page(alice, sandbox, reference):
    order_id, gon = shipped_orders(sandbox)[11][0]  # DHL: seeded
    gon["shipping"]["reference"] = reference
    empty_cache(alice)
    page = alice.get(f"/orders/{order_id}").text
    assert "<script>" not in page and "onmouseover='" not in page
    links = re.findall(r'<a class="tracking" href="([^"]*)"', page)
    assert len(links) == 1
    href = links[0].replace("&amp;", "&")
    assert href.startswith("https://www.dhl.com/gb-en/home/tracking.html?tracking-id=")
    assert unquote(href.split("tracking-id=", 1)[1]) == reference
    assert "&lt;script&gt;" in page or "javascript:alert" in page or "onmouseover=&#39;" in page


def test_a_login_from_another_browser_sees_the_same_links(app, sandbox):
    # Patterns live in SQLite, not in a session: every visitor gets them.
    from litestar.testing import TestClient

    order_id, gon = shipped_orders(sandbox, 1003)[9][0]
    with TestClient(app, base_url=BASE_URL) as bob:
        assert login(bob, "bob@example.com").status_code == 303
        page = bob.get(f"/orders/{order_id}").text
    assert f"tracknum={gon['shipping']['reference']}" in page
