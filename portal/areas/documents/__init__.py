"""The documents area (customers): invoices and credit notes, their print views and PDFs, and
the statement of account (page, CSV and PDF)."""

from portal.security.guards import requires_role
from portal.web.area import Area, NavLink, site_area

from .documents import Documents
from .routes import document_page, documents_page, statement_csv_file, statement_page, statement_pdf_file
from .statement import Statements


def area() -> Area:
    return site_area(
        "documents",
        [documents_page, document_page, statement_page, statement_csv_file, statement_pdf_file],
        guard=requires_role("customer"),
        services={"documents": Documents, "statements": Statements},
        nav=[NavLink("Documents", "documents"), NavLink("Statement", "statement")],
    )
