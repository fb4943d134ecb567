"""The admin's import of logins from CSV or XLSX: the upload form and its sample, files refused
whole (formulas, renamed files, binary, not UTF-8, too large, unknown columns), the dry run with
every kind of row error, applying in one transaction (only the rows the admin saw; twice does
nothing), the report without passwords or formulas, Brightpearl down, admins only."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from litestar.testing import TestClient
from openpyxl import Workbook
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

from portal.accounts.importing import MAX_BYTES

FIXTURES = Path(__file__).parent / "fixtures" / "import"
LOGINS = (FIXTURES / "logins.csv").read_bytes()
TEMPORARY = "Tom-temporary-2026"


@pytest.fixture
def sandbox():
    return fresh_sandbox()


@pytest.fixture
def client(tmp_path, sandbox):
    app = portal_app(portal_settings(tmp_path), sandbox)
    with TestClient(app, base_url=BASE_URL) as client:
        switch_to(client, "admin@example.com")
        yield client


def upload(client: TestClient, filename: str, content: bytes, role: str = "customer"):
    return client.post("/admin/import", data={"role": role, "_csrf_token": client.cookies["csrftoken"]},
                       files={"file": (filename, content, "application/octet-stream")}, follow_redirects=False)


def uploaded(client: TestClient, filename: str, content: bytes, role: str = "customer") -> str:
    """Upload a file that is accepted; the path of its dry run."""
    response = upload(client, filename, content, role)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def fingerprint(page: str) -> str:
    found = re.search(r'name="rows" value="([^"]*)"', page)
    assert found, "no apply form on the page"
    return found.group(1)


def apply(client: TestClient, path: str, rows: str):
    return client.post(path + "/apply", data={"rows": rows, "_csrf_token": client.cookies["csrftoken"]},
                       follow_redirects=False)


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def users_named(client: TestClient, *emails: str) -> list[dict]:
    marks = ",".join("?" * len(emails))
    return app_rows(client, f"select * from users where email in ({marks}) order by email", emails)  # noqa: S608


def section_of(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start: page.find("</section>", start)]


def row_html(page: str, line: int) -> str:
    start = page.index(f'id="row-{line}"')
    ends = [i for i in (page.find('<li class="import-row"', start), page.find("</section>", start)) if i >= 0]
    return page[start:min(ends)]


def test_the_form_explains_the_columns_and_offers_a_sample(client):
    page = client.get("/admin/import")
    assert page.status_code == 200
    assert 'type="file"' in page.text and 'accept=".csv,.xlsx"' in page.text and 'enctype="multipart/form-data"' in page.text
    assert '<label for="import-file">' in page.text and 'name="role"' in page.text
    assert "temporary password" in page.text and "contact id" in page.text
    sample = client.get("/admin/import/sample.csv")
    assert sample.status_code == 200 and sample.headers["content-disposition"].startswith("attachment")
    assert sample.headers["content-type"].startswith("text/csv")
    assert next(csv.reader(io.StringIO(sample.text))) == ["email", "name", "temporary password", "contact id"]
    # The sample itself is a file the import accepts.
    assert upload(client, "sample.csv", sample.content).status_code == 303


def test_the_dry_run_shows_every_error_and_creates_nothing(client):
    before = app_rows(client, "select count(*) as n from users")[0]["n"]
    path = uploaded(client, "logins.csv", LOGINS)
    page = client.get(path)
    assert page.status_code == 200
    text = page.text
    errors = section_of(text, "errors-heading")
    ready = section_of(text, "good-heading")
    assert "Rows with errors (8)" in text and "Ready to create (2)" in text
    assert "Several Brightpearl contacts have this email" in errors and "Porter Joinery" in errors  # row 3
    assert "A customer login for this email already exists." in errors  # row 4: alice
    assert "“not-an-email” is not an email address." in errors  # row 5
    assert "No Brightpearl contact has this email: give the contact id." in errors  # row 6
    assert "The same email as row 2." in errors  # row 7: TOM.LOWE again
    assert row_html(text, 7).count("<li>") == 1  # a repeated row is not looked up in Brightpearl
    assert "Contact 1004 is a supplier in Brightpearl: import it as a supplier." in errors  # row 9
    assert "The temporary password is refused: This is one of the most common passwords" in errors  # row 10
    assert "No Brightpearl contact has the id 999999." in errors  # row 11
    assert 'id="row-2"' in ready and "Will create a customer login for contact 1002" in ready
    assert "with the temporary password given" in ready
    assert 'id="row-8"' in ready and "email in Brightpearl is bob@example.com" in ready  # a warning, not an error
    # Passwords are never shown back.
    assert TEMPORARY not in text and ">password<" not in text and "given (not shown)" in text
    assert app_rows(client, "select count(*) as n from users")[0]["n"] == before
    assert 'Create 2 logins' in text
    # The import keeps hashes, never the passwords.
    (stored,) = app_rows(client, "select rows, state, created_by from imports")
    assert TEMPORARY not in stored["rows"] and "$argon2" in stored["rows"] and stored["state"] == "checked"
    assert [r["action"] for r in app_rows(client, "select action from audit where action like 'accounts_import%'")] == [
        "accounts_import_uploaded"]


def test_an_xlsx_file_is_read_like_a_csv(client):
    content = xlsx([["E-mail", "Contact_ID", "name"], ["tom.lowe@example.com", None, None],
                    ["accounts@mitchell.example.com", 1003, "Accounts"], [None, None, None], ["bad@", None, None]])
    page = client.get(uploaded(client, "logins.xlsx", content)).text
    assert "Ready to create (2)" in page and "Rows with errors (1)" in page
    assert "contact 1003" in page and "“bad@” is not an email address." in page
    assert 'id="row-5"' in page  # the blank row 4 is skipped, numbers stay the file's


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def xlsx_with_formula() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["email", "name"])
    sheet.append(["tom.lowe@example.com", "=HYPERLINK(\"http://evil.example\",\"x\")"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


REFUSED = [
    ("formula.csv", (FIXTURES / "formula.csv").read_bytes(), "Row 2, column B starts with “=”"),
    ("at.csv", b"email,name\r\ntom.lowe@example.com,@SUM(1)\r\n", "Row 2, column B starts with “@”"),
    ("minus.csv", b"email,name\r\n-2+3,x\r\n", "Row 2, column A starts with “-”"),
    ("tab.csv", b"email,name\r\ntom.lowe@example.com,\"\tx\"\r\n", "starts with “a tab”"),
    ("formula.xlsx", xlsx_with_formula(), "Row 2, column B is a formula"),
    ("renamed.xlsx", LOGINS, "This is not an .xlsx file"),
    ("letter.xlsx", docx(), "it is an archive but not an Excel workbook"),
    ("book.csv", xlsx([["email"], ["tom.lowe@example.com"]]), "This file is not a CSV file"),
    ("binary.csv", b"email\r\n\x00\x01\x02\xff", "holds binary data"),
    ("latin1.csv", (FIXTURES / "latin1.csv").read_bytes(), "is not in UTF-8"),
    ("big.csv", b"email\r\n" + b"x@example.com\r\n" * (MAX_BYTES // 15 + 10), "larger than 512 KB"),
    ("many.csv", b"email\r\n" + b"".join(b"p%d@example.com\r\n" % i for i in range(2001)), "more than 2,000 rows"),
    ("columns.csv", b"email,phone,role\r\nx@example.com,1,2\r\n", "Unknown columns “phone”, “role”"),
    ("noheader.csv", b"tom.lowe@example.com,Tom\r\n", "Unknown columns"),
    ("names.csv", b"name\r\nTom\r\n", "with an email column"),
    ("twice.csv", b"email,e-mail\r\nx@example.com,y@example.com\r\n", "appears twice"),
    ("empty.csv", b"", "The file is empty."),
    ("header-only.csv", b"email,name\r\n", "no rows under it"),
    ("logins.txt", LOGINS, "Upload a .csv or .xlsx file"),
    ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 40, "This is not an .xlsx file"),
]


@pytest.fixture(scope="module")
def admin(tmp_path_factory):
    """One admin's client for the refusals: a refused file changes nothing."""
    app = portal_app(portal_settings(tmp_path_factory.mktemp("refusals")), fresh_sandbox())
    with TestClient(app, base_url=BASE_URL) as client:
        switch_to(client, "admin@example.com")
        yield client


