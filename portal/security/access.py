"""The one ownership check: may this login see this Brightpearl object?

Every Brightpearl object shown to a customer or supplier passes through here.  An object that
is not theirs is treated exactly like one that does not exist (the caller answers 404), so
nobody can learn which order ids exist by trying them.

When a login asks for an object that exists but belongs to another contact, the checks raise
`NotYours`: a NotFoundException (the same 404 page, byte for byte) that names the object, so
the error handler (portal.web.errors) records `access_refused` in the audit log. A missing
object raises the plain NotFoundException and records nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from litestar.exceptions import NotFoundException

from portal.brightpearl.models import PURCHASE_TYPES, SALES_TYPES
from portal.core.users import User

# Order types a role may see, with the party that must be the login's contact.
_CUSTOMER_TYPES = frozenset(t.code for t in SALES_TYPES)
_SUPPLIER_TYPES = frozenset(t.code for t in PURCHASE_TYPES)

T = TypeVar("T")


class NotYours(NotFoundException):
    """The object exists and is another contact's: answered as a 404, recorded as
    `access_refused` with `target` ("order:123")."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target


def _order_target(order) -> str:
    return f"order:{getattr(order, 'id', '') or '?'}"


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
    if order is None:
        raise NotFoundException()
    if not may_see_order(user, order):
        raise NotYours(_order_target(order))
    return order


def _party(order, attribute: str) -> int | None:
    value = getattr(order, attribute, None)
    if value is None:
        value = getattr(order, "party_contact_id", None)
    return value


def may_see_address(user: User, contact, address, *, linked_ids: Iterable[int] = ()) -> bool:
    """True when the postal `address` may be shown to `user` as one of its contact's addresses.

    `contact` (a models.Contact) must be the user's own contact. The address is theirs when
    it names that contact as its owner; when it is one of the contact's DEF/BIL/DEL addresses (a
    secondary contact inherits the company's default and billing address, which belong to the
    primary contact); or when it names no owner at all and is in `linked_ids` (addresses listed
    under this contact by Brightpearl, or created for it by the portal's outbox).
    """
    if user.contact_id is None or contact is None or getattr(contact, "id", None) != user.contact_id:
        return False
    address_id = getattr(address, "id", 0)
    if not address_id:
        return False
    owner = getattr(address, "contact_id", 0)
    if owner == user.contact_id or address_id in contact.post_address_ids.values():
        return True
    return owner == 0 and address_id in set(linked_ids)


def may_see_account_manager(user: User, contact, staff) -> bool:
    """True when `staff` (a models.Contact) is the account manager Brightpearl assigned to
    `user`'s own `contact`, so that its name may be shown to the user."""
    if user.contact_id is None or contact is None or staff is None:
        return False
    return (
        contact.id == user.contact_id
        and contact.staff_owner_contact_id != 0
        and staff.id == contact.staff_owner_contact_id
        and staff.is_staff
    )


def may_see_document(user: User, order) -> bool:
    """True when `order` is an invoiced sales order or sales credit of `user`'s contact: an
    invoice or credit note the user may open, print and download."""
    if not may_see_order(user, order) or getattr(order, "order_type_code", None) not in _CUSTOMER_TYPES:
        return False
    return bool(getattr(order, "is_invoiced", False))


def owned_document(user: User, order: T | None) -> T:
    """Return `order` when it is an invoice or credit note of `user`; otherwise raise the same
    404 as a missing order (an uninvoiced order is not a document yet)."""
    if order is None:
        raise NotFoundException()
    if not may_see_order(user, order):
        raise NotYours(_order_target(order))
    if not may_see_document(user, order):
        raise NotFoundException()  # theirs, but not an invoice or credit note (yet)
    return order
