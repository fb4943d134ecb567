"""The page shell every page shares (views/base.html): the merchant's locale as <html lang>, the
skip link, the favicon, the phone menu, the focus script; and the shared helpers for list pages
(scrolling table boxes, filter triggers)."""

from __future__ import annotations

import re

import pytest
from jinja2 import DictLoader
from litestar.testing import TestClient
from support import BASE_URL, portal_app, portal_settings

from portal.core.settings import Settings, SettingsError
from portal.web.tables import table_wrap
from portal.web.templating import make_template_config


def test_the_locale_is_a_setting_checked_at_start():
    assert Settings.from_env({}).locale == "en-GB"
    assert Settings.from_env({"PORTAL_LOCALE": "de-DE"}).locale == "de-DE"
    assert Settings.from_env({"PORTAL_LOCALE": "sr-Latn-RS"}).locale == "sr-Latn-RS"
    for bad in ("en_GB", "english", '"><script>', "e", "en-"):
        with pytest.raises(SettingsError, match="PORTAL_LOCALE"):
            Settings.from_env({"PORTAL_LOCALE": bad})


def test_pages_are_in_the_merchants_locale(tmp_path, sandbox):
    with TestClient(portal_app(portal_settings(tmp_path, locale="fr-CA"), sandbox), base_url=BASE_URL) as client:
        assert client.get("/login").text.startswith('<!doctype html>\n<html lang="fr-CA">')
        assert '<html lang="fr-CA">' in client.get("/no-such-page").text


def test_the_skip_link_is_the_first_thing_in_the_body_and_leads_to_main(client):
    html = client.get("/login").text
    body = html[html.index("<body") :]
    first_link = re.search(r"<(a|button|input|select|textarea|summary)\b[^>]*>", body)
    assert first_link is not None
    assert first_link.group(0) == '<a class="skip-link" href="#main">'
    assert '<main id="main" tabindex="-1">' in body


def test_the_favicon_is_linked_and_served(client):
    html = client.get("/login").text
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert href is not None
    icon = client.get(href.group(1))
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")


def test_the_focus_script_is_a_file_not_an_inline_script(client):
    html = client.get("/login").text
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all(" src=" in script for script in scripts)
    src = re.search(r'<script src="([^"]*focus-after-swap[^"]*)" defer>', html)
    assert src is not None
    script = client.get(src.group(1))
    assert script.status_code == 200 and "htmx:afterSettle" in script.text


def test_the_header_menu_holds_the_links_the_name_and_log_out(alice):
    html = alice.get("/orders").text
    menu = html[html.index('<details class="menu">') : html.index("</details>")]
    assert '<summary class="menu__toggle">Menu</summary>' in menu
    assert '<nav aria-label="Main">' in menu
    assert 'aria-current="page">Orders</a>' in menu
    assert "Alice" in menu and ">Log out</button>" in menu


def test_logged_out_pages_have_no_menu(client):
    assert "<details" not in client.get("/login").text


# --- shared helpers for list pages --------------------------------------------------------------
def test_a_table_box_is_a_focusable_labelled_region_with_its_label_escaped():
    assert table_wrap("Items") == '<div class="table-wrap" role="region" aria-label="Items" tabindex="0">'
    assert table_wrap('Lines of "A&B"', "doc-rows-wrap") == (
        '<div class="table-wrap doc-rows-wrap" role="region" aria-label="Lines of &#34;A&amp;B&#34;" tabindex="0">'
    )


def shared_macros_env(tmp_path, source: str):
    """The portal's Jinja environment plus one template `t` holding `source`."""
    env = make_template_config(portal_settings(tmp_path)).engine_instance.engine
    env.loader.mapping["t"] = DictLoader({"t": source})
    return env.get_template("t/t")


def test_the_scroll_box_macro_writes_what_table_wrap_writes(tmp_path):
    template = shared_macros_env(tmp_path, "{% call lists.scroll_box(label, 'wide') %}<table></table>{% endcall %}")
    html = template.render(label="Lines <1>")
    assert html.startswith(str(table_wrap("Lines <1>", "wide")))
    assert html.endswith("<table></table>\n</div>")


def test_filters_search_on_submit_or_after_a_pause_by_default(tmp_path):
    template = shared_macros_env(tmp_path, "{% call lists.filters('/orders', '#r', 'Filter') %}{% endcall %}")
    html = template.render()
    assert 'hx-trigger="submit, input delay:500ms"' in html
    # A bare `change` fires on every arrow key in a select: the default never uses it.
    assert "change" not in html
    custom = shared_macros_env(tmp_path, "{% call lists.filters('/o', '#r', 'F', 'submit') %}{% endcall %}")
    assert 'hx-trigger="submit"' in custom.render()
