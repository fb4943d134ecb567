"""Reading and keeping an import without the web: CSV dialects and headings, XLSX cells,
column letters, the report's formula guard, and creating many logins in one transaction."""

from __future__ import annotations

import asyncio
import io

import pytest
from openpyxl import Workbook

from portal.accounts.importing import (
    ImportRefused,
    Imports,
    column_name,
    prepare,
    read_csv,
    read_upload,
    read_xlsx,
    report_csv,
    unusable_hash,
)
from portal.core.db import open_database
from portal.core.users import UserError, UserStore
from portal.security.passwords import Passwords


def test_csv_headings_are_matched_loosely_and_blank_rows_skipped():
    data = "\ufeffE-Mail;Full Name;Temporary_Password;CONTACT_ID\r\n a@example.com ; Ann ; pw with spaces ;207\r\n;;;\r\n"
    (row,) = read_csv(data.encode())
    assert row == {"line": 2, "email": "a@example.com", "name": "Ann", "password": " pw with spaces ", "contact_id": "207"}


def test_a_tab_separated_file_is_read():
    rows = read_csv(b"email\tname\nb@example.com\tBea\n")
    assert [(r["email"], r["name"]) for r in rows] == [("b@example.com", "Bea")]


def test_a_value_in_a_column_without_heading_is_refused():
    with pytest.raises(ImportRefused, match="Row 2, column C has a value but its column has no heading"):
        read_csv(b"email,name,\r\na@example.com,Ann,extra\r\n")


def test_quoting_errors_are_refused():
    with pytest.raises(ImportRefused, match="cannot be read"):
        read_csv(b'email,name\r\na@example.com,"Ann\r\n')


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_column_letters(index, letters):
    assert column_name(index) == letters


def book(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_numbers_and_text_become_the_text_they_show():
    rows = read_xlsx(book([["Email", "Contact ID", "Name"], ["c@example.com", 207.0, 12]]))
    assert rows == [{"line": 2, "email": "c@example.com", "name": "12", "password": "", "contact_id": "207"}]


def test_an_xlsx_formula_anywhere_is_refused_with_its_place():
    data = book([["email", "name"], ["c@example.com", "Cy"], ["d@example.com", "=1+1"]])
    with pytest.raises(ImportRefused, match="Row 3, column B is a formula"):
        read_upload("x.xlsx", data)


def test_a_zip_that_unpacks_to_too_much_is_refused():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    assert len(out.getvalue()) < 512 * 1024
    with pytest.raises(ImportRefused, match="unpacks to far more"):
        read_upload("bomb.xlsx", out.getvalue())


def test_the_report_guards_every_formula_start():
    text = report_csv([{"row": 2, "email": "=a@example.com", "name": "+x", "contact id": "-1", "result": "@r",
                        "temporary password": "none", "message": "\tm"}])
    assert text.splitlines()[1] == "2,'=a@example.com,'+x,'-1,none,'@r,'\tm"


def test_passwords_are_kept_as_hashes_or_their_problem():
    rows = [{"line": 2, "email": "a@example.com", "name": "", "password": "a-long-temporary-one", "contact_id": ""},
            {"line": 3, "email": "b@example.com", "name": "", "password": "short", "contact_id": ""},
            {"line": 4, "email": "c@example.com", "name": "", "password": "", "contact_id": ""}]
    passwords = Passwords(fast=True)
    kept = asyncio.run(prepare(rows, passwords.hash))
    assert all("password" not in row for row in kept)
    assert kept[0]["password_hash"].startswith("$argon2") and kept[0]["password_problem"] is None
    assert kept[1]["password_hash"] is None and "at least 8" in kept[1]["password_problem"]
    assert (kept[2]["has_password"], kept[2]["password_hash"]) == (False, None)
    ok, _ = asyncio.run(passwords.verify(kept[0]["password_hash"], "a-long-temporary-one"))
    assert ok
    # No password at all verifies against the hash of a login imported without one.
    marker = unusable_hash()
    assert asyncio.run(passwords.verify(marker, marker)) == (False, None)
    assert asyncio.run(passwords.verify(marker, "")) == (False, None)


@pytest.fixture
def store(tmp_path):
    db = open_database(tmp_path / "portal.db")
    yield UserStore(db)
    db.close()


def login_row(email: str, contact_id: int = 1002) -> dict:
    return {"email": email, "password_hash": unusable_hash(), "role": "customer", "contact_id": contact_id,
            "name": "", "must_change_password": False}


def test_many_logins_are_created_in_one_transaction(store):
    ids = store.add_many([login_row("a@example.com"), login_row("B@Example.com", 1003)])
    assert [store.row(i)["email"] for i in ids] == ["a@example.com", "b@example.com"]


def test_an_existing_login_midway_creates_nothing(store):
    store.add(email="b@example.com", password_hash="x", role="customer", contact_id=1)
    with pytest.raises(UserError, match="already exists"):
        store.add_many([login_row("a@example.com"), login_row("b@example.com"), login_row("c@example.com")])
    assert [r["email"] for r in store.listing()] == ["b@example.com"]


def test_what_also_raises_rolls_the_logins_back(store):
    imports = Imports(store.db)
    import_id = imports.add(filename="f.csv", role="customer", rows=[], created_by=1)

    def also(ids: list[int]) -> None:
        assert imports.mark_applied(imports.get(import_id), [])
        raise RuntimeError("the audit could not be written")

    with pytest.raises(RuntimeError):
        store.add_many([login_row("a@example.com")], also=also)
    assert store.listing() == [] and imports.get(import_id).state == "checked"


def test_an_import_is_marked_applied_once(store):
    imports = Imports(store.db)
    import_id = imports.add(filename="f.csv", role="supplier", rows=[{"line": 2, "password_hash": "$argon2x"}], created_by=1)
    imported = imports.get(import_id)
    assert imported.role == "supplier" and not imported.applied
    assert imports.mark_applied(imported, [{"row": 2}]) is True
    assert imports.mark_applied(imported, [{"row": 2}]) is False
    again = imports.get(import_id)
    assert again.applied and again.report == [{"row": 2}] and again.rows == [{"line": 2, "password_hash": None}]


def test_a_bad_row_is_refused_before_anything_is_written(store):
    with pytest.raises(UserError):
        store.add_many([login_row("a@example.com"), {**login_row("x@example.com"), "role": "admin"}])
    assert store.listing() == []
