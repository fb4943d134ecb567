"""The admin's accounts list (search, filters, paging in SQL), creating a login linked to the
Brightpearl contact looked up by e-mail, name or id, and editing one; every change audited, every
refusal changing nothing, and none of it open to anyone but an admin."""

from __future__ import annotations

import json
import re

import pytest
from litestar.testing import TestClient
from support import (
    BASE_URL,
    app_rows,
    components,
    fresh_sandbox,
    login,
    on_loop,
    portal_app,
    portal_settings,
    switch_to,
)
from support.mail import text_of

from portal.sandbox.demo import ALICE_CONTACT_ID, BOB_CONTACT_ID, SAM_CONTACT_ID, TOM_CONTACT_ID
from portal.sandbox.generate import SHARED_EMAIL

TEMPORARY = "a quiet harbour at dawn"
HASH = "$argon2id$v=19$m=8,t=1,p=1$bm90LWEtcmVhbA$bm90LWEtcmVhbC1oYXNo"  # never verified: fixture logins


@pytest.fixture
def sandbox():
    return fresh_sandbox()


@pytest.fixture
def client(tmp_path, smtp, sandbox):
    app = portal_app(portal_settings(tmp_path, smtp_url=smtp.url), sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        switch_to(client, "admin@example.com")
        yield client


def post(client: TestClient, path: str, **data):
    return client.post(path, data={**data, "_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False)


def users_count(client: TestClient) -> int:
    return app_rows(client, "select count(*) as n from users")[0]["n"]


def audited(client: TestClient, action: str) -> list[dict]:
    return app_rows(client, "select * from audit where action = ? order by id", [action])


def many_logins(client: TestClient) -> None:
    """60 shoppers: every third a supplier, every fifth deactivated, every seventh with a
    temporary password, the first two customers being set up (no contact yet)."""
    db = components(client.app).db

    def add() -> None:
        for n in range(60):
            role = "supplier" if n % 3 == 0 else "customer"
            contact = None if n in (1, 2) else 5000 + n
            db["users"].insert({
                "email": f"shopper{n:02d}@example.org", "password_hash": HASH, "role": role, "contact_id": contact,
                "name": f"Shopper Number {n:02d}", "active": int(n % 5 != 0), "must_change_password": int(n % 7 == 0),
                "created_at": "2026-01-01T00:00:00+00:00", "updated_at": "2026-01-01T00:00:00+00:00",
            })
        db["users"].insert({
            "email": "zoe@example.org", "password_hash": HASH, "role": "customer", "contact_id": 6000, "name": "Zoë Ünal",
            "active": 1, "must_change_password": 0, "created_at": "2026-01-01T00:00:00+00:00",
            "updated_at": "2026-01-01T00:00:00+00:00",
        })

    on_loop(client, add)


def emails_on(html: str) -> list[str]:
    return re.findall(r'class="login-row__email wrap-anywhere">([^<]+)<', html)


# --- the list -------------------------------------------------------------------------------
def test_the_list_searches_filters_and_pages_in_sql(client):
    many_logins(client)
    first = client.get("/admin/accounts?q=SHOPPER")
    assert first.status_code == 200
    assert "60 logins, page 1 of 3" in first.text
    assert emails_on(first.text)[:2] == ["shopper00@example.org", "shopper01@example.org"]
    assert len(emails_on(first.text)) == 25
    assert 'href="/admin/accounts?q=SHOPPER&amp;page=2"' in first.text
    last = client.get("/admin/accounts?q=shopper&page=3")
    assert emails_on(last.text) == [f"shopper{n}@example.org" for n in range(50, 60)]
    # A page past the last is the last; a page that is not a number is the first.
    assert emails_on(client.get("/admin/accounts?q=shopper&page=99").text) == emails_on(last.text)
    bad = client.get("/admin/accounts?q=shopper&page=abc&role=wizard&state=sleeping&pending=maybe")
    assert bad.status_code == 200 and "60 logins, page 1 of 3" in bad.text
    # Filters, each in SQL and combined.
    suppliers = client.get("/admin/accounts?q=shopper&role=supplier").text
    assert "20 logins" in suppliers and set(emails_on(suppliers)) == {f"shopper{n:02d}@example.org" for n in range(0, 60, 3)}
    deactivated = client.get("/admin/accounts?q=shopper&state=deactivated").text
    assert "12 logins" in deactivated
    temporary = client.get("/admin/accounts?role=supplier&state=temporary").text
    assert set(emails_on(temporary)) == {f"shopper{n:02d}@example.org" for n in (0, 21, 42)}
    setting_up = client.get("/admin/accounts?state=being_set_up").text
    assert set(emails_on(setting_up)) == {"shopper01@example.org", "shopper02@example.org"}
    admins = client.get("/admin/accounts?role=admin").text
    assert emails_on(admins) == ["admin@example.com"]
    # The name, case-insensitively beyond ASCII; a contact id.
    assert emails_on(client.get("/admin/accounts?q=ZOË ÜN").text) == ["zoe@example.org"]
    assert emails_on(client.get(f"/admin/accounts?q={BOB_CONTACT_ID}").text) == ["bob@example.com"]
    nothing = client.get("/admin/accounts?q=nobody-at-all").text
    assert "No logins match" in nothing
    # The store answers one page and the total, not every row.
    rows, total = on_loop(client, lambda: components(client.app).users.search(q="shopper", role="customer", limit=5, offset=5))
    assert total == 40 and len(rows) == 5 and "password_hash" not in rows[0]


def test_the_list_shows_state_two_factor_last_login_and_company(client):
    page = client.get("/admin/accounts?q=bob@").text
    assert "Mitchell Hospitality Group Ltd" in page  # the company of bob's contact
    assert "Two-factor: off" in page and "Last login:" in page
    assert 'href="/admin/accounts/' in page and "/edit" in page
    # htmx asks for the results alone.
    fragment = client.get("/admin/accounts?q=bob@", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and "bob@example.com" in fragment.text
    # The filter form works without JavaScript: a GET form with labelled fields.
    whole = client.get("/admin/accounts").text
    for label in ('<label for="q">', '<label for="role">', '<label for="state">', '<label for="pending">'):
        assert label in whole
    assert 'method="get" action="/admin/accounts"' in whole


def test_the_list_survives_brightpearl_being_down(client, sandbox):
    sandbox.fail("contact-service", 503)
    page = client.get("/admin/accounts?q=bob@")
    assert page.status_code == 200 and "bob@example.com" in page.text
    assert "can’t be shown right now" in page.text


# --- creating a login ----------------------------------------------------------------------
def test_a_login_found_by_email_with_a_temporary_password(client):
    found = client.get("/admin/accounts/new?find=tom.lowe@example.com")
    assert found.status_code == 200
    assert "Harper &amp; Lowe Interiors Ltd" in found.text and str(TOM_CONTACT_ID) in found.text
    assert "No login yet." in found.text
    # One candidate: it is chosen, and the form is filled from it.
    assert f'name="contact_id" value="{TOM_CONTACT_ID}"' in found.text
    assert 'value="tom.lowe@example.com"' in found.text and 'value="Tom Lowe"' in found.text
    done = post(client, "/admin/accounts/new", kind="contact", contact_id=str(TOM_CONTACT_ID), role="customer",
                email="Tom.Lowe@example.com", name="Tom Lowe", handover="temporary", password=TEMPORARY)
    assert done.status_code == 303
    assert "temporary password" in client.get(done.headers["location"]).text
    (user,) = app_rows(client, "select * from users where email = 'tom.lowe@example.com'")
    assert user["contact_id"] == TOM_CONTACT_ID and user["role"] == "customer" and user["must_change_password"] == 1
    (row,) = audited(client, "account_created")
    assert row["target"] == f"user:{user['id']}" and row["actor_email"] == "admin@example.com"
    assert json.loads(row["detail"]) == {"email": "tom.lowe@example.com", "role": "customer",
                                         "contact_id": TOM_CONTACT_ID, "password": "temporary"}
    client.cookies.clear()
    assert login(client, "tom.lowe@example.com", TEMPORARY).status_code == 303
    assert client.get("/orders", follow_redirects=False).headers["location"].startswith("/password")


def test_a_shared_email_and_a_name_show_every_contact_with_its_company(client, sandbox):
    shared = client.get(f"/admin/accounts/new?find={SHARED_EMAIL}").text
    assert "Porter Joinery" in shared and "Porter &amp; Daughters Ltd" in shared
    assert "2 contacts found: choose the right one" in shared
    assert 'name="handover"' not in shared  # nothing is chosen yet
    by_name = client.get("/admin/accounts/new?find=porter").text
    assert "Porter Joinery" in by_name and "Porter &amp; Daughters Ltd" in by_name
    by_full_name = client.get("/admin/accounts/new?find=Jo Porter").text
    assert "Porter Joinery" in by_full_name
    contacts = sorted(cid for cid, c in sandbox.data.contacts.items()
                      if c.get("communication", {}).get("emails", {}).get("PRI", {}).get("email") == SHARED_EMAIL)
    chosen = client.get(f"/admin/accounts/new?find={SHARED_EMAIL}&contact={contacts[1]}").text
    assert f'name="contact_id" value="{contacts[1]}"' in chosen and "Chosen" in chosen
    assert f'value="{SHARED_EMAIL}"' in chosen
    done = post(client, "/admin/accounts/new", kind="contact", contact_id=str(contacts[1]), role="customer",
                email=SHARED_EMAIL, name="Jo Porter", handover="link", find=SHARED_EMAIL)
    assert done.status_code == 303
    (user,) = app_rows(client, "select * from users where email = ?", [SHARED_EMAIL])
    assert user["contact_id"] == contacts[1] and user["must_change_password"] == 0


def test_a_login_found_by_contact_id_for_a_contact_with_a_login_mails_a_link(client, smtp):
    found = client.get(f"/admin/accounts/new?find={BOB_CONTACT_ID}").text
    assert "Mitchell Hospitality Group Ltd" in found and "Has a login already" in found and "bob@example.com" in found
    done = post(client, "/admin/accounts/new", kind="contact", contact_id=str(BOB_CONTACT_ID), role="customer",
                email="bookings@mitchell.example.com", name="Bookings", handover="link")
    assert done.status_code == 303
    assert "on its way" in client.get(done.headers["location"]).text
    rows = app_rows(client, "select email from users where contact_id = ? order by email", [BOB_CONTACT_ID])
    assert [r["email"] for r in rows] == ["bob@example.com", "bookings@mitchell.example.com"]
    (message,) = smtp.wait_for(1)
    assert message["To"] == "bookings@mitchell.example.com" and "/password/reset/" in text_of(message)
    assert json.loads(audited(client, "account_created")[0]["detail"])["password"] == "reset_link"
    assert audited(client, "password_reset_requested")


def test_a_supplier_contact_gets_a_supplier_login_only(client):
    found = client.get(f"/admin/accounts/new?find={SAM_CONTACT_ID}").text
    assert "Reid &amp; Sons Joinery Ltd" in found and '<option value="supplier" selected>' in found
    assert '<option value="customer"' not in found
    before = users_count(client)
    wrong = post(client, "/admin/accounts/new", kind="contact", contact_id=str(SAM_CONTACT_ID), role="customer",
                 email="yard@reid.example.com", handover="link")
    assert wrong.status_code == 400 and "is a supplier in Brightpearl" in wrong.text
    assert users_count(client) == before
    assert post(client, "/admin/accounts/new", kind="contact", contact_id=str(SAM_CONTACT_ID), role="supplier",
                email="yard@reid.example.com", handover="link").status_code == 303
    assert app_rows(client, "select role from users where email = 'yard@reid.example.com'")[0]["role"] == "supplier"


def test_an_administrator_login_needs_no_contact(client):
    form = client.get("/admin/accounts/new?kind=admin").text
    assert 'name="kind" value="admin"' in form and 'name="find"' in form
    done = post(client, "/admin/accounts/new", kind="admin", email="second.admin@example.com", name="Second Admin",
                handover="temporary", password=TEMPORARY, contact_id=str(ALICE_CONTACT_ID))
    assert done.status_code == 303
    (user,) = app_rows(client, "select * from users where email = 'second.admin@example.com'")
    assert user["role"] == "admin" and user["contact_id"] is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter an email address like"),
        ({"email": "alice@example.com"}, "email", "A login for alice@example.com already exists."),
        ({"contact_id": "987654"}, "contact_id", "No customer or supplier contact in Brightpearl has the id 987654."),
        ({"contact_id": ""}, "contact_id", "Find the Brightpearl contact and choose it first."),
        ({"handover": "temporary", "password": "short"}, "password", "Use at least 8 characters."),
        ({"handover": "carrier-pigeon"}, "handover", "Choose how the person gets their password."),
        ({"name": "x" * 201}, "name", "Use at most 200 characters."),
    ],
)
def test_a_create_form_with_a_mistake_changes_nothing(client, smtp, data, field, message):
    before_users, before_audit = users_count(client), len(app_rows(client, "select id from audit"))
    form = {"kind": "contact", "contact_id": str(TOM_CONTACT_ID), "role": "customer", "email": "tom.lowe@example.com",
            "name": "Tom Lowe", "handover": "link", "find": "tom.lowe@example.com", **data}
    refused = post(client, "/admin/accounts/new", **form)
    assert refused.status_code == 400
    assert message in refused.text.replace("&#39;", "'")
    assert f'id="{field}-error"' in refused.text
    assert users_count(client) == before_users
    assert len(app_rows(client, "select id from audit")) == before_audit
    assert smtp.messages == []


def test_brightpearl_down_means_the_lookup_failed_and_nothing_is_created(client, sandbox):
    sandbox.fail("contact-service", 503)
    found = client.get("/admin/accounts/new?find=tom.lowe@example.com")
    assert found.status_code == 200 and "could not be looked up" in found.text
    before = users_count(client)
    refused = post(client, "/admin/accounts/new", kind="contact", contact_id=str(TOM_CONTACT_ID), role="customer",
                   email="tom.lowe@example.com", handover="link")
    assert refused.status_code == 400 and "could not be looked up" in refused.text and "Nothing was changed" in refused.text
    assert users_count(client) == before and not audited(client, "account_created")


# --- editing a login -----------------------------------------------------------------------
def bob_id(client: TestClient) -> int:
    return app_rows(client, "select id from users where email = 'bob@example.com'")[0]["id"]


def test_an_admin_edits_a_login_and_the_audit_says_what_changed(client):
    user_id = bob_id(client)
    form = client.get(f"/admin/accounts/{user_id}/edit")
    assert form.status_code == 200 and "Mitchell Hospitality Group Ltd" in form.text and 'value="Bob Mitchell"' in form.text
    done = post(client, f"/admin/accounts/{user_id}/edit", email="Robert@Example.com", name="Robert Mitchell",
                role="customer", contact_id=str(BOB_CONTACT_ID))
    assert done.status_code == 303
    assert "The login is saved." in client.get(done.headers["location"]).text
    (row,) = app_rows(client, "select email, name, contact_id from users where id = ?", [user_id])
    assert row == {"email": "robert@example.com", "name": "Robert Mitchell", "contact_id": BOB_CONTACT_ID}
    (entry,) = audited(client, "account_edited")
    assert entry["target"] == f"user:{user_id}"
    assert json.loads(entry["detail"]) == {"changed": {"email": ["bob@example.com", "robert@example.com"],
                                                       "name": ["Bob Mitchell", "Robert Mitchell"]}}
    # The same form again changes nothing and audits nothing.
    again = post(client, f"/admin/accounts/{user_id}/edit", email="robert@example.com", name="Robert Mitchell",
                 role="customer", contact_id=str(BOB_CONTACT_ID))
    assert again.status_code == 303 and len(audited(client, "account_edited")) == 1
    client.cookies.clear()
    assert login(client, "robert@example.com").status_code == 303


def test_relinking_to_another_contact_looks_it_up(client):
    user_id = bob_id(client)
    found = client.get(f"/admin/accounts/{user_id}/edit?find=tom.lowe@example.com").text
    assert "Harper &amp; Lowe Interiors Ltd" in found and "Link to this contact" not in found  # one: chosen at once
    assert f'value="{TOM_CONTACT_ID}"' in found
    done = post(client, f"/admin/accounts/{user_id}/edit", email="bob@example.com", name="Bob Mitchell",
                role="customer", contact_id=str(TOM_CONTACT_ID))
    assert done.status_code == 303
    assert app_rows(client, "select contact_id from users where id = ?", [user_id])[0]["contact_id"] == TOM_CONTACT_ID
    detail = json.loads(audited(client, "account_edited")[0]["detail"])
    assert detail == {"changed": {"contact_id": [BOB_CONTACT_ID, TOM_CONTACT_ID]}}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "alice@example.com"}, "A login for alice@example.com already exists."),
        ({"email": "nope"}, "Enter an email address like"),
        ({"role": "supplier"}, "is a customer in Brightpearl: choose customer"),
        ({"contact_id": "987654"}, "No customer or supplier contact in Brightpearl has the id 987654."),
        ({"contact_id": "abc"}, "A Brightpearl contact id is a number"),
        ({"contact_id": ""}, "needs its Brightpearl contact"),
        ({"role": "admin"}, "Choose customer or supplier."),
    ],
)
def test_an_edit_with_a_mistake_changes_nothing(client, data, message):
    user_id = bob_id(client)
    form = {"email": "bob@example.com", "name": "Bob", "role": "customer", "contact_id": str(BOB_CONTACT_ID), **data}
    refused = post(client, f"/admin/accounts/{user_id}/edit", **form)
    assert refused.status_code == 400 and message in refused.text.replace("&#39;", "'")
    (row,) = app_rows(client, "select email, name, role, contact_id from users where id = ?", [user_id])
    assert row == {"email": "bob@example.com", "name": "Bob Mitchell", "role": "customer", "contact_id": BOB_CONTACT_ID}
    assert not audited(client, "account_edited")


