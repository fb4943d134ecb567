"""Answering a quote in Chromium: Alice declines her last open quote with a reason and sees her
answer on the page (at 1280 and 390 px, nothing wider than the screen); without JavaScript the
request for changes shows its error beside the lines. The last open quote is used: the other
browser tests take the first ones."""

from __future__ import annotations

from axe_check import axe_violations, describe
from conftest import on_server, shoot
from playwright.sync_api import Page, expect
from test_checkout import new_quote

REASON = "The delivery date is too late for our opening."


def last_open_quote(page: Page) -> str:
    """Open the last open quote from /quotes; return its number."""
    page.goto("/quotes")
    link = page.locator("#open-quotes tbody th a").last
    number = link.inner_text().removeprefix("Quote ").strip()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    return number


def answers_of(live_server, order_id: int) -> list[dict]:
    db = live_server["app"].state["components"].db
    return on_server(live_server, lambda: list(db.query(
        "select state, payload from outbox where kind = 'quote_response' and target_id = ?", [order_id])))


def test_without_javascript_a_request_for_changes_without_lines_shows_the_error(page_without_javascript: Page, log_in):
    page = page_without_javascript
    log_in(page)
    last_open_quote(page)
    page.get_by_text("Ask for changes").click()
    page.get_by_label("What should change?").fill("Could the chairs come in oak?")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Tick the lines you want us to change.")).to_be_visible()
    expect(page.get_by_role("group", name="Lines to change")).to_have_attribute("aria-describedby", "changes-lines-error")
    expect(page.get_by_label("What should change?")).to_have_value("Could the chairs come in oak?")


def no_axe_violations(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_alice_declines_a_quote_with_a_reason(new_context, log_in, live_server):
    page = new_context(bypass_csp=True).new_page()  # axe-core is injected by the test
    log_in(page)
    number = str(new_quote(live_server))  # its own quote: the accessibility table answers the others
    page.goto(f"/quotes/{number}")
    assert answers_of(live_server, int(number)) == []
    answer_forms_opened(page)
    no_axe_violations(page)
    page.reload()  # the disclosures closed again, as the table's step finds the page
    changes_form_with_errors(page)
    no_axe_violations(page)
    shoot(page, "quote-changes-errors")
    assert answers_of(live_server, int(number)) == []
    page.get_by_text("Decline this quote").click()
    page.get_by_label("Why are you declining it?").fill(REASON)
    shoot(page, "quote-decline-form")
    page.get_by_role("button", name="Decline the quote").click()
    expect(page.get_by_role("status")).to_contain_text("you declined this quote")
    answer = page.locator("#answer")
    expect(answer).to_contain_text("You declined this quote on")
    expect(answer).to_contain_text("sent to us")
    expect(page.get_by_text("Decline this quote")).to_have_count(0)
    expect(page.get_by_text("Ask for changes")).to_have_count(0)
    shoot(page, "quote-declined")
    no_axe_violations(page)
    [row] = answers_of(live_server, int(number))
    assert row["state"] == "done" and REASON in row["payload"]
    notes = live_server["sandbox"].data.notes_for(int(number))
    assert any(f"Reason: {REASON}" in note["text"] for note in notes)


# --- steps for the accessibility table (e2e/test_accessibility.py) ------------------------------
def answer_forms_opened(page: Page) -> None:
    """Both answer forms of the quote page opened (decline, ask for changes)."""
    page.get_by_text("Decline this quote").click()
    page.get_by_text("Ask for changes").click()
    expect(page.get_by_label("What should change?")).to_be_visible()


def changes_form_with_errors(page: Page) -> None:
    """The request for changes sent with no line ticked and nothing written: both errors shown,
    nothing queued."""
    page.get_by_text("Ask for changes").click()
    page.locator("#changes-text").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Tick the lines you want us to change.")).to_be_visible()
    expect(page.locator("#changes-text[aria-invalid=true]")).to_be_visible()


def answered_quote(page: Page, live_server) -> str:
    """Alice's last open quote with an answer on it: she asks for changes to its first line (when
    it still takes answers; a request for changes leaves the forms for the decline test)."""
    path = last_open_quote_path(page)
    page.goto(path)
    if page.get_by_text("Ask for changes").count():
        page.get_by_text("Ask for changes").click()
        page.locator("#changes input[type=checkbox]").first.check()
        page.get_by_label("What should change?").fill("Twelve chairs, not four.")
        page.get_by_role("button", name="Send the request").click()
        expect(page.locator("#answer")).to_contain_text("You asked for changes on")
    return path


def last_open_quote_path(page: Page) -> str:
    page.goto("/quotes")
    return page.locator("#open-quotes tbody th a").last.get_attribute("href")
