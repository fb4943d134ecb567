"""An admin imports logins from a CSV file in Chromium: the dry run shows the good rows and
every bad one, applying creates the good ones, and the report downloads. Also the steps the
accessibility table uses (a refused file; a dry run with errors)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from conftest import SHOTS
from playwright.sync_api import Page, expect

# Emails no other test uses: the live server is shared by the whole session.
GOOD = "import.e2e@example.com"  # contact 1002 (Tom Lowe), a customer
CSV = (
    "email,name,temporary password,contact id\r\n"
    f"{GOOD},Imported Tom,Imported-temp-2026,1002\r\n"
    "import.e2e.nobody@example.com,,,\r\n"
    "not-an-email,,,\r\n"
    f"{GOOD.upper()},,,\r\n"
    "jo.porter@example.com,,,\r\n"
    "import.e2e.supplier@example.com,,,1004\r\n"
    "import.e2e.weak@example.com,,password,1003\r\n"
)
# For the accessibility table: a file with errors only, so it never creates a login.
ERRORS_ONLY = "email,contact id\r\nnot-an-email,\r\nalice@example.com,\r\nimport.a11y@example.com,999999\r\n"


def choose(page: Page, name: str, content: str) -> None:
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content.encode()}
    )


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def import_file_checked(page: Page) -> None:
    """Accessibility step: on /admin/import, upload a file whose rows all have errors."""
    choose(page, "errors.csv", ERRORS_ONLY)
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")


def import_file_refused(page: Page) -> None:
    """Accessibility step: on /admin/import, upload a file with a formula (refused beside the field)."""
    choose(page, "formula.csv", "email,name\r\nx@example.com,=1+1\r\n")
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_label("CSV or Excel (.xlsx) file")).to_have_attribute("aria-invalid", "true")


def test_an_admin_imports_logins_checks_them_applies_and_downloads_the_report(page: Page, log_in):
    log_in(page, "admin@example.com")
    page.goto("/admin/import")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import logins")
    shoot(page, "import-upload")

    import_file_refused(page)
    expect(page.get_by_role("alert")).to_contain_text("Row 2, column B starts with “=”")
    shoot(page, "import-refused")

    choose(page, "logins.csv", CSV)
    page.get_by_role("button", name="Upload and check").click()
    expect(page).to_have_url(re.compile(r"/admin/import/\d+$"))
    errors = page.locator("section", has=page.get_by_role("heading", name=re.compile(r"^Rows with errors")))
    expect(errors.get_by_role("heading", level=2)).to_have_text("Rows with errors (6)")
    for message in ("No Brightpearl contact has this email", "“not-an-email” is not an email address.",
                    "The same email as row 2.", "Several Brightpearl contacts have this email",
                    "Contact 1004 is a supplier in Brightpearl", "The temporary password is refused"):
        expect(errors).to_contain_text(message)
    ready = page.locator("#row-2")
    expect(ready).to_contain_text("Will create a customer login for contact 1002")
    expect(page.locator("main")).not_to_contain_text("Imported-temp-2026")
    shoot(page, "import-check")

    with page.expect_download() as dry_run:
        page.get_by_role("link", name="Download the check (CSV)").click()
    assert "dry-run" in dry_run.value.suggested_filename

    page.get_by_role("button", name="Create 1 login").click()
    expect(page.get_by_role("status")).to_contain_text("The import is applied")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import applied")
    expect(page.locator("#row-2")).to_contain_text("Created a customer login for contact 1002")
    shoot(page, "import-applied")

    with page.expect_download() as report:
        page.get_by_role("link", name="Download the report (CSV)").click()
    text = Path(report.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["result"] for r in rows] == ["created"] + ["error"] * 6
    assert rows[0]["email"] == GOOD and "Imported-temp-2026" not in text

    # The new login works with its temporary password, which must be changed at once.
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("Email").fill(GOOD)
    page.get_by_label("Password").fill("Imported-temp-2026")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/password"))


def test_the_import_works_without_javascript(page_without_javascript: Page, log_in):
    page = page_without_javascript
    log_in(page, "admin@example.com")
    page.goto("/admin/import")
    import_file_checked(page)
    expect(page.locator("main")).to_contain_text("No row can be imported.")
    expect(page.get_by_role("button", name=re.compile(r"^Create"))).to_have_count(0)
