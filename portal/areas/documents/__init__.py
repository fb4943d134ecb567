"""The documents area (customers): invoices and credit notes, their print views and PDFs, and
the statement of account (page, CSV and PDF)."""

from portal.brightpearl import Brightpearl
from portal.core.branding import BrandingStore
from portal.core.clock import Clock
from portal.core.settings import Settings
from portal.security.guards import requires_role
from portal.web.area import Area, NavLink, for_user, site_area
from portal.web.pdf import merchant_source

from .documents import Documents
from .routes import document_page, documents_page, statement_csv_file, statement_page, statement_pdf_file
from .statement import Statements


def area(*, bp: Brightpearl, settings: Settings, clock: Clock, branding: BrandingStore | None = None) -> Area:
    # Who issues the documents is the current branding (/admin/branding), read per request.
    merchant = merchant_source(settings, branding)

    def documents(user):
        return Documents(bp, settings, merchant(), clock, user)

    def statements(user):
        return Statements(bp, merchant(), clock, user)

    return site_area(
        "documents",
        [documents_page, document_page, statement_page, statement_csv_file, statement_pdf_file],
        guard=requires_role("customer"),
        services={
            "documents": for_user(documents),
            "statements": for_user(statements),
        },
        nav=[NavLink("Documents", "documents"), NavLink("Statement", "statement")],
    )
