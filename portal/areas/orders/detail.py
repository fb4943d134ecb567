"""The order page: an order already checked to be the user's, with its despatches, carrier
links and comments.

Essential: the order (without it the page is an error page). Parts that degrade to a note:
comments (the customer's own comments on their way still show), shipments, delivery method names.

Brightpearl calls: the order (1, shared with the history) + its notes + its goods-out notes +
the shipping methods (read concurrently) -> <= 4 cold, 0 warm.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from portal.brightpearl import Brightpearl
from portal.brightpearl.models import Order
from portal.core.immutable import EMPTY
from portal.core.status_map import StatusMap
from portal.core.tracking import TrackingPatterns, tracking_links
from portal.core.users import User
from portal.domain.order_lines import priced_lines
from portal.domain.order_states import OrderState
from portal.domain.shipments import deliveries, in_despatch_order, shipping_state
from portal.domain.status_labels import StatusLabels
from portal.security.access import owned_order
from portal.web.params import valid_id
from portal.web.parts import PageParts

from .comments import Comments


@dataclass
class OrderDetail:
    """What the order page shows of one order."""

    bp: Brightpearl
    tracking: TrackingPatterns
    status_map: StatusMap  # the customer's labels of statuses
    comments: Comments  # the order's comment thread, for the same user
    user: User

    async def order(self, order_id: int) -> Order:
        """The user's order with this id; anything else is the same 404 as a missing order."""
        return owned_order(self.user, await self.bp.orders.one(valid_id(order_id)))

    async def context(self, order: Order) -> dict:
        """Everything the order page shows besides the comment form."""
        parts = PageParts()
        notes, shipments, methods = await asyncio.gather(
            self.comments.notes(order.id, parts),
            parts.read("shipments", self.bp.warehouse.goods_out_notes(order.id), ()),
            parts.read("shipping_methods", self.bp.warehouse.shipping_methods(), {}),
        )
        shipments = in_despatch_order(shipments)
        # The order page reads no status list (call counts): the label and state follow the
        # saved rule of the order's status, else its own status name and shipping status.
        shown = self.status_map.derived(EMPTY, StatusLabels).for_order(order)
        state = OrderState(shown.state)
        return {
            "order": order,
            "state": state.value,
            "status_label": shown.label,
            "cancelled": state is OrderState.CANCELLED,
            "quote": state is OrderState.QUOTE,
            "lines": priced_lines(order),  # unit prices and line totals in the order's price mode
            # What each shipment carried and, per line, what is shipped and still to come.
            "deliveries": deliveries(order, shipments, cancelled=state is OrderState.CANCELLED),
            "comments": self.comments.thread(order, notes),
            "shipments": shipments,
            "shipping_methods": methods,
            "tracking_links": tracking_links(self.tracking, shipments),
            "shipping_state": shipping_state(order.shipping_status_code),
            "with_form": True,
            "unavailable": parts.unavailable,
        }
