"""The demo logins and the Brightpearl contacts behind them.

The portal's demo mode seeds its users from `DEMO_USERS` (all with `DEMO_PASSWORD`).  The
sandbox creates the matching contacts first, with the fixed ids below, so the ids do not
depend on how many other customers or orders are generated.  `PERSONAS` says what each demo
contact looks like and which mix of orders it gets (see generate.py for the scenario names).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal.sandbox.reference import COUNTRIES

DEMO_PASSWORD = "portal-demo-pass"  # noqa: S105 - the documented demo password

ALICE_CONTACT_ID = 1001
TOM_CONTACT_ID = 1002  # alice's colleague at the same company (secondary contact)
BOB_CONTACT_ID = 1003
SAM_CONTACT_ID = 1004
FIRST_GENERATED_CONTACT_ID = 1005

DEMO_USERS: list[dict[str, Any]] = [
    {"email": "alice@example.com", "role": "customer", "contact_id": ALICE_CONTACT_ID, "name": "Alice Harper"},
    {"email": "bob@example.com", "role": "customer", "contact_id": BOB_CONTACT_ID, "name": "Bob Mitchell"},
    {"email": "sam@example.com", "role": "supplier", "contact_id": SAM_CONTACT_ID, "name": "Sam Reid"},
    {"email": "admin@example.com", "role": "admin", "contact_id": None, "name": "Portal Admin"},
]


@dataclass(frozen=True)
class Address:
    line1: str
    line2: str
    line3: str
    line4: str
    postcode: str
    country: str = "GBR"

    def wire(self) -> dict[str, Any]:
        """The postal-address fields (without ids) in Brightpearl's wire shape."""
        country = COUNTRIES[self.country]
        return {
            "addressLine1": self.line1,
            "addressLine2": self.line2,
            "addressLine3": self.line3,
            "addressLine4": self.line4,
            "postalCode": self.postcode,
            "countryIsoCode": self.country,
            "countryIsoCode2": country["iso2"],
            "countryId": country["id"],
        }


@dataclass(frozen=True)
class Persona:
    """A demo contact and the orders it is given (scenario name -> count)."""

    contact_id: int
    salutation: str
    first_name: str
    last_name: str
    email: str
    company: str
    head_office: Address
    delivery: tuple[Address, ...]
    telephone: str
    mobile: str = ""
    secondary_email: str = ""
    is_supplier: bool = False
    is_primary: bool = True
    primary_contact_id: int | None = None  # for secondary contacts: whose company/addresses
    currency: str = "GBP"
    credit_limit: int = 0
    credit_term_days: int = 30
    price_list_id: int = 2
    account_manager_id: int = 12
    tax_number: str = ""
    account_reference: str = ""
    scenarios: dict[str, int] = field(default_factory=dict)
    credits: tuple[str, ...] = ()  # one entry per sales credit: "complete" or "pending"


# Alice and Tom work for the same company: the generator gives contacts with the same company
# name one organisation, and a secondary contact's head office is its primary contact's.
HARPER_LOWE = "Harper & Lowe Interiors Ltd"
HARPER_LOWE_HQ = Address("Unit 4, Riverside Works", "Mill Lane", "Leeds", "West Yorkshire", "LS10 1AB")

PERSONAS: tuple[Persona, ...] = (
    Persona(
        contact_id=ALICE_CONTACT_ID,
        salutation="Ms",
        first_name="Alice",
        last_name="Harper",
        email="alice@example.com",
        company=HARPER_LOWE,
        head_office=HARPER_LOWE_HQ,
        delivery=(
            Address("Dock 2, Aire Park", "Canal Road", "Leeds", "West Yorkshire", "LS11 5XY"),
            Address("The Showroom, 18 Call Lane", "", "Leeds", "West Yorkshire", "LS1 6DT"),
            Address("Site office - The Calder Hotel", "Westgate", "Wakefield", "West Yorkshire", "WF1 2QR"),
            Address("Holloway House Project", "21 Park Row", "Harrogate", "North Yorkshire", "HG1 1BS"),
        ),
        telephone="0113 496 0000",
        mobile="07700 900123",
        secondary_email="accounts@harper-lowe.example.com",
        credit_limit=15000,
        credit_term_days=30,
        account_manager_id=12,
        tax_number="GB284552173",
        account_reference="HARPERL01",
        scenarios={
            "quote": 3,
            "approved": 1,
            "new_web": 2,
            "new_phone": 2,
            "part_shipped": 2,
            "invoiced_paid": 26,
            "invoiced_unpaid": 4,
            "invoiced_overdue": 3,
            "invoiced_part_paid": 2,
            "cancelled": 2,
        },
        credits=("complete", "pending"),
    ),
    Persona(
        contact_id=TOM_CONTACT_ID,
        salutation="Mr",
        first_name="Tom",
        last_name="Lowe",
        email="tom.lowe@example.com",
        company=HARPER_LOWE,
        head_office=HARPER_LOWE_HQ,
        delivery=(Address("Unit 11, Thornbury Mills", "Leeds Road", "Bradford", "West Yorkshire", "BD3 7AU"),),
        telephone="0113 496 0002",
        is_primary=False,
        primary_contact_id=ALICE_CONTACT_ID,
        credit_limit=15000,
        account_manager_id=12,
        scenarios={"invoiced_paid": 3, "new_phone": 1, "quote": 1},
    ),
    Persona(
        contact_id=BOB_CONTACT_ID,
        salutation="Mr",
        first_name="Bob",
        last_name="Mitchell",
        email="bob@example.com",
        company="Mitchell Hospitality Group Ltd",
        head_office=Address("The Granary, Wapping Wharf", "Gaol Ferry Steps", "Bristol", "Bristol", "BS1 6WP"),
        delivery=(
            Address("The Harbour Hotel - Goods In", "Narrow Quay", "Bristol", "", "BS1 4QA"),
            Address("The Bath Spa Kitchen", "12 Milsom Street", "Bath", "Somerset", "BA1 1DN"),
        ),
        telephone="0117 496 0311",
        mobile="07700 900456",
        credit_limit=8000,
        credit_term_days=30,
        account_manager_id=15,
        tax_number="GB193847562",
        account_reference="MITCHH01",
        scenarios={
            "quote": 2,
            "new_web": 1,
            "part_shipped": 1,
            "invoiced_paid": 8,
            "invoiced_unpaid": 1,
            "invoiced_overdue": 1,
            "cancelled": 1,
        },
        credits=("complete",),
    ),
    Persona(
        contact_id=SAM_CONTACT_ID,
        salutation="Mr",
        first_name="Sam",
        last_name="Reid",
        email="sam@example.com",
        company="Reid & Sons Joinery Ltd",
        head_office=Address("Unit 7, Kelham Yard", "Alma Street", "Sheffield", "South Yorkshire", "S3 8SA"),
        delivery=(),
        telephone="0114 496 0720",
        mobile="07700 900789",
        is_supplier=True,
        price_list_id=1,
        account_manager_id=15,
        account_reference="REIDSONS",
        scenarios={"po_pending": 1, "po_placed": 2, "po_acknowledged": 2, "po_received": 2, "po_invoiced": 2},
    ),
)
