"""The one ownership check: may this login see this Brightpearl object?

Every Brightpearl object shown to a customer or supplier passes through here.  An object that
is not theirs is treated exactly like one that does not exist (the caller answers 404), so
nobody can learn which order ids exist by trying them.
"""

from __future__ import annotations

from typing import TypeVar

from litestar.exceptions import NotFoundException

from portal.users import User

# Order types a role may see, with the party that must be the login's contact.
_CUSTOMER_TYPES = {"SO", "SC"}
_SUPPLIER_TYPES = {"PO", "PC"}

T = TypeVar("T")


def may_see_order(user: User, order) -> bool:
    """True when `order` (a models.Order or OrderSearchRow-like object) belongs to `user`'s contact."""
    if order is None or user.contact_id is None:
        return False
    type_code = getattr(order, "order_type_code", None)
    if user.is_customer:
        if type_code is not None and type_code not in _CUSTOMER_TYPES:
            return False
        return _party(order, "customer_contact_id") == user.contact_id
    if user.is_supplier:
        if type_code is not None and type_code not in _SUPPLIER_TYPES:
            return False
        return _party(order, "supplier_contact_id") == user.contact_id
    return False


def may_see_search_row(user: User, row) -> bool:
    """True when an order-search row (which has only contact_id) belongs to `user`'s contact."""
    return user.contact_id is not None and getattr(row, "contact_id", None) == user.contact_id


def may_see_contact_object(user: User, obj) -> bool:
    """True when an object carrying `contact_id` (address, note, statement line) is `user`'s."""
    return user.contact_id is not None and getattr(obj, "contact_id", None) == user.contact_id


def owned_order(user: User, order: T | None) -> T:
    """Return `order` when `user` may see it; otherwise raise the same 404 as a missing order."""
    if order is None or not may_see_order(user, order):
        raise NotFoundException()
    return order


def _party(order, attribute: str) -> int | None:
    value = getattr(order, attribute, None)
    if value is None:
        value = getattr(order, "party_contact_id", None)
    return value
