"""The documents area (customers): invoices and credit notes, their print views and PDFs, and
the statement of account (page, CSV and PDF)."""

from functools import partial

from portal.brightpearl import Brightpearl
from portal.core.clock import Clock
from portal.core.settings import Settings
from portal.security.guards import requires_role
from portal.web.area import Area, NavLink, for_user, site_area

from .documents import Documents
from .pdf import Merchant
from .routes import document_page, documents_page, statement_csv_file, statement_page, statement_pdf_file
from .statement import Statements


def area(*, bp: Brightpearl, settings: Settings, clock: Clock) -> Area:
    merchant = Merchant(name=settings.site_name, brand_colour=settings.brand_colour)
    return site_area(
        "documents",
        [documents_page, document_page, statement_page, statement_csv_file, statement_pdf_file],
        guard=requires_role("customer"),
        services={
            "documents": for_user(partial(Documents, bp, settings, merchant, clock)),
            "statements": for_user(partial(Statements, bp, merchant, clock)),
        },
        nav=[NavLink("Documents", "documents"), NavLink("Statement", "statement")],
    )