def test_an_admin_cannot_edit_themselves_out_of_being_one(client):
    me = app_rows(client, "select id from users where email = 'admin@example.com'")[0]["id"]
    refused = post(client, f"/admin/accounts/{me}/edit", email="admin@example.com", name="Portal Admin",
                   role="customer", contact_id=str(ALICE_CONTACT_ID))
    assert refused.status_code == 400 and "You cannot stop being an administrator" in refused.text
    assert app_rows(client, "select role, contact_id from users where id = ?", [me])[0] == {"role": "admin", "contact_id": None}
    # Their name and e-mail they may change.
    assert post(client, f"/admin/accounts/{me}/edit", email="admin@example.com", name="Head Admin",
                role="admin").status_code == 303


def test_an_edit_when_brightpearl_is_down(client, sandbox):
    user_id = bob_id(client)
    sandbox.fail("contact-service", 503)
    page = client.get(f"/admin/accounts/{user_id}/edit")
    assert page.status_code == 200 and "can’t be shown right now" in page.text
    # A name needs no Brightpearl; another contact does, and nothing is saved without it.
    assert post(client, f"/admin/accounts/{user_id}/edit", email="bob@example.com", name="Bobby",
                role="customer", contact_id=str(BOB_CONTACT_ID)).status_code == 303
    refused = post(client, f"/admin/accounts/{user_id}/edit", email="bob@example.com", name="Bobby",
                   role="customer", contact_id=str(TOM_CONTACT_ID))
    assert refused.status_code == 400 and "could not be looked up" in refused.text
    assert app_rows(client, "select contact_id from users where id = ?", [user_id])[0]["contact_id"] == BOB_CONTACT_ID


