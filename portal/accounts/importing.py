"""Logins from a spreadsheet: reading an uploaded CSV or XLSX file, checking each row against
the portal's logins and Brightpearl's contacts (the dry run), and what applying it creates.

A file is refused whole, with a message for the admin, when it is not what its name says (a
renamed .csv, a .docx, binary content), too large, has too many rows, unknown columns, or any
formula (an XLSX formula cell; a CSV cell starting with = + - @, a tab or a carriage return,
which spreadsheets would run). Otherwise every row is kept, and the check says per row what
applying will do or every reason it cannot.

A temporary password is checked and hashed when the file is read: the import keeps its hash,
never the password, and the hashes are dropped once the import is applied. A row without one
becomes a login with no usable password: the person sets one with "Forgot your password?", or
an admin mails them a reset link from the accounts page (a reset mail nobody asked for, whose
link lasts an hour, would arrive before the admin has told anyone).

No Litestar here: the admin's import section (portal/areas/admin/imports.py) calls these.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import warnings
import zipfile
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from portal.brightpearl import Brightpearl
from portal.brightpearl.errors import BrightpearlError
from portal.core.db import now_iso
from portal.core.users import EMAIL, UserStore, normalise_email
from portal.security.passwords import MAX_LENGTH, password_problem

MAX_BYTES = 512 * 1024
MAX_ROWS = 2000
MAX_NAME = 200
MAX_COLUMNS = 30  # of an XLSX sheet: a list of logins has four
# An XLSX is a zip: what its parts may add up to once unpacked (a zip bomb is refused).
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
ROLES = ("customer", "supplier")
# The hash of a login created without a password: no password verifies against it.
NO_PASSWORD_PREFIX = "!imported-without-password:"  # noqa: S105 - a marker, not a password

# The columns, by their key, with the headings each may have (compared case-insensitively,
# with "_" and "-" read as spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e mail", "email address", "e mail address"),
    "name": ("name", "full name"),
    "password": ("temporary password", "password", "temp password"),
    "contact_id": ("contact id", "contactid", "brightpearl contact id"),
}
HEADINGS = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
EXPECTED = "email (required), name, temporary password, contact id"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

SAMPLE_CSV = (
    "email,name,temporary password,contact id\r\n"
    "buyer@example.com,Jane Buyer,,\r\n"
    "orders@example.org,,Choose-a-long-one-42,207\r\n"
)


class ImportRefused(ValueError):
    """The file is refused whole; str(error) says why, for the admin."""


def _heading(text: str) -> str:
    return " ".join(re.sub(r"[_\-]", " ", text).casefold().split())


def _cell_text(value: Any) -> str:
    """A cell's value as the text it shows: whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def column_name(index: int) -> str:
    """The spreadsheet letter(s) of a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _columns(header: Sequence[str]) -> dict[int, str]:
    """Column index → key, from the header row; refuse unknown or repeated headings."""
    found: dict[int, str] = {}
    unknown: list[str] = []
    for index, text in enumerate(header):
        if not text.strip():
            continue
        key = HEADINGS.get(_heading(text))
        if key is None:
            unknown.append(text.strip()[:40])
        elif key in found.values():
            raise ImportRefused(f"The column “{text.strip()[:40]}” appears twice in the header row.")
        else:
            found[index] = key
    if unknown:
        names = ", ".join(f"“{name}”" for name in unknown[:10])
        raise ImportRefused(f"Unknown column{'s' if len(unknown) > 1 else ''} {names}. The columns are: {EXPECTED}.")
    if "email" not in found.values():
        raise ImportRefused(f"The first row must be the header, with an email column. The columns are: {EXPECTED}.")
    return found


def _rows(table: Iterable[Sequence[str]]) -> list[dict[str, Any]]:
    """The rows under the header as dicts (line = the row's number in the file); blank rows
    are skipped; a cell in a column without a heading is refused."""
    lines = iter(table)
    header = next(lines, None)
    if header is None or not any(cell.strip() for cell in header):
        raise ImportRefused(f"The file is empty: its first row must be the header ({EXPECTED}).")
    columns = _columns(header)
    rows: list[dict[str, Any]] = []
    for number, cells in enumerate(lines, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportRefused(f"The file has more than {MAX_ROWS:,} rows: split it into smaller files.")
        row: dict[str, Any] = {"line": number, "email": "", "name": "", "password": "", "contact_id": ""}
        for index, cell in enumerate(cells):
            if index in columns:
                row[columns[index]] = cell if columns[index] == "password" else cell.strip()
            elif cell.strip():
                raise ImportRefused(f"Row {number}, column {column_name(index)} has a value but its column has no heading.")
        rows.append(row)
    if not rows:
        raise ImportRefused("The file has a header row but no rows under it.")
    return rows


def read_csv(data: bytes) -> list[dict[str, Any]]:
    """The rows of a CSV file (UTF-8, with or without BOM; comma, semicolon or tab separated)."""
    if data.startswith(b"PK\x03\x04"):
        raise ImportRefused("This file is not a CSV file: it looks like a spreadsheet or an archive. "
                            "Upload an .xlsx file with the .xlsx ending, or save it as “CSV UTF-8”.")
    if b"\x00" in data:
        raise ImportRefused("This file is not a CSV file: it holds binary data. Save it as “CSV UTF-8”.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused("This CSV file is not in UTF-8: save it again as “CSV UTF-8 (comma delimited)”.") from error
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        # A formula with quotes in it breaks the quoting: say it is a formula when it is one.
        _refuse_formulas(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        raise ImportRefused(f"This CSV file cannot be read: {error}.") from error
    _refuse_formulas(table)
    return _rows(table)


def _refuse_formulas(table: Iterable[Sequence[str]]) -> None:
    for number, cells in enumerate(table, start=1):
        for index, cell in enumerate(cells):
            if cell.startswith(FORMULA_STARTS):
                raise ImportRefused(
                    f"Row {number}, column {column_name(index)} starts with “{_shown(cell[0])}”, which spreadsheets "
                    "run as a formula: files with formulas are refused. Remove the formula or that first character."
                )


def _shown(char: str) -> str:
    return {"\t": "a tab", "\r": "a carriage return"}.get(char, char)


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ImportRefused("This is not an .xlsx file: an .xlsx file is a zip archive, and this is not one. "
                            "If it is a CSV file, give it the .csv ending.") from error
    with archive:
        names = set(archive.namelist())
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise ImportRefused("This is not an .xlsx file: it is an archive but not an Excel workbook "
                                "(a Word document, perhaps). Save the sheet as .xlsx or CSV.")
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise ImportRefused("This .xlsx file unpacks to far more than a list of logins: it is refused.")


def read_xlsx(data: bytes) -> list[dict[str, Any]]:
    """The rows of the first sheet of an XLSX workbook; refused when any cell is a formula."""
    _check_zip(data)
    # Imported here: openpyxl takes a while to import, and only this needs it.
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportRefused("This .xlsx file cannot be read: it may be damaged. Open it and save it again.") from error
    try:
        sheet = book.worksheets[0]
        table: list[list[str]] = []
        filled = 0
        for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            row: list[str] = []
            for index, cell in enumerate(cells):
                if getattr(cell, "data_type", None) == "f":
                    raise ImportRefused(
                        f"Row {number}, column {column_name(index)} is a formula: files with formulas are refused. "
                        "Copy the sheet and paste it as values only."
                    )
                row.append(_cell_text(cell.value))
            table.append(row)
            filled += any(row)
            if filled > MAX_ROWS + 1 or number > MAX_ROWS * 10:
                raise ImportRefused(f"The file has more than {MAX_ROWS:,} rows: split it into smaller files.")
    except ImportRefused:
        raise
    except Exception as error:
        raise ImportRefused("This .xlsx file cannot be read: it may be damaged. Open it and save it again.") from error
    finally:
        book.close()
    return _rows(table)


def read_upload(filename: str, data: bytes) -> list[dict[str, Any]]:
    """The rows of an uploaded file, by its ending (.csv or .xlsx) and checked against its
    content; raise ImportRefused with the reason."""
    if not data:
        raise ImportRefused("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"The file is larger than {MAX_BYTES // 1024} KB: split it into smaller files.")
    ending = filename.rsplit(".", 1)[-1].casefold() if "." in filename else ""
    if ending == "csv":
        return read_csv(data)
    if ending == "xlsx":
        return read_xlsx(data)
    raise ImportRefused("Upload a .csv or .xlsx file (an .xls or .ods file: save it as .xlsx first).")


async def prepare(rows: list[dict[str, Any]], hash_password: Callable[[str], Awaitable[str]]) -> list[dict[str, Any]]:
    """The rows as the import keeps them: each temporary password replaced by its hash (or
    the reason it is refused) and whether one was given; the passwords themselves dropped."""
    kept = []
    for row in rows:
        password = row.pop("password", "")
        row["name"] = row["name"][: MAX_NAME * 2]
        row["has_password"] = bool(password)
        row["password_problem"] = None
        row["password_hash"] = None
        if password:
            problem = password_problem(password, email=normalise_email(row["email"]))
            if problem:
                row["password_problem"] = problem
            else:
                row["password_hash"] = await hash_password(password[:MAX_LENGTH])
        kept.append(row)
    return kept


@dataclass
class RowCheck:
    """What applying will do with one row, or every reason it cannot."""

    line: int
    email: str
    name: str
    contact_id: int | None
    has_password: bool
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    contact_label: str = ""
    created_user_id: int | None = None
    email_ok: bool = False  # an address, its first row in the file, with no login yet

    @property
    def ok(self) -> bool:
        return not self.errors

    def outcome(self, role: str) -> str:
        if not self.ok:
            return "Not imported: " + " ".join(self.errors)
        if self.created_user_id:
            done = f"Created a {role} login for contact {self.contact_id} {self.contact_label}".rstrip()
        else:
            done = f"Will create a {role} login for contact {self.contact_id} {self.contact_label}".rstrip()
        if self.has_password:
            return done + ", with the temporary password given (to be changed at the first login)."
        return done + ", without a password (the person sets one with “Forgot your password?”)."


@dataclass
class Check:
    """The dry run of a whole import."""

    rows: list[RowCheck]
    lookups_failed: bool = False

    @property
    def valid(self) -> list[RowCheck]:
        return [] if self.lookups_failed else [r for r in self.rows if r.ok]

    @property
    def invalid(self) -> list[RowCheck]:
        return [r for r in self.rows if not r.ok]

    def fingerprint(self) -> str:
        """The lines that would be created: the admin confirms exactly these."""
        return ",".join(str(r.line) for r in self.valid)


def _contact_id(text: str) -> tuple[int | None, str | None]:
    text = text.strip()
    if not text:
        return None, None
    if not text.isdigit() or len(text) > 12 or int(text) == 0:
        return None, f"The contact id “{text[:20]}” is not a Brightpearl contact id (a whole number)."
    return int(text), None


def _role_error(role: str, *, customer: bool, supplier: bool, staff: bool, contact_id: int) -> str | None:
    if staff:
        return f"Contact {contact_id} is a member of staff in Brightpearl, not a {role}."
    if role == "customer" and not customer:
        return f"Contact {contact_id} is a supplier in Brightpearl: import it as a supplier."
    if role == "supplier" and not supplier:
        return f"Contact {contact_id} is a customer in Brightpearl: import it as a customer."
    return None


async def check(rows: list[dict[str, Any]], *, role: str, users: UserStore, bp: Brightpearl) -> Check:
    """Check every row: the email, repeats within the file, existing logins, the temporary
    password, and the Brightpearl contact (by the id given, else by the email)."""
    checks: list[RowCheck] = []
    seen: dict[str, int] = {}
    for row in rows:
        email = normalise_email(row["email"])
        contact_id, contact_error = _contact_id(row["contact_id"])
        item = RowCheck(line=row["line"], email=email, name=" ".join(row["name"].split())[:MAX_NAME],
                        contact_id=contact_id, has_password=row["has_password"])
        if not email:
            item.errors.append("The email is missing.")
        elif not EMAIL.match(email):
            item.errors.append(f"“{email[:80]}” is not an email address.")
        elif email in seen:
            item.errors.append(f"The same email as row {seen[email]}.")
        else:
            seen[email] = item.line
            existing = users.by_email(email)
            if existing:
                item.errors.append(f"A {existing['role']} login for this email already exists.")
            else:
                item.email_ok = True
        if contact_error:
            item.errors.append(contact_error)
        if row["password_problem"]:
            item.errors.append(f"The temporary password is refused: {row['password_problem']}")
        checks.append(item)
    result = Check(checks)
    try:
        await _look_up(result, role=role, bp=bp)
    except BrightpearlError:
        result.lookups_failed = True
    return result


async def _look_up(result: Check, *, role: str, bp: Brightpearl) -> None:
    by_id = await bp.contacts.many(sorted({r.contact_id for r in result.rows if r.contact_id}))
    for item in result.rows:
        if item.contact_id:
            contact = by_id.get(item.contact_id)
            if contact is None:
                item.errors.append(f"No Brightpearl contact has the id {item.contact_id}.")
                continue
            problem = _role_error(role, customer=contact.is_customer, supplier=contact.is_supplier,
                                  staff=contact.is_staff, contact_id=contact.id)
            if problem:
                item.errors.append(problem)
            item.contact_label = _label(contact.company_name, contact.full_name)
            item.name = item.name or contact.full_name
            if contact.email and item.email and contact.email.strip().casefold() != item.email:
                item.warnings.append(f"Contact {contact.id}'s email in Brightpearl is {contact.email}: "
                                     "the login uses the email of the file.")
        elif item.email_ok:
            found = await bp.contacts.by_email(item.email)
            if not found:
                item.errors.append("No Brightpearl contact has this email: give the contact id.")
            elif len(found) > 1:
                names = "; ".join(f"{_label(c.company_name, c.full_name)} (contact {c.contact_id})" for c in found[:5])
                item.errors.append(f"Several Brightpearl contacts have this email: {names}. Give the contact id.")
            else:
                (contact,) = found
                item.contact_id = contact.contact_id
                problem = _role_error(role, customer=contact.is_customer or not (contact.is_supplier or contact.is_staff),
                                      supplier=contact.is_supplier, staff=contact.is_staff, contact_id=contact.contact_id)
                if problem:
                    item.errors.append(problem)
                item.contact_label = _label(contact.company_name, contact.full_name)
                item.name = item.name or contact.full_name


def _label(company: str, name: str) -> str:
    if company and name and company != name:
        return f"{company} ({name})"
    return company or name


def unusable_hash() -> str:
    """The password hash of a login imported without a password: nothing verifies against it."""
    return NO_PASSWORD_PREFIX + secrets.token_hex(16)


@dataclass(frozen=True)
class Import:
    """One uploaded file, as kept in the `imports` table."""

    id: int
    created_by: int | None
    created_at: str
    filename: str
    role: str
    rows: list[dict[str, Any]]
    state: str
    applied_at: str | None
    report: list[dict[str, Any]]

    @property
    def applied(self) -> bool:
        return self.state == "applied"


class Imports:
    """The `imports` table: an upload's rows ({"role", "rows"} as JSON) and, once applied, its report."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, *, filename: str, role: str, rows: list[dict[str, Any]], created_by: int) -> int:
        payload = json.dumps({"role": role, "rows": rows})
        return int(self.db["imports"].insert({"created_by": created_by, "created_at": now_iso(),
                                              "filename": filename[:200], "rows": payload,
                                              "state": "checked"}).last_pk)

    def get(self, import_id: int) -> Import | None:
        found = list(self.db.query("select * from imports where id = ?", [import_id]))
        if not found:
            return None
        row = found[0]
        payload = json.loads(row["rows"])
        return Import(id=row["id"], created_by=row["created_by"], created_at=row["created_at"],
                      filename=row["filename"], role=payload["role"], rows=payload["rows"], state=row["state"],
                      applied_at=row["applied_at"], report=json.loads(row["report"] or "[]"))

    def mark_applied(self, imported: Import, report: list[dict[str, Any]]) -> bool:
        """Mark the import applied with its report, and forget its password hashes; False when
        it already was (call inside the transaction that creates the logins)."""
        rows = [{**r, "password_hash": None} for r in imported.rows]
        cursor = self.db.execute(
            "update imports set state = 'applied', applied_at = ?, report = ?, rows = ? "
            "where id = ? and state = 'checked'",
            [now_iso(), json.dumps(report), json.dumps({"role": imported.role, "rows": rows}), imported.id],
        )
        return cursor.rowcount == 1


REPORT_COLUMNS = ("row", "email", "name", "contact id", "temporary password", "result", "message")


def report_rows(result: Check, role: str) -> list[dict[str, Any]]:
    """The report of a check or an applied import: one entry per row, no passwords."""
    out = []
    for item in result.rows:
        if result.lookups_failed and item.ok:
            state, message = "not checked", "Brightpearl could not be reached to check the contact."
        elif not item.ok:
            state, message = "error", " ".join(item.errors)
        else:
            state = "created" if item.created_user_id else "ready"
            message = item.outcome(role) + (" " + " ".join(item.warnings) if item.warnings else "")
        out.append({"row": item.line, "email": item.email, "name": item.name, "contact id": item.contact_id or "",
                    "temporary password": "given" if item.has_password else "none", "result": state,
                    "message": message, "errors": list(item.errors), "warnings": list(item.warnings),
                    "outcome": item.outcome(role) if item.ok else ""})
    return out


def _safe_cell(value: Any) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def report_csv(report: list[dict[str, Any]]) -> str:
    """The report as CSV text; a cell a spreadsheet would run as a formula starts with '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    for entry in report:
        writer.writerow([_safe_cell(entry.get(column, "")) for column in REPORT_COLUMNS])
    return out.getvalue()