@pytest.mark.parametrize(("filename", "content", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_file_that_is_not_what_it_claims_or_unsafe_is_refused_whole(admin, filename, content, message):
    client = admin
    response = upload(client, filename, content)
    assert response.status_code == 400
    assert message in response.text.replace("&#34;", '"')
    assert 'aria-invalid="true"' in response.text and 'role="alert"' in response.text
    assert app_rows(client, "select count(*) as n from imports")[0]["n"] == 0


def test_no_file_chosen_is_said_beside_the_field(client):
    response = client.post("/admin/import", data={"role": "customer", "_csrf_token": client.cookies["csrftoken"]},
                           files={"file": ("", b"", "application/octet-stream")})
    assert response.status_code == 400 and "Choose a .csv or .xlsx file" in response.text


def test_applying_creates_the_valid_rows_once_and_audits_them(client):
    path = uploaded(client, "logins.csv", LOGINS)
    rows = fingerprint(client.get(path).text)
    assert rows == "2,8"
    done = apply(client, path, rows)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=applied")
    page = client.get(done.headers["location"]).text
    assert "The import is applied" in page and "Created (2)" in page and "Not imported (8)" in page
    assert 'name="rows"' not in page  # nothing left to apply
    accounts, tom = users_named(client, "tom.lowe@example.com", "accounts@mitchell.example.com")
    assert (tom["role"], tom["contact_id"], tom["name"], tom["must_change_password"]) == ("customer", 1002, "Tom Lowe", 1)
    assert (accounts["contact_id"], accounts["name"], accounts["must_change_password"]) == (1003, "Bob's accounts", 0)
    assert accounts["password_hash"].startswith("!imported-without-password:")
    # Tom logs in with the temporary password and must choose another; the other has no password yet.
    client.cookies.clear()
    assert login(client, "accounts@mitchell.example.com", "!imported-without-password:").status_code != 303
    assert login(client, "tom.lowe@example.com", TEMPORARY).status_code == 303
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/password")
    switch_to(client, "admin@example.com")
    # Applying again does nothing.
    again = apply(client, path, rows)
    assert again.status_code == 303 and again.headers["location"].endswith("?done=already")
    assert "applied already" in client.get(again.headers["location"]).text
    assert len(users_named(client, "tom.lowe@example.com", "accounts@mitchell.example.com")) == 2
    (imported,) = app_rows(client, "select state, applied_at, rows from imports")
    assert imported["state"] == "applied" and imported["applied_at"] and "$argon2" not in imported["rows"]
    (summary,) = app_rows(client, "select target, detail, actor_email from audit where action = 'accounts_imported'")
    assert summary["actor_email"] == "admin@example.com" and summary["target"].startswith("import:")
    assert '"created": 2' in summary["detail"] and '"not_imported": 8' in summary["detail"]
    assert '"with_temporary_password": 1' in summary["detail"]
    each = app_rows(client, "select target from audit where action = 'account_imported' order by id")
    assert [r["target"] for r in each] == [f"user:{tom['id']}", f"user:{accounts['id']}"]


def test_a_login_created_after_the_dry_run_stops_the_apply_and_nothing_is_created(client):
    path = uploaded(client, "logins.csv", LOGINS)
    seen = fingerprint(client.get(path).text)
    users = components(client.app).users
    on_loop(client, lambda: users.add(email="tom.lowe@example.com", password_hash="x", role="customer", contact_id=1002))
    stopped = apply(client, path, seen)
    assert stopped.status_code == 409
    assert "Something changed since this check was shown" in stopped.text
    assert "Ready to create (1)" in stopped.text and "A customer login for this email already exists." in stopped.text
    assert users_named(client, "accounts@mitchell.example.com") == []
    assert app_rows(client, "select state from imports")[0]["state"] == "checked"
    assert app_rows(client, "select count(*) as n from audit where action = 'accounts_imported'")[0]["n"] == 0
    # The admin reviews the check again and applies what is left.
    assert apply(client, path, fingerprint(stopped.text)).status_code == 303
    assert len(users_named(client, "accounts@mitchell.example.com")) == 1


def test_the_report_has_every_row_no_password_and_no_formula(client):
    content = xlsx([["email", "name", "password", "contact id"],
                    ["tom.lowe@example.com", "@Tom", TEMPORARY, None],
                    ["ghost@example.com", "-Ghost", None, 999999]])
    path = uploaded(client, "people.xlsx", content)
    dry = client.get(path + "/report.csv")
    assert dry.status_code == 200 and 'filename="import-' in dry.headers["content-disposition"]
    assert dry.headers["content-disposition"].startswith("attachment") and "dry-run" in dry.headers["content-disposition"]
    assert [r["result"] for r in csv.DictReader(io.StringIO(dry.text.lstrip("\ufeff")))] == ["ready", "error"]
    apply(client, path, fingerprint(client.get(path).text))
    report = client.get(path + "/report.csv")
    assert TEMPORARY not in report.text
    tom, ghost = list(csv.DictReader(io.StringIO(report.text.lstrip("\ufeff"))))
    assert (tom["row"], tom["email"], tom["name"], tom["contact id"]) == ("2", "tom.lowe@example.com", "'@Tom", "1002")
    assert tom["result"] == "created" and tom["temporary password"] == "given" and "Created a customer login" in tom["message"]
    assert (ghost["name"], ghost["result"]) == ("'-Ghost", "error") and "999999" in ghost["message"]


def test_when_brightpearl_is_down_the_dry_run_says_so_and_apply_is_refused(client, sandbox):
    path = uploaded(client, "logins.csv", LOGINS)
    components(client.app).cache.clear()
    sandbox.fail("contact-service", 503)
    page = client.get(path)
    assert page.status_code == 200
    assert "Brightpearl could not be reached" in page.text and 'name="rows"' not in page.text
    assert "Not checked (6)" in page.text and "Rows with errors (4)" in page.text  # errors of the file itself still show
    refused = apply(client, path, "2,8")
    assert refused.status_code == 503 and "nothing was created" in refused.text
    assert users_named(client, "tom.lowe@example.com") == []


def test_a_supplier_import_wants_supplier_contacts(client):
    content = b"email,contact id\r\nreid.orders@example.com,1004\r\nbob.two@example.com,1003\r\n"
    page = client.get(uploaded(client, "suppliers.csv", content, role="supplier")).text
    assert "supplier logins" in page and "Will create a supplier login for contact 1004" in page
    assert "Contact 1003 is a customer in Brightpearl: import it as a customer." in page
    path = uploaded(client, "suppliers.csv", content, role="supplier")
    apply(client, path, fingerprint(client.get(path).text))
    (reid,) = users_named(client, "reid.orders@example.com")
    assert (reid["role"], reid["contact_id"]) == ("supplier", 1004)


def test_only_admins_reach_the_import(client):
    path = uploaded(client, "logins.csv", LOGINS)
    switch_to(client, "alice@example.com")
    # Answered as every admin page is answered to a customer.
    refused = client.get("/admin/outbox", follow_redirects=False).status_code
    assert refused in (403, 404)
    for target in ("/admin/import", "/admin/import/sample.csv", path, path + "/report.csv"):
        assert client.get(target, follow_redirects=False).status_code == refused
    # (A form without the file: the refused request's upload would be left unclosed by the framework.)
    assert client.post("/admin/import", data={"role": "customer", "_csrf_token": client.cookies["csrftoken"]},
                       follow_redirects=False).status_code == refused
    assert apply(client, path, "2,8").status_code == refused
    switch_to(client, "admin@example.com")
    assert client.get("/admin/import/999").status_code == 404
    assert users_named(client, "tom.lowe@example.com") == []
