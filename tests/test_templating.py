"""The template helpers written in Python (form widgets, table heads, the environment):
what they write, and that they escape exactly as Jinja's autoescape does."""

from __future__ import annotations

import pytest
from jinja2 import DictLoader
from markupsafe import Markup
from markupsafe import escape as markupsafe_escape

from portal.web import forms
from portal.web.tables import table_head
from portal.web.templating import PortalEnvironment

TRICKY = ['<script>alert("x")</script>', "O'Brien & Sons", "plain", "", "\"'<>&&amp;", 42, 3.5, None]


@pytest.mark.parametrize("value", TRICKY)
def test_escape_writes_what_markupsafe_writes(value):
    assert forms.escape(value) == str(markupsafe_escape(value))


def test_escape_keeps_markup_as_it_is():
    assert forms.escape(Markup("<b>bold</b>")) == "<b>bold</b>"


def test_a_field_with_an_error_is_invalid_and_described_by_its_message():
    html = forms.field("q", "q", "Search", '"><script>', "Too long.", type="search", attrs={"maxlength": 64})
    assert '<label for="q">Search</label>' in html
    assert 'value="&#34;&gt;&lt;script&gt;"' in html and "<script>" not in html
    assert 'aria-invalid="true" aria-describedby="q-error"' in html
    assert '<p class="field-error" id="q-error">Too long.</p>' in html


def test_a_field_pointing_at_the_form_summary_writes_no_message_of_its_own():
    html = forms.field("email", "email", "Email", "a@b", "Wrong email or password.", summary_id="login-error")
    assert 'aria-describedby="login-error"' in html and "field-error" not in html


def test_attributes_true_bare_none_and_false_left_out():
    html = forms.field("x", "x", "X", None, attrs={"required": True, "autofocus": False, "min": None, "max": "9"})
    assert ' required max="9">' in html
    assert "autofocus" not in html and "min=" not in html and "value=" not in html


def test_a_select_marks_the_chosen_option_and_the_blank_one_when_nothing_is_chosen():
    options = [(1, "Open"), (2, "<Closed>")]
    chosen = forms.select("s", "s", "Status", options, 2, blank="All")
    assert '<option value="2" selected>&lt;Closed&gt;</option>' in chosen
    assert '<option value="" selected>' not in chosen
    nothing = forms.select("s", "s", "Status", options, None, blank="All")
    assert '<option value="" selected>All</option>' in nothing


def test_a_textarea_error_is_announced():
    html = forms.textarea("c", "text", "Comment", "</textarea>", "Write something.", error_id="c-err")
    assert "&lt;/textarea&gt;</textarea>" in html
    assert '<p class="field-error" id="c-err" role="alert">Write something.</p>' in html


def test_a_misspelt_keyword_fails_loudly():
    with pytest.raises(TypeError, match="klass"):
        forms.field("x", "x", "X", klass="wide")


def test_the_css_class_is_passed_as_class():
    assert '<div class="field field--inline">' in forms.field("x", "x", "X", **{"class": "field--inline"})


def test_table_head_writes_a_header_per_column_once_per_list():
    head = table_head(["Order", ("Total", "num"), ("PDF", "visually-hidden"), "<b>"])
    assert '<th scope="col">Order</th>' in head
    assert '<th scope="col" class="num">Total</th>' in head
    assert '<th scope="col"><span class="visually-hidden">PDF</span></th>' in head
    assert "&lt;b&gt;" in head
    assert table_head(["Order", ("Total", "num"), ("PDF", "visually-hidden"), "<b>"]) is head


def test_widgets_render_the_same_from_a_template():
    env = PortalEnvironment(autoescape=True, loader=DictLoader({"t": '{{ forms.error_summary(msg, id="e") }}'}))
    env.globals["forms"] = forms
    assert env.get_template("t").render(msg="<x>") == '<p class="error-summary" role="alert" id="e">&lt;x&gt;</p>'


def test_templates_share_the_environment_globals_and_take_none_of_their_own():
    env = PortalEnvironment(loader=DictLoader({"t": "{{ name }}"}))
    template = env.get_template("t")
    env.globals["name"] = "set after loading"
    assert template.render() == "set after loading"
    with pytest.raises(ValueError, match="no globals of their own"):
        env.from_string("x", globals={"own": 1})
