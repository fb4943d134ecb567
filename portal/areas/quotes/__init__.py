"""The quotes area: the customer's quotes (list, page, print view, PDF), sharing one by mail,
declining one or asking for changes, and the shared page a colleague opens from that mail
without an account."""

from sqlite_utils import Database

from portal.brightpearl import Brightpearl
from portal.core.audit import Audit
from portal.core.branding import BrandingStore
from portal.core.clock import Clock
from portal.core.features import Features
from portal.core.order_defaults import OrderDefaultsStore
from portal.core.settings import Settings
from portal.core.status_map import StatusMap
from portal.core.users import User
from portal.mail import Mail
from portal.outbox.queue import Outbox
from portal.security.guards import requires_role
from portal.security.tokens import Tokens
from portal.web.area import Area, NavLink, for_user, for_visitor, site_area
from portal.web.pdf import merchant_source

from .checkout import Checkout
from .checkout_routes import (
    checkout_again,
    checkout_begin,
    checkout_confirm,
    checkout_delivery,
    checkout_delivery_save,
    checkout_done,
    checkout_payment,
    checkout_payment_save,
    checkout_place,
    checkout_start,
)
from .drafts import Drafts
from .quotes import QuoteReader, Quotes
from .responses import QuoteResponses
from .routes import (
    SharedQuotes,
    quote_changes,
    quote_decline,
    quote_page,
    quote_pdf_file,
    quote_print,
    quote_share,
    quote_share_form,
    quote_share_revoke,
    quotes_page,
    shared_quote,
)
from .shares import QuoteShares, SharedLinks


def area(
    *,
    bp: Brightpearl,
    db: Database,
    settings: Settings,
    clock: Clock,
    status_map: StatusMap,
    order_defaults: OrderDefaultsStore,
    tokens: Tokens,
    mail: Mail,
    audit: Audit,
    outbox: Outbox,
    branding: BrandingStore | None = None,
) -> Area:
    reader = QuoteReader(bp, status_map, order_defaults, clock)
    merchant = merchant_source(settings, branding)

    def quotes_of(user: User) -> Quotes:
        return Quotes(reader, merchant, QuoteShares(db, tokens, mail, audit, user), user,
                      QuoteResponses(reader, outbox, audit, user))

    return site_area(
        "quotes",
        [quotes_page, quote_page, quote_print, quote_pdf_file, quote_share_form, quote_share, quote_share_revoke,
         quote_decline, quote_changes],
        guard=requires_role("customer"),
        feature="quotes",
        services={"quotes": for_user(quotes_of)},
        nav=[NavLink("Quotes", "quotes")],
    )


def shared_area(
    *,
    bp: Brightpearl,
    db: Database,
    settings: Settings,
    clock: Clock,
    status_map: StatusMap,
    order_defaults: OrderDefaultsStore,
    tokens: Tokens,
    audit: Audit,
    branding: BrandingStore | None = None,
) -> Area:
    """The page a share link opens: public (the link is the key), off with the quotes feature."""
    shared = SharedQuotes(
        SharedLinks(db, tokens, audit), QuoteReader(bp, status_map, order_defaults, clock), merchant_source(settings, branding)
    )
    return site_area(
        "shared_quotes",
        [shared_quote],
        feature="quotes",
        services={"shared_quotes": for_visitor(lambda _visitor: shared)},
    )


def checkout_area(
    *,
    bp: Brightpearl,
    db: Database,
    clock: Clock,
    status_map: StatusMap,
    order_defaults: OrderDefaultsStore,
    outbox: Outbox,
    audit: Audit,
    features: Features,
) -> Area:
    """Accepting a quote through the checkout: its own area, switched with the checkout feature
    (and closed with the quotes feature too)."""
    reader = QuoteReader(bp, status_map, order_defaults, clock)
    drafts = Drafts(db)
    return site_area(
        "checkout",
        [
            checkout_start, checkout_begin, checkout_delivery, checkout_delivery_save, checkout_payment,
            checkout_payment_save, checkout_confirm, checkout_place, checkout_done, checkout_again,
        ],
        guard=requires_role("customer"),
        feature="checkout",
        services={"checkout": for_user(lambda user: Checkout(reader, drafts, outbox, audit, features, user))},
    )
