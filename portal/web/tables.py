"""The head of a table and the box it scrolls in, as Python: they are on every list page, and a
Jinja macro call costs more than the few tags they write. Labels are escaped; only the markup
around them is trusted."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from portal.web.forms import escape

Column = str | tuple[str, str]
_HEADS: dict[tuple[Column, ...], Markup] = {}


def table_head(columns: Iterable[Column]) -> Markup:
    """The `<thead>` of a table: one column header per label; a (label, class) pair sets its
    class ("num" right-aligns a figure; "visually-hidden" keeps the label for screen readers
    only). Worked out once per list of columns (templates pass literals)."""
    key = tuple(column if isinstance(column, str) else (column[0], column[1]) for column in columns)
    head = _HEADS.get(key)
    if head is None:
        head = _HEADS[key] = _head(key)
    return head


def _head(columns: tuple[Column, ...]) -> Markup:
    cells = []
    for column in columns:
        if isinstance(column, str):
            cells.append(f'<th scope="col">{escape(column)}</th>')
        elif column[1] == "visually-hidden":
            cells.append(f'<th scope="col"><span class="visually-hidden">{escape(column[0])}</span></th>')
        else:
            cells.append(f'<th scope="col" class="{escape(column[1])}">{escape(column[0])}</th>')
    # Every label went through escape(); the rest is markup written here.
    return Markup("<thead>\n  <tr>\n    " + "\n    ".join(cells) + "\n  </tr>\n</thead>")  # noqa: S704


def table_wrap(label: str, extra_class: str = "") -> Markup:
    """The opening `<div>` of a box a wide table scrolls in sideways (the template closes it):
    a focusable region named `label` ("Items of order PO-123"), so keyboard users can scroll
    it and screen readers announce it (axe's scrollable-region-focusable, WCAG 2.1.1).
    `extra_class` adds classes to "table-wrap"."""
    classes = "table-wrap" + (f" {escape(extra_class)}" if extra_class else "")
    # The label and the classes went through escape(); the rest is markup written here.
    return Markup(f'<div class="{classes}" role="region" aria-label="{escape(label)}" tabindex="0">')  # noqa: S704
