"""A customer in a real browser: log in, list, filter, page, open an order, log out."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_customer_journey_with_javascript(page: Page, artifacts, log_in):
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto("/login")
    page.screenshot(path=artifacts / "login.png", full_page=True, caret="initial")
    log_in(page)
    page.goto("/orders")
    expect(page.get_by_role("heading", name="Your orders")).to_be_visible()
    rows = page.locator("table.orders tbody tr")
    expect(rows).to_have_count(25)
    page.screenshot(path=artifacts / "orders.png", full_page=True, caret="initial")

    # Filter by status through htmx: the table changes and the URL follows.
    status = page.get_by_label("Status")
    option = status.locator("option").nth(1)
    name = option.inner_text()
    value = option.get_attribute("value")
    with page.expect_response(re.compile(r"/orders\?")) as response:
        status.select_option(value)
    assert response.value.request.headers.get("hx-request") == "true"
    expect(page).to_have_url(re.compile(rf"status={value}"))
    for text in page.locator("table.orders tbody .status").all_inner_texts():
        assert text == name

    # Search by a reference typed into the box.
    page.get_by_label("Status").select_option("")
    expect(page).not_to_have_url(re.compile(r"status=\d"))
    first_link = page.locator("table.orders tbody th a").first
    reference = first_link.inner_text()
    page.get_by_label("Reference or order number").fill(reference)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("table.orders tbody th a").first).to_have_text(reference)

    # Page through the unfiltered history.
    page.get_by_label("Reference or order number").fill("")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Older →").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.get_by_text(re.compile(r"page 2 of \d+"))).to_be_visible()

    # Open an order.
    page.locator("table.orders tbody th a").first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Order "))).to_be_visible()
    expect(page.get_by_role("heading", name="Items")).to_be_visible()
    expect(page.get_by_role("heading", name="Shipments")).to_be_visible()
    page.screenshot(path=artifacts / "order.png", full_page=True, caret="initial")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto("/orders")
    expect(page).to_have_url(re.compile(r"/login"))
    assert violations == []


def test_customer_journey_without_javascript(page_without_javascript: Page, artifacts, log_in):
    page = page_without_javascript
    log_in(page, "bob@example.com")
    page.goto("/orders")
    expect(page.locator("table.orders tbody tr").first).to_be_visible()
    status = page.get_by_label("Status")
    value = status.locator("option").nth(1).get_attribute("value")
    status.select_option(value)
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(rf"status={value}"))
    page.locator("table.orders tbody th a").first.click()
    expect(page.get_by_role("heading", name="Items")).to_be_visible()
    page.screenshot(path=artifacts / "order-nojs.png", full_page=True, caret="initial")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def test_wrong_password_shows_the_message_beside_the_form(page: Page):
    page.goto("/login")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("That email and password do not match an active account.")
    expect(page.get_by_label("Email")).to_have_value("alice@example.com")


def test_comment_on_an_order_with_and_without_javascript(page: Page, page_without_javascript: Page, artifacts, log_in):
    log_in(page)
    page.goto("/orders")
    page.locator("table.orders tbody th a").first.click()
    page.get_by_label("Add a comment").fill("Could the delivery come after 10am? <b>thanks</b>")
    with page.expect_response(re.compile(r"/comments$")) as response:
        page.get_by_role("button", name="Send comment").click()
    assert response.value.request.headers.get("hx-request") == "true"
    thread = page.locator("#comments-thread")
    expect(thread).to_contain_text("Could the delivery come after 10am? <b>thanks</b>")
    expect(thread).to_contain_text("Alice Harper")
    expect(page.get_by_label("Add a comment")).to_have_value("")
    page.locator("#comments").screenshot(path=artifacts / "comments.png", caret="initial")

    plain = page_without_javascript
    log_in(plain, "bob@example.com")
    plain.goto("/orders")
    plain.locator("table.orders tbody th a").first.click()
    plain.get_by_role("button", name="Send comment").click()
    expect(plain.locator("#comment-error")).to_have_text("Write a comment before sending it.")
    plain.get_by_label("Add a comment").fill("Sent without JavaScript")
    plain.get_by_role("button", name="Send comment").click()
    expect(plain).to_have_url(re.compile(r"/orders/\d+#comments$"))
    expect(plain.locator("#comments-thread")).to_contain_text("Sent without JavaScript")
