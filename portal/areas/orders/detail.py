"""The order page: an order already checked to be the user's, with its despatches, carrier
links and comments.

Brightpearl calls: the order (1, shared with the history) + its notes + its goods-out notes +
the shipping methods (read concurrently) -> <= 4 cold, 0 warm.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from portal.brightpearl import Brightpearl
from portal.brightpearl.models import Order
from portal.core.tracking import TrackingPatterns, tracking_links
from portal.core.users import User
from portal.domain.shipments import in_despatch_order, shipping_state
from portal.security.access import owned_order
from portal.web.params import valid_id

from .comments import Comments


@dataclass
class OrderDetail:
    """What the order page shows of one order."""

    bp: Brightpearl
    tracking: TrackingPatterns
    comments: Comments  # the order's comment thread, for the same user
    user: User

    async def order(self, order_id: int) -> Order:
        """The user's order with this id; anything else is the same 404 as a missing order."""
        return owned_order(self.user, await self.bp.orders.one(valid_id(order_id)))

    async def context(self, order: Order) -> dict:
        """Everything the order page shows besides the comment form."""
        notes, shipments, methods = await asyncio.gather(
            self.bp.orders.notes(order.id), self.bp.warehouse.goods_out_notes(order.id), self.bp.warehouse.shipping_methods()
        )
        shipments = in_despatch_order(shipments)
        return {
            "order": order,
            "comments": self.comments.thread(order, notes),
            "shipments": shipments,
            "shipping_methods": methods,
            "tracking_links": tracking_links(self.tracking, shipments),
            "shipping_state": shipping_state(order.shipping_status_code),
            "with_form": True,
        }
