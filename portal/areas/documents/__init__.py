"""The documents area (customers): invoices and credit notes, their print views and PDFs, and
the statement of account (page, CSV and PDF)."""

from litestar import Router
from litestar.di import NamedDependency, Provide

from portal.brightpearl import Brightpearl
from portal.core.settings import Settings
from portal.core.users import User
from portal.security.guards import requires_role
from portal.web.area import Area, NavLink

from .documents import Documents
from .routes import document_page, documents_page, statement_csv_file, statement_page, statement_pdf_file
from .statement import Statements


def provide_documents(
    bp: NamedDependency[Brightpearl], user: NamedDependency[User], settings: NamedDependency[Settings]
) -> Documents:
    return Documents(bp, user, settings.page_size)


def provide_statements(bp: NamedDependency[Brightpearl], user: NamedDependency[User]) -> Statements:
    return Statements(bp, user)


def area() -> Area:
    return Area(
        "documents",
        Router(
            "/",
            guards=[requires_role("customer")],
            route_handlers=[documents_page, document_page, statement_page, statement_csv_file, statement_pdf_file],
            dependencies={
                "documents": Provide(provide_documents, sync_to_thread=False),
                "statements": Provide(provide_statements, sync_to_thread=False),
            },
        ),
        nav=(NavLink("Documents", "documents"), NavLink("Statement", "statement")),
    )