def test_an_unknown_login_is_a_404(client):
    assert client.get("/admin/accounts/999999/edit").status_code == 404
    assert post(client, "/admin/accounts/999999/edit", email="x@example.com").status_code == 404


@pytest.mark.parametrize("email", ["alice@example.com", "sam@example.com"])
def test_customers_and_suppliers_cannot_reach_these_pages(client, email):
    user_id = bob_id(client)
    switch_to(client, email)
    before = users_count(client)
    # The admin area answers them exactly like a missing page.
    assert client.get("/admin/accounts/new?find=tom.lowe@example.com").status_code == 404
    assert post(client, "/admin/accounts/new", kind="admin", email="sneaky@example.com", handover="link").status_code == 404
    assert client.get(f"/admin/accounts/{user_id}/edit").status_code == 404
    assert post(client, f"/admin/accounts/{user_id}/edit", email="sneaky@example.com", role="customer").status_code == 404
    assert client.get("/admin/accounts?q=bob").status_code == 404
    assert users_count(client) == before
    assert app_rows(client, "select email from users where id = ?", [user_id])[0]["email"] == "bob@example.com"
    client.cookies.clear()
    assert client.get("/admin/accounts/new", follow_redirects=False).headers["location"].startswith("/login")


def test_an_action_on_the_list_goes_back_to_the_list_as_it_was(client):
    many_logins(client)
    page = client.get("/admin/accounts?q=shopper&role=customer&page=2").text
    assert 'name="back" value="q=shopper&amp;role=customer&amp;page=2"' in page
    target = app_rows(client, "select id from users where email = 'shopper04@example.org'")[0]["id"]
    done = post(client, f"/admin/accounts/{target}/active", active="0", back="q=shopper&role=customer&page=2&evil=1")
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/accounts?q=shopper&role=customer&page=2&done=deactivated"
    # Whatever `back` holds, only the list's own filters come out of it.
    odd = post(client, f"/admin/accounts/{target}/active", active="1", back="https://elsewhere.example/&role=wizard")
    assert odd.headers["location"] == "/admin/accounts?done=reactivated"
