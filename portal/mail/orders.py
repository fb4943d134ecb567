"""The mails of an order placed from the portal, sent once Brightpearl has it: a confirmation to
the customer and a notification to the merchant's order address (/admin/orders, else
PORTAL_MERCHANT_EMAIL). Both are keyed by the outbox item, so a delivery that is reported twice
sends each mail once.

The order's outbox item carries a `summary` (portal.areas.quotes.checkout: lines, total,
address, payment, references) that both mails show; an item without one sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from portal.core.order_defaults import OrderDefaultsStore
from portal.core.settings import Settings
from portal.core.users import UserStore
from portal.outbox.queue import OutboxItem

from .service import Mail

log = logging.getLogger("portal.mail.orders")

SALES_ORDER_KIND = "sales_order"  # portal.brightpearl.writes.sales_order.KIND (mail imports no Brightpearl)


def order_mails(users: UserStore, mail: Mail, order_defaults: OrderDefaultsStore, settings: Settings) -> Callable[[OutboxItem], None]:
    """What runs once an order item is delivered: both mails committed to the outbox."""

    def send(item: OutboxItem) -> None:
        summary = item.payload.get("summary")
        user = users.get(item.user_id) if item.user_id else None
        if not isinstance(summary, Mapping) or user is None:
            return
        new_order = item.kind == SALES_ORDER_KIND
        order_id = item.result.get("order_id") or summary.get("quote_id")
        context: dict[str, Any] = {
            **summary,
            "name": user.name or user.email,
            "email": user.email,
            "new_order": new_order,
            "order_id": order_id,
            "order_path": f"/orders/{order_id}",
        }
        mail.submit(to=user.email, template="order_placed", context=context, key=f"order-placed:{item.id}",
                    user_id=item.user_id)
        merchant = order_defaults.current().notification_email or settings.merchant_email
        if not merchant:
            log.warning("order %s placed from the portal: no notification address is set (/admin/orders)", order_id)
            return
        try:
            mail.submit(to=merchant, template="order_received", context=context, key=f"order-received:{item.id}",
                        user_id=item.user_id)
        except ValueError:
            log.warning("order %s: the notification address %r is not an e-mail address", order_id, merchant)

    return send
