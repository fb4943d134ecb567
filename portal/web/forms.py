"""Form widgets with their label and the error beside them, for every template as `forms`
(`forms.field(…)`, `forms.select(…)`, …; see portal.web.templating).

They are Python, not Jinja macros, for speed: the list pages render their search form on every
view, and the three macro calls it took cost more than the rest of the page's template (a
macro call sets up a frame, its defaults and an escape per value; these are string joins).

An error makes the widget `aria-invalid` and described by the message `<id>-error` (or
`error_id`), so a screen reader reads the message with the field. `attrs` are extra attributes:
True writes a bare attribute, None and False none. Every value is escaped; only the markup
written here is trusted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup

NO_ATTRS: Mapping[str, object] = {}


def escape(value: object) -> str:
    """`value` as HTML text, exactly as markupsafe.escape writes it (so a page reads the same
    whichever wrote it), or unchanged when it is markup already (has `__html__`).

    A str, not Markup: markupsafe.escape makes a Markup object per value, which was two thirds
    of a select's cost; str.replace runs in C (tests compare the two)."""
    html = getattr(value, "__html__", None)
    if html is not None:
        return html()
    return (
        str(value)
        .replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


def html_attrs(attrs: Mapping[str, object]) -> str:
    """` name="value"` for each attribute: True writes the bare name, None and False nothing."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not None and value is not False
    )


def _invalid(error: object, error_id: str) -> str:
    return f' aria-invalid="true" aria-describedby="{escape(error_id)}"' if error else ""


def _hint(hint: object) -> str:
    return f'<p class="muted small">{escape(hint)}</p>' if hint else ""


def _opening(class_: str, id_: str, label: object) -> str:
    extra = f" {escape(class_)}" if class_ else ""
    return f'<div class="field{extra}">\n  <label for="{escape(id_)}">{escape(label)}</label>\n'


def field(
    id: str,
    name: str,
    label: object,
    value: object = "",
    error: object = None,
    type: str = "text",
    class_: str = "",
    attrs: Mapping[str, object] = NO_ATTRS,
    error_id: str | None = None,
    hint: object = None,
    summary_id: str | None = None,
    announce: bool = False,
    **kwargs: Any,
) -> Markup:
    """A text-like input (text, search, date, email, password; "textarea" writes a textarea)
    with its label. With `summary_id` the error is the form's summary of that id: the field is
    marked invalid and points at it, and no message is written beside it. `announce` makes the
    message an alert (read at once). Templates pass the CSS class as `class`."""
    class_ = kwargs.pop("class", class_)
    _no_other(kwargs)
    described_by = summary_id or error_id or f"{id}-error"
    opening = f'<{"textarea" if type == "textarea" else "input"} id="{escape(id)}" name="{escape(name)}"'
    if type == "textarea":
        control = f"{opening}{html_attrs(attrs)}{_invalid(error, described_by)}>{escape(value)}</textarea>"
    else:
        shown = f' value="{escape(value)}"' if value is not None else ""
        control = f'{opening} type="{escape(type)}"{shown}{html_attrs(attrs)}{_invalid(error, described_by)}>'
    message = ""
    if error and not summary_id:
        role = ' role="alert"' if announce else ""
        message = f'\n  <p class="field-error" id="{escape(described_by)}"{role}>{escape(error)}</p>'
    return _markup(f"{_opening(class_, id, label)}  {control}{message}{_hint(hint)}\n</div>")


def textarea(id: str, name: str, label: object, value: object = "", error: object = None, **options: Any) -> Markup:
    """A textarea with its label; its error is announced at once. Options as for `field`."""
    return field(id, name, label, value, error, type="textarea", announce=True, **options)


def select(
    id: str,
    name: str,
    label: object,
    options: Iterable[tuple[object, object]],
    selected: object = "",
    error: object = None,
    class_: str = "",
    attrs: Mapping[str, object] = NO_ATTRS,
    blank: object = None,
    error_id: str | None = None,
    **kwargs: Any,
) -> Markup:
    """A select of (value, text) `options` with its label; `blank` is the text of an empty
    first option, chosen when `selected` is None or empty."""
    class_ = kwargs.pop("class", class_)
    _no_other(kwargs)
    described_by = error_id or f"{id}-error"
    lines = [
        _opening(class_, id, label),
        f'  <select id="{escape(id)}" name="{escape(name)}"{_invalid(error, described_by)}{html_attrs(attrs)}>\n',
    ]
    if blank is not None:
        chosen = " selected" if selected in (None, "") else ""
        lines.append(f'    <option value=""{chosen}>{escape(blank)}</option>\n')
    for value, text in options:
        chosen = " selected" if value == selected else ""
        lines.append(f'    <option value="{escape(value)}"{chosen}>{escape(text)}</option>\n')
    lines.append("  </select>\n")
    if error:
        lines.append(f'  <p class="field-error" id="{escape(described_by)}">{escape(error)}</p>\n')
    lines.append("</div>")
    return _markup("".join(lines))


def error_summary(message: object, id: str | None = None) -> Markup:
    """The message at the top of a form that did not go through (role=alert: read at once)."""
    id_attr = f' id="{escape(id)}"' if id else ""
    return _markup(f'<p class="error-summary" role="alert"{id_attr}>{escape(message)}</p>')


def _markup(html: str) -> Markup:
    # Every value in `html` went through escape(); the rest is this module's own markup.
    return Markup(html)  # noqa: S704


def _no_other(kwargs: Mapping[str, Any]) -> None:
    # A misspelt keyword in a template must fail loudly, as it did with macros.
    if kwargs:
        raise TypeError(f"unexpected arguments: {', '.join(sorted(kwargs))}")
