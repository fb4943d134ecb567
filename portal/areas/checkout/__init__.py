"""The checkout: a customer accepts a quote in steps (review, delivery, payment, confirm) and
the order is placed in Brightpearl exactly once through the outbox."""

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from portal.security.guards import requires_role
from portal.web.area import Area, site_area
from portal.web.rendering import page


@get("/quotes/{order_id:int}/checkout", name="checkout_start")
async def checkout_start(request: Request, order_id: FromPath[int]) -> Template:
    return page(request, "views/checkout/review.html", order_id=order_id)


def area() -> Area:
    return site_area("checkout", [checkout_start], guard=requires_role("customer"), feature="checkout")
