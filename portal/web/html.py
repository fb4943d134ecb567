"""Attribute markup the form macros write on every render, as Python (a Jinja macro call costs
more than the widget it writes). Values are escaped; only the markup around them is trusted."""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup

_INVALID = Markup(' aria-invalid="true" aria-describedby="{}"')


def html_attrs(attrs: Mapping[str, object]) -> Markup:
    """` name="value"` for each attribute: True writes the bare name, None and False nothing."""
    parts = [
        Markup(" {}").format(name) if value is True else Markup(' {}="{}"').format(name, value)
        for name, value in attrs.items()
        if value is not None and value is not False
    ]
    return Markup("").join(parts)


def invalid(error: object, error_id: str) -> Markup:
    """The attributes of a widget whose value has `error`, described by the element `error_id`."""
    return _INVALID.format(error_id) if error else Markup("")
