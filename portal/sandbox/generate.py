"""Deterministic demo data: staff, demo personas, suppliers, customers, products, orders.

Same seed + same `today` + same account zone => identical data.  Every decision is drawn from a `random.Random`
seeded with a string naming what it decides (e.g. `"7:order:alice:12"`), never from the
global RNG, and dates are offsets in days from `today` (the account's local day), at wall-clock
times of the account's zone.  So:

* the demo contacts and the *content* of their orders do not depend on how many other
  customers/orders are generated;
* order ids are given in date order across the whole account (older orders have lower ids),
  so they do depend on the counts — look orders up through `DataStore` helpers;
* changing `today` shifts every date but changes no id, status or amount, which is what lets
  the journal of demo writes be replayed on a later day.
"""

from __future__ import annotations

import dataclasses
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from portal.sandbox import catalogue as cat
from portal.sandbox import reference as ref
from portal.sandbox.contacts import add_contact, financial_details
from portal.sandbox.demo import FIRST_GENERATED_CONTACT_ID, PERSONAS, Address, Persona
from portal.sandbox.formats import DEFAULT_ZONE, account_zone, cents, local_datetime, money, wire_datetime, wire_day
from portal.sandbox.orders import Invoice, Line, OrderDraft, party, row_items, store_order, tax_rate
from portal.sandbox.store import DataStore, OrderMeta

MERCHANT_ORGANISATION_ID = 500
MERCHANT_HQ = Address("Bay 3, Northgate Estate", "Bradford Road", "Wakefield", "West Yorkshire", "WF1 2ZZ")
SHOWROOM = Address("14 Wharf Street", "", "Leeds", "West Yorkshire", "LS2 7EQ")
EUR_PER_GBP = Decimal("1.17")

# Sales-order scenarios (what state an order is in today) and their share among generated
# orders.  "invoiced" lets the order's age decide paid/unpaid/overdue.
GENERATED_SO_WEIGHTS = {
    "quote": 8, "approved": 2, "new_web": 7, "new_phone": 6, "part_shipped": 4,
    "invoiced": 66, "cancelled": 7,
}
# Shapes of real accounts the portal must read (API-ADDENDUM I), each drawn from an RNG of its
# own (`Generator.has_shape`) so that nothing else in the data changes with them.
INC_SHARE = 0.2  # sales orders in tax-inclusive price mode (I.2)
UNPRICED_AFTER_DAYS = 600  # older orders: rows without productPrice/itemCost (I.4)
TAX_DATE_SHARE = 0.3  # open or cancelled orders carrying a tax date without an invoice (I.3)
INVOICED_STATUS_SHARE = 0.1  # open orders moved to "Invoiced" before Brightpearl invoiced them (I.3)
# Named demo orders (plan keys) that always have a shape, so every demo login meets it.
PINNED_SHAPES = {"alice:new_phone:1": "invoiced_status", "alice:part_shipped:1": "tax_date"}
PO_WEIGHTS = {"po_pending": 10, "po_placed": 25, "po_acknowledged": 20, "po_received": 25, "po_invoiced": 20}
PO_SHARE = 0.08
CREDIT_SHARE = 0.03
# Orders whose date-only fields sit at the account's local midnight rather than UTC midnight
# (real accounts have both, API-ADDENDUM I.1).
LOCAL_MIDNIGHT_SHARE = 0.15


def _days_range(scenario: str, terms: int) -> tuple[int, int]:
    """How many days ago an order in this scenario was placed (inclusive bounds)."""
    return {
        "quote": (1, 45),
        "approved": (1, 10),
        "new_web": (1, 12),
        "new_phone": (1, 12),
        "part_shipped": (3, 20),
        "invoiced": (3, 730),
        "invoiced_paid": (8, 730),
        "invoiced_unpaid": (3, max(4, terms - 2)),
        "invoiced_overdue": (terms + 8, terms + 120),
        "invoiced_part_paid": (10, terms + 60),
        "cancelled": (5, 300),
        "po_pending": (1, 10),
        "po_placed": (2, 30),
        "po_acknowledged": (3, 30),
        "po_received": (25, 250),
        "po_invoiced": (40, 500),
    }[scenario]


@dataclass
class Profile:
    """Trading terms of a customer or supplier contact, used when building its orders."""

    contact_id: int
    name: str
    company: str
    currency: str
    price_list_id: int
    tax_code: str
    terms: int
    account_manager: int
    discount: Decimal
    head_office_id: int
    delivery_ids: list[int]
    products: list[int] = field(default_factory=list)  # suppliers: what they supply


@dataclass
class Plan:
    """One order to generate; its own RNG makes its content independent of other orders."""

    key: str
    type_code: str
    contact_id: int
    scenario: str
    days_ago: int
    minute: int
    rng: random.Random
    parent: Plan | None = None
    order_id: int = 0
    invoice_day: date | None = None


def ean13(rng: random.Random) -> str:
    """A valid EAN-13 with the UK 50 prefix."""
    digits = "50" + "".join(str(rng.randint(0, 9)) for _ in range(10))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def tracking_reference(rng: random.Random, method_id: int) -> str:
    """A carrier reference in the style of the shipping method's carrier ("" = none)."""
    style = ref.SHIPPING_METHOD_BY_ID[method_id].tracking
    if style == "ups":
        letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTVWXY0123456789") for _ in range(6))
        return f"1Z{letters}68{rng.randint(10**7, 10**8 - 1)}"
    if style == "dhl":
        return f"JD0002{rng.randint(10**11, 10**12 - 1)}"
    if style == "royalmail":
        return f"RM{rng.randint(10**8, 10**9 - 1)}GB"
    if style == "pallet":
        return f"PW{rng.randint(10**7, 10**8 - 1)}"
    return ""


class Generator:
    """Builds a DataStore; call `run()` once."""

    def __init__(self, seed: int, customers: int, orders: int, today: date, zone: tzinfo) -> None:
        self.seed = seed
        self.customer_count = customers
        self.order_count = orders
        self.today = today
        self.zone = zone
        self.store = DataStore(today, zone)
        self.profiles: dict[int, Profile] = {}
        self.suppliers: list[int] = []
        self.generated_customers: list[int] = []
        self.product_ids: list[int] = []
        self.used_emails: set[str] = set()
        self.po_number = 4101

    def rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def at(self, day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
        """That wall-clock time of the account on `day`."""
        return local_datetime(day, hour, minute, second, zone=self.zone)

    def wire(self, moment: datetime) -> str:
        return wire_datetime(moment, self.zone)

    def has_shape(self, plan: Plan, shape: str, share: float) -> bool:
        """Whether the plan's order has one of the real-account shapes above (own RNG)."""
        return PINNED_SHAPES.get(plan.key) == shape or self.rng(shape, plan.key).random() < share

    def at_local_midnight(self, plan: Plan) -> bool:
        """Whether the plan's order carries its date-only fields at local midnight (own RNG)."""
        return self.rng("local-midnight", plan.key).random() < LOCAL_MIDNIGHT_SHARE

    def run(self) -> DataStore:
        self.store.companies[MERCHANT_ORGANISATION_ID] = ref.MERCHANT_NAME
        self._merchant_addresses()
        self._staff()
        self._personas()
        self._suppliers()
        self._customers()
        self._products()
        self._orders()
        self._availability()
        self._shared_email()
        return self.store

    # ------------------------------------------------------------------------- contacts
    def _merchant_addresses(self) -> None:
        # Warehouse address ids 12 and 13 are referenced by warehouse-service/warehouse.
        for address_id, address in ((12, MERCHANT_HQ), (13, SHOWROOM)):
            self.store.addresses[address_id] = {"addressId": address_id, "contactId": 0, **address.wire()}

    def _contact(
        self, contact_id: int, *, created_days_ago: int = 900, rng: random.Random, **fields: Any,
    ) -> dict[str, Any]:
        created = self.at(self.day(created_days_ago), 9 + rng.randint(0, 7), rng.randint(0, 59))
        updated = self.at(self.day(rng.randint(1, min(created_days_ago, 120))), 8 + rng.randint(0, 9), rng.randint(0, 59))
        contact = add_contact(self.store, contact_id, created_on=created, updated_on=updated,
                              newsletter=rng.random() < 0.4, **fields)
        self.used_emails.add(str(fields["email"]).lower())
        return contact

    def _staff(self) -> None:
        rng = self.rng("staff")
        for contact_id, salutation, first, last, email in ref.STAFF:
            self._contact(
                contact_id, salutation=salutation, first=first, last=last, email=email,
                organisation_id=MERCHANT_ORGANISATION_ID, is_staff=True,
                addresses={"DEF": 12, "BIL": 12, "DEL": 12}, telephone="01924 000000",
                financial=financial_details(ref.PRICE_LIST_TRADE, "GBP", 0, 0, Decimal(0)),
                created_days_ago=1500 + contact_id, rng=rng,
            )

    def _personas(self) -> None:
        organisations: dict[str, int] = {}
        for persona in PERSONAS:
            self._persona(persona, organisations)

    def _persona(self, persona: Persona, organisations: dict[str, int]) -> None:
        rng = self.rng("persona", persona.contact_id)
        store = self.store
        if persona.company not in organisations:
            organisations[persona.company] = store.ids.take("organisation")
            store.companies[organisations[persona.company]] = persona.company
        organisation_id = organisations[persona.company]
        cid = persona.contact_id
        if persona.primary_contact_id is None:
            head = store.add_address(persona.head_office.wire(), cid)
            billing = head
        else:
            # Secondary contacts inherit DEF/BIL from the company's primary contact (§6.4).
            primary = store.contacts[persona.primary_contact_id]["postAddressIds"]
            head, billing = primary["DEF"], primary["BIL"]
        deliveries = [store.add_address(a.wire(), cid) for a in persona.delivery] or [head]
        nominal = "5000" if persona.is_supplier else "4000"
        self._contact(
            cid, salutation=persona.salutation, first=persona.first_name, last=persona.last_name,
            email=persona.email, organisation_id=organisation_id, is_supplier=persona.is_supplier,
            is_primary=persona.is_primary,
            addresses={"DEF": head, "BIL": billing, "DEL": deliveries[0]},
            telephone=persona.telephone, mobile=persona.mobile, secondary_email=persona.secondary_email,
            website=f"https://www.{_slug(persona.company)}.example.com" if persona.is_primary else "",
            financial=financial_details(
                persona.price_list_id, persona.currency, persona.credit_limit,
                persona.credit_term_days, Decimal(0), nominal, persona.tax_number,
            ),
            account_manager=persona.account_manager_id, account_reference=persona.account_reference,
            created_days_ago=1100 + cid % 7 * 30, tags="9,14" if persona.is_primary else "9", rng=rng,
        )
        self.profiles[cid] = Profile(
            cid, f"{persona.first_name} {persona.last_name}", persona.company, persona.currency,
            persona.price_list_id, "T20", persona.credit_term_days, persona.account_manager_id,
            Decimal(0), head, deliveries,
        )
        if persona.is_supplier:
            self.suppliers.append(cid)
        store.ids.contact = max(store.ids.contact, FIRST_GENERATED_CONTACT_ID)

    def _unique_email(self, local: str, domain: str) -> str:
        email = f"{local}@{domain}"
        suffix = 2
        while email.lower() in self.used_emails:
            email = f"{local}{suffix}@{domain}"
            suffix += 1
        return email

    def _shared_email(self) -> None:
        """Two customer contacts of two companies with the same primary e-mail, as real
        accounts have (API addendum G.2: e-mail is not unique). Made last, so no other id moves."""
        store = self.store
        for index, company in enumerate(SHARED_EMAIL_COMPANIES):
            rng = self.rng("shared-email", index)
            cid = store.ids.take("contact")
            organisation_id = store.ids.take("organisation")
            store.companies[organisation_id] = company
            address = store.add_address(Address(f"{10 + index} Mill Lane", "", "Halifax", "West Yorkshire", "HX1 4PQ").wire(), cid)
            self._contact(
                cid, salutation="Ms", first="Jo", last="Porter", email=SHARED_EMAIL, organisation_id=organisation_id,
                addresses={"DEF": address, "BIL": address, "DEL": address},
                financial=financial_details(ref.PRICE_LIST_TRADE, "GBP", 2500, 30, Decimal(0)),
                account_manager=15, created_days_ago=900 - index * 400, rng=rng,
            )

    def _suppliers(self) -> None:
        store = self.store
        for index, (company, country, town, region, postcode, street, currency) in enumerate(cat.SUPPLIER_COMPANIES):
            rng = self.rng("supplier", index)
            cid = store.ids.take("contact")
            organisation_id = store.ids.take("organisation")
            store.companies[organisation_id] = company
            address = store.add_address(Address(street, "", town, region, postcode, country).wire(), cid)
            first, last = rng.choice(cat.FIRST_NAMES), rng.choice(cat.LAST_NAMES)
            slug = _slug(company)
            self._contact(
                cid, salutation=cat.SALUTATIONS[first], first=first, last=last,
                email=self._unique_email("orders", f"{slug}.example.com"),
                organisation_id=organisation_id, is_supplier=True,
                addresses={"DEF": address, "BIL": address, "DEL": address},
                telephone=_phone(rng, "+31 38" if country == "NLD" else "0114"),
                website=f"https://www.{slug}.example.com",
                financial=financial_details(ref.PRICE_LIST_COST, currency, 0, 30, Decimal(0), "5000"),
                account_manager=15, created_days_ago=1300 + index * 20, rng=rng,
            )
            self.profiles[cid] = Profile(
                cid, f"{first} {last}", company, currency, ref.PRICE_LIST_COST,
                "T20" if country == "GBR" else "Z", 30, 15, Decimal(0), address, [address],
            )
            self.suppliers.append(cid)

    def _customers(self) -> None:
        store = self.store
        demo_customers = sum(1 for p in PERSONAS if not p.is_supplier)
        wanted = max(0, self.customer_count - demo_customers)
        index = 0
        while len(self.generated_customers) < wanted:
            rng = self.rng("customer", index)
            index += 1
            eu = rng.random() < 0.15
            first, last = rng.choice(cat.FIRST_NAMES), rng.choice(cat.LAST_NAMES)
            if eu:
                country, towns, suffix, phone_code = rng.choice(cat.EU_MARKETS)
                town, region, postcode = rng.choice(towns)
                company = f"{rng.choice(cat.LAST_NAMES)} {rng.choice(('Interiors', 'Wonen', 'Design', 'Living', 'Hospitality'))} {suffix}"
                head_fields = Address(f"{rng.randint(2, 140)} {rng.choice(('Main Street', 'Kerkstraat', 'Rue Nationale', 'Hauptstraße', 'Quay Road'))}", "", town, region, postcode, country)
                currency, price_list, tax_code = "EUR", ref.PRICE_LIST_TRADE_EUR, "Z"
                telephone = f"{phone_code} {rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
                tax_number = f"{ref.COUNTRIES[country]['iso2']}{rng.randint(10**8, 10**9 - 1)}"
            else:
                town, county, area, prefix = rng.choice(cat.UK_TOWNS)
                style = rng.randint(0, 3)
                if style == 0:
                    company = f"{last} & {rng.choice(cat.LAST_NAMES)} {rng.choice(cat.COMPANY_SECTORS)} Ltd"
                elif style == 1:
                    company = f"{rng.choice(cat.COMPANY_PLACES)} {rng.choice(cat.COMPANY_SECTORS)} Ltd"
                elif style == 2:
                    company = f"{last} {rng.choice(cat.COMPANY_SECTORS)} Ltd"
                else:
                    company = f"The {rng.choice(cat.COMPANY_PLACES)} {rng.choice(('Hotel', 'Kitchen', 'Workshop', 'Trading'))} Company Ltd"
                postcode = f"{area}{rng.randint(1, 28)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                line1 = (f"Unit {rng.randint(1, 24)}, {rng.choice(cat.ESTATES)}" if rng.random() < 0.5
                         else f"{rng.randint(1, 220)} {rng.choice(cat.STREETS)}")
                head_fields = Address(line1, rng.choice(cat.LOCALITIES), town, county, postcode)
                currency, price_list, tax_code = "GBP", ref.PRICE_LIST_TRADE, "T20"
                telephone = _phone(rng, prefix)
                tax_number = f"GB{rng.randint(10**8, 10**9 - 1)}" if rng.random() < 0.7 else ""
            cid = store.ids.take("contact")
            organisation_id = store.ids.take("organisation")
            store.companies[organisation_id] = company
            head = store.add_address(head_fields.wire(), cid)
            deliveries = [head]
            for _ in range(rng.choice((0, 1, 1, 2, 3))):
                site = Address(
                    f"{rng.choice(('Goods In', 'Site office', 'Rear entrance', 'Loading bay'))}, {rng.randint(1, 90)} {rng.choice(cat.STREETS)}",
                    "", head_fields.line3, head_fields.line4, head_fields.postcode, head_fields.country,
                )
                deliveries.append(store.add_address(site.wire(), cid))
            terms = rng.choice((14, 30, 30, 30, 60))
            discount = rng.choice((Decimal(0), Decimal(0), Decimal(0), Decimal("2.50"), Decimal("5.00")))
            manager = rng.choice(ref.ACCOUNT_MANAGER_IDS)
            slug = _slug(company)
            self._contact(
                cid, salutation=cat.SALUTATIONS[first], first=first, last=last,
                email=self._unique_email(f"{first}.{last}".lower(), f"{slug}.example.com"),
                organisation_id=organisation_id,
                addresses={"DEF": head, "BIL": head, "DEL": deliveries[1] if len(deliveries) > 1 else head},
                telephone=telephone, mobile=f"07700 9{rng.randint(10000, 99999)}" if rng.random() < 0.5 else "",
                secondary_email=self._unique_email("accounts", f"{slug}.example.com") if rng.random() < 0.4 else "",
                website=f"https://www.{slug}.example.com" if rng.random() < 0.6 else "",
                financial=financial_details(
                    price_list, currency, rng.choice((2500, 5000, 7500, 10000, 20000)), terms, discount,
                    tax_number=tax_number, tax_code_id=ref.TAX_CODE_BY_CODE[tax_code]["id"],
                ),
                account_manager=manager, account_reference=f"{_slug(company)[:6].upper()}{index:02d}",
                created_days_ago=rng.randint(200, 2000), tags=rng.choice(("", "9", "9,14", "14", "3,9")), rng=rng,
            )
            self.profiles[cid] = Profile(
                cid, f"{first} {last}", company, currency, price_list, tax_code, terms, manager,
                discount, head, deliveries,
            )
            self.generated_customers.append(cid)

    # ------------------------------------------------------------------------- products
    def _products(self) -> None:
        store = self.store
        supplier_by_index = {i: self.suppliers[1 + i] for i in range(len(cat.SUPPLIER_COMPANIES))}
        sam = self.suppliers[0]
        for index, product in enumerate(cat.PRODUCTS):
            rng = self.rng("product", product.sku)
            pid = store.ids.take("product")
            self.product_ids.append(pid)
            supplier = supplier_by_index[product.supplier_index]
            if product.supplier_index == 0 and index % 2 == 1:
                supplier = sam  # the demo supplier makes half of the wooden furniture
            self.profiles[supplier].products.append(pid)
            store.product_suppliers[pid] = supplier
            barcode = ean13(rng)
            identity: dict[str, Any] = {"sku": product.sku, "barcode": barcode, "ean": barcode}
            if rng.random() < 0.5:
                identity["mpn"] = f"MF-{product.sku}"
            created = self.at(self.day(rng.randint(400, 1500)), 10)
            updated = self.at(self.day(rng.randint(5, 300)), 8)
            size = max(10.0, round(product.weight * 4, 1))
            tax = ref.TAX_CODE_BY_CODE[product.tax_code]
            store.products[pid] = {
                "id": pid,
                "brandId": product.brand,
                "productTypeId": 1,
                "identity": identity,
                "productGroupId": 0,
                "featured": rng.random() < 0.15,
                "stock": {
                    "stockTracked": product.stock_tracked,
                    "weight": {"magnitude": product.weight},
                    "dimensions": {"length": size, "height": size, "width": size,
                                   "volume": round(size * size * size / 1_000_000, 3)},
                },
                "financialDetails": {"taxable": True, "taxCode": {"id": tax["id"], "code": tax["code"]}},
                "salesChannels": [{
                    "salesChannelName": "Brightpearl",
                    "productName": product.name,
                    "productCondition": "new",
                    "categories": [{"categoryCode": str(product.category)}],
                    "description": {"languageCode": "en", "text": f"<p>{product.name}. Trade quality, supplied by {ref.MERCHANT_NAME}.</p>", "format": "HTML_FRAGMENT"},
                    "shortDescription": {"languageCode": "en", "text": product.name.split(" - ")[0], "format": "HTML_FRAGMENT"},
                }],
                "composition": {"bundle": False},
                "createdOn": self.wire(created),
                "updatedOn": self.wire(updated),
                "warehouses": {"2": {"defaultLocationId": 0, "overflowLocationId": 0,
                                     "reorderLevel": 10, "reorderQuantity": 60}},
                "nominalCodeStock": "1001",
                "nominalCodePurchases": "5000",
                "nominalCodeSales": "4000",
                "seasonIds": [],
                "reporting": {},
                "status": "LIVE",
                "salesPopupMessage": "",
                "warehousePopupMessage": "",
                "version": int(updated.timestamp() * 1000),
            }
            trade = product.trade_price
            if product.category >= 131:
                breaks = {"1": trade, "10": trade * Decimal("0.92"), "50": trade * Decimal("0.85")}
            else:
                breaks = {"1": trade, "10": trade * Decimal("0.95")}
            store.product_prices[pid] = {
                ref.PRICE_LIST_COST: {"1": money(product.cost, 4)},
                ref.PRICE_LIST_TRADE: {q: money(cents(p), 4) for q, p in breaks.items()},
                ref.PRICE_LIST_RETAIL: {"1": money(cents(trade * Decimal("1.8") * Decimal("1.2")), 4)},
                ref.PRICE_LIST_TRADE_EUR: {q: money(cents(p * EUR_PER_GBP), 4) for q, p in breaks.items()},
            }

    def _availability(self) -> None:
        for pid in self.product_ids:
            rng = self.rng("stock", pid)
            big = cat.PRODUCTS[pid - self.product_ids[0]].category >= 131
            warehouses: dict[int, dict[str, int]] = {}
            for warehouse_id in (2, 3) if rng.random() < 0.4 else (2,):
                in_stock = rng.randint(0, 900 if big else 120) if warehouse_id == 2 else rng.randint(0, 20)
                allocated = rng.randint(0, min(in_stock, 40))
                warehouses[warehouse_id] = {
                    "inStock": in_stock,
                    "onHand": in_stock - allocated,
                    "allocated": allocated,
                    "inTransit": rng.choice((0, 0, 0, 12, 24)),
                }
            self.store.availability[pid] = warehouses

    # --------------------------------------------------------------------------- orders
    def _plan(self, key: str, type_code: str, contact_id: int, scenario: str) -> Plan:
        rng = self.rng("order", key)
        low, high = _days_range(scenario, self.profiles[contact_id].terms)
        return Plan(key, type_code, contact_id, scenario, rng.randint(low, high), rng.randint(7 * 60, 18 * 60), rng)

    def _credit_plan(self, key: str, parent: Plan) -> Plan:
        rng = self.rng("order", key)
        days_ago = max(1, parent.days_ago - rng.randint(6, 28))
        state = "complete" if rng.random() < 0.75 else "pending"
        return Plan(key, "SC", parent.contact_id, f"credit_{state}", days_ago, rng.randint(8 * 60, 17 * 60), rng, parent)

    def _orders(self) -> None:
        plans: list[Plan] = []
        for persona in PERSONAS:
            own: list[Plan] = []
            name = persona.first_name.lower()
            for scenario, count in persona.scenarios.items():
                type_code = "PO" if scenario.startswith("po_") else "SO"
                for n in range(count):
                    own.append(self._plan(f"{name}:{scenario}:{n}", type_code, persona.contact_id, scenario))
            parents = [p for p in own if p.scenario.startswith("invoiced") and p.days_ago >= 10]
            pick = self.rng("credits", name)
            for n, state in enumerate(persona.credits):
                credit = self._credit_plan(f"{name}:credit:{n}", pick.choice(parents))
                credit.scenario = f"credit_{state}"
                own.append(credit)
            plans.extend(own)

        remaining = max(0, self.order_count - len(plans))
        assign = self.rng("assign")
        customers = self.generated_customers
        weights = [assign.choice((1, 1, 2, 3, 5, 8)) for _ in customers]
        generated_suppliers = self.suppliers[1:]
        generated: list[Plan] = []
        credits_wanted = int(remaining * CREDIT_SHARE)
        for n in range(remaining - credits_wanted):
            if generated_suppliers and (not customers or assign.random() < PO_SHARE):
                supplier = assign.choice(generated_suppliers)
                scenario = assign.choices(list(PO_WEIGHTS), list(PO_WEIGHTS.values()))[0]
                generated.append(self._plan(f"gen:{n}", "PO", supplier, scenario))
            elif customers:
                customer = assign.choices(customers, weights)[0]
                scenario = assign.choices(list(GENERATED_SO_WEIGHTS), list(GENERATED_SO_WEIGHTS.values()))[0]
                generated.append(self._plan(f"gen:{n}", "SO", customer, scenario))
        parents = [p for p in generated if p.scenario == "invoiced" and p.days_ago >= 10]
        for n in range(min(credits_wanted, len(parents))):
            generated.append(self._credit_plan(f"gen:credit:{n}", assign.choice(parents)))
        plans.extend(generated)

        # Older orders get lower ids, as in a real account.
        plans.sort(key=lambda p: (-p.days_ago, p.minute, p.key))
        for plan in plans:
            if plan.type_code == "SO":
                self._sales_order(plan)
            elif plan.type_code == "PO":
                self._purchase_order(plan)
            else:
                self._sales_credit(plan)

    def _price(self, product_id: int, price_list_id: int, quantity: int) -> Decimal:
        breaks = self.store.product_prices[product_id][price_list_id]
        best = max((int(q) for q in breaks if int(q) <= quantity), default=1)
        return Decimal(breaks[str(best)])

    def _lines(self, rng: random.Random, profile: Profile) -> list[Line]:
        count = rng.choice((1, 1, 2, 2, 3, 3, 4))
        lines = []
        for pid in rng.sample(self.product_ids, count):
            product = cat.PRODUCTS[pid - self.product_ids[0]]
            if product.category >= 131:
                quantity = rng.choice((4, 6, 10, 10, 12, 20, 24, 50))
            elif product.trade_price > 300:
                quantity = rng.randint(1, 3)
            else:
                quantity = rng.choice((1, 2, 2, 3, 4, 6, 8, 10, 12))
            lines.append(Line(
                pid, product.name, product.sku, Decimal(quantity),
                self._price(pid, profile.price_list_id, quantity),
                product.cost if profile.currency == "GBP" else cents(product.cost * EUR_PER_GBP),
                profile.tax_code, "4000", profile.discount,
            ))
        if rng.random() < 0.5:
            name, price, nominal = rng.choice(cat.DELIVERY_CHARGES)
            if profile.currency != "GBP":
                price = cents(price * EUR_PER_GBP)
            lines.append(Line(0, name, "", Decimal(1), price, Decimal(0), profile.tax_code, nominal))
        elif rng.random() < 0.08:
            name, price, nominal = rng.choice(cat.SERVICE_ROWS)
            lines.append(Line(0, name, "", Decimal(1), price, Decimal(0), profile.tax_code, nominal))
        return lines

    def _customer_reference(self, rng: random.Random, profile: Profile) -> str:
        roll = rng.random()
        if roll < 0.08:
            return ""  # a few orders have no customer reference at all
        if roll < 0.55:
            return f"PO-{rng.randint(10000, 99999)}"
        if roll < 0.8:
            return f"{_initials(profile.company)}-{rng.randint(1000, 9999)}"
        return rng.choice(("Hotel refurb - floor 2", "Spring range", "Showroom restock", "Café fit-out",
                           "Project Holloway", "Bar area", "Reception", "Guest rooms phase 1"))

    def _shipping_method(self, rng: random.Random, lines: list[Line]) -> int:
        heavy = any(line.product_id and cat.PRODUCTS[line.product_id - self.product_ids[0]].weight > 15 for line in lines)
        if rng.random() < 0.05:
            return 14
        if heavy:
            return 7
        return rng.choice((3, 9, 9, 11, 11))

    def _sales_order(self, plan: Plan) -> None:
        store, rng, scenario = self.store, plan.rng, plan.scenario
        profile = self.profiles[plan.contact_id]
        contact = store.contacts[plan.contact_id]
        lines = self._lines(rng, profile)
        placed_day = self.day(plan.days_ago)
        placed = self.at(placed_day, plan.minute // 60, plan.minute % 60, rng.randint(0, 59))
        created = placed - timedelta(seconds=rng.randint(0, 400))
        channel = 1 if scenario == "new_web" or (scenario not in ("new_phone",) and rng.random() < 0.45) else 2
        initial_status = (ref.STATUS_QUOTE if scenario in ("quote", "approved")
                          else ref.STATUS_NEW_WEB if channel == 1 else ref.STATUS_NEW_PHONE)
        method = self._shipping_method(rng, lines)
        delivery_id = profile.delivery_ids[0] if rng.random() < 0.65 else rng.choice(profile.delivery_ids)
        delivery_address = store.addresses[delivery_id]
        meta = OrderMeta()
        if channel == 1:
            meta.custom_fields["PCF_PORTALUSR"] = contact["communication"]["emails"]["PRI"]["email"]
        if rng.random() < 0.25:
            meta.custom_fields["PCF_DELIVNOTE"] = rng.choice(("Call 30 min before arrival", "Tail-lift required",
                                                              "Deliver to rear entrance", "No deliveries before 10am"))
        draft = OrderDraft(
            type_code="SO",
            contact_party=party(store, plan.contact_id, store.addresses[profile.head_office_id], with_contact_id=True),
            delivery_party=party(store, plan.contact_id, delivery_address, with_contact_id=False,
                                 full_name=f"Goods In - {profile.company.split(' ')[0]}" if delivery_id != profile.head_office_id else None),
            billing_party=party(store, plan.contact_id, store.addresses[contact["postAddressIds"]["BIL"]],
                                with_contact_id=True, full_name="Accounts Payable"),
            lines=lines, status_id=initial_status, placed_on=placed, created_on=created, updated_on=placed,
            currency=profile.currency, reference=self._customer_reference(rng, profile),
            price_list_id=profile.price_list_id, shipping_method_id=method,
            channel_id=channel, staff_owner_id=profile.account_manager, lead_source_id=3,
            created_by=ref.API_USER_ID if channel == 1 else profile.account_manager, meta=meta,
        )
        draft.dates_at_local_midnight = self.at_local_midnight(plan)
        if self.has_shape(plan, "inc", INC_SHARE):
            draft.price_mode = "INC"
            draft.lines = lines = [_inclusive(line) for line in lines]
        draft.rows_without_prices = plan.days_ago > UNPRICED_AFTER_DAYS
        terms = profile.terms
        steps: list[tuple[str, Any]] = []  # (kind, detail) applied after the order exists
        if scenario in ("quote", "approved"):
            draft.payment_status = "NOT_APPLICABLE" if scenario == "quote" else "UNPAID"
            draft.status_id = initial_status if scenario == "quote" else ref.STATUS_QUOTE_APPROVED
            draft.allocation_status = "ANA" if scenario == "quote" else "AAA"
            if scenario == "approved":
                draft.delivery_date = placed_day + timedelta(days=rng.randint(5, 14))
                draft.updated_on = placed + timedelta(hours=rng.randint(2, 20))
        elif scenario == "cancelled":
            draft.status_id = ref.STATUS_CANCELLED
            draft.payment_status = "NOT_APPLICABLE"
            meta.tax_date_set = self.has_shape(plan, "tax_date", TAX_DATE_SHARE)
            draft.updated_on = placed + timedelta(hours=rng.randint(2, 48))
        elif scenario in ("new_web", "new_phone", "part_shipped"):
            draft.allocation_status = "AAA" if scenario != "part_shipped" else "APA"
            draft.delivery_date = placed_day + timedelta(days=rng.randint(2, 10))
            if scenario == "part_shipped":
                draft.shipping_status, draft.stock_status = "SPS", "SOP"
            draft.updated_on = placed + timedelta(hours=rng.randint(1, 20))
            if self.has_shape(plan, "invoiced_status", INVOICED_STATUS_SHARE):
                # Moved to the "Invoiced" status by hand: Brightpearl has not invoiced it, so
                # it has a tax date but no invoice number.
                draft.status_id = ref.STATUS_INVOICED
                meta.tax_date_set = True
            else:
                meta.tax_date_set = self.has_shape(plan, "tax_date", TAX_DATE_SHARE)
        else:  # invoiced_*: shipped, invoiced, paid according to the scenario or the age
            ship_day = placed_day + timedelta(days=min(rng.randint(1, 3), plan.days_ago - 1))
            due_day = ship_day + timedelta(days=terms)
            draft.status_id = ref.STATUS_INVOICED
            draft.allocation_status, draft.shipping_status, draft.stock_status = "AAA", "ASS", "SOA"
            draft.delivery_date = ship_day + timedelta(days=1)
            draft.invoice = Invoice(f"SI-{store.ids.take('invoice_number')}", ship_day, due_day)
            closed = self.at(ship_day, 16, rng.randint(0, 59), rng.randint(0, 59))
            draft.closed_on = closed
            draft.updated_on = closed
            draft.version = rng.randint(4, 12)
            meta.invoice_journal_id = store.ids.take("journal")
            plan.invoice_day = ship_day
            steps.append(("ship", ship_day))
            steps.append(("pay", self._payment_kind(rng, scenario, (self.today - due_day).days)))
        order_id = store_order(store, draft, rng.sample(range(len(lines)), len(lines)))
        plan.order_id = order_id
        order = store.orders[order_id]
        if scenario in ("new_web", "new_phone") and rng.random() < 0.4:
            self._goods_out(rng, order, [(rid, None) for rid, _ in self._stock_rows(order)], placed, rng.randint(1, 3))
        if scenario == "part_shipped":
            self._part_shipment(rng, order, placed)
        for kind, detail in steps:
            if kind == "ship":
                self._ship_all(rng, order, detail)
            else:
                self._pay(rng, order, profile, detail)
        self._sales_notes(rng, order, profile, scenario, initial_status, created)

    @staticmethod
    def _payment_kind(rng: random.Random, scenario: str, due_age: int) -> str:
        if scenario != "invoiced":
            return scenario.removeprefix("invoiced_")
        roll = rng.random()
        if due_age > 20:
            return "paid" if roll < 0.9 else "overdue" if roll < 0.96 else "part_paid"
        if due_age > 0:
            return "paid" if roll < 0.5 else "overdue" if roll < 0.85 else "part_paid"
        return "paid" if roll < 0.25 else "unpaid" if roll < 0.85 else "part_paid"

    def _pay(self, rng: random.Random, order: dict[str, Any], profile: Profile, kind: str) -> None:
        if kind in ("unpaid", "overdue"):
            return
        invoice = order["invoices"][0]
        tax_day = wire_day(invoice["taxDate"], self.zone)
        total = Decimal(order["totalValue"]["total"])
        latest = self.today - timedelta(days=1)
        pay_day = min(tax_day + timedelta(days=rng.randint(0, profile.terms + 10)), latest)
        if kind == "part_paid":
            amounts = [cents(total * Decimal(rng.randint(30, 70)) / 100)]
        elif rng.random() < 0.15 and total > 100:
            deposit = cents(total * Decimal("0.3"))
            amounts = [deposit, total - deposit]
        else:
            amounts = [total]
        if profile.currency == "EUR":
            method = rng.choice(("BACS", "STRIPE"))
        else:
            method = rng.choice(("BACS", "BACS", "BACS", "CARD", "STRIPE"))
        for n, amount in enumerate(amounts):
            day = min(pay_day + timedelta(days=7 * n), latest)
            paid_on = self.at(day, 10, rng.randint(0, 59))
            if method == "STRIPE":
                transaction = "pi_3" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(21))
            elif method == "CARD":
                transaction = f"CARD-{rng.randint(1000, 9999)}"
            else:
                transaction = f"BACS-{_initials(profile.company)}-{rng.randint(100000, 999999)}"
            self.store.add_payment(
                order["id"], "RECEIPT", amount, method, paid_on, paid_on + timedelta(seconds=3),
                transaction, journal_ref=f"Payment for {invoice['invoiceReference']}",
            )
            order["updatedOn"] = max(order["updatedOn"], self.wire(paid_on), key=_moment)

    @staticmethod
    def _stock_rows(order: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
        return [(rid, row) for rid, row in row_items(order) if row["productId"]]

    def _ship_all(self, rng: random.Random, order: dict[str, Any], ship_day: date) -> None:
        rows = self._stock_rows(order)
        start = self.at(ship_day, 8, rng.randint(30, 59))
        if len(rows) >= 2 and rng.random() < 0.2:
            cut = rng.randint(1, len(rows) - 1)
            self._goods_out(rng, order, [(rid, None) for rid, _ in rows[:cut]], start, 4)
            self._goods_out(rng, order, [(rid, None) for rid, _ in rows[cut:]], start + timedelta(minutes=40), 4)
        elif rows:
            self._goods_out(rng, order, [(rid, None) for rid, _ in rows], start, 4)

    def _part_shipment(self, rng: random.Random, order: dict[str, Any], placed: datetime) -> None:
        rows = self._stock_rows(order)
        start = placed + timedelta(hours=20)
        if len(rows) == 1:
            rid, row = rows[0]
            quantity = int(Decimal(row["quantity"]["magnitude"]))
            if quantity < 2:
                self._goods_out(rng, order, [(rid, None)], start, 4)
                return
            self._goods_out(rng, order, [(rid, quantity // 2)], start, 4)
            return
        cut = max(1, len(rows) // 2)
        self._goods_out(rng, order, [(rid, None) for rid, _ in rows[:cut]], start, 4)
        if rng.random() < 0.5:
            self._goods_out(rng, order, [(rid, None) for rid, _ in rows[cut:]], start + timedelta(hours=22), rng.randint(1, 2))

    def _goods_out(
        self, rng: random.Random, order: dict[str, Any], rows: list[tuple[int, int | None]],
        start: datetime, progress: int,
    ) -> int:
        """Add a goods-out note for `rows` (row id, quantity or None = all) at `progress`
        (1 printed, 2 picked, 3 packed, 4 shipped)."""
        store = self.store
        order_rows = order["orderRows"]
        warehouse = order["warehouseId"]
        created = start - timedelta(minutes=rng.randint(20, 90))
        gon_rows: dict[str, list[dict[str, Any]]] = {}
        weight = 0.0
        for row_id, quantity in rows:
            row = order_rows[str(row_id)]
            qty = quantity if quantity is not None else int(Decimal(row["quantity"]["magnitude"]))
            gon_rows[str(row_id)] = [{"productId": row["productId"], "quantity": qty, "locationId": warehouse}]
            weight += cat.PRODUCTS[row["productId"] - self.product_ids[0]].weight * qty
        picker = rng.choice(ref.WAREHOUSE_STAFF_IDS)
        shipper = rng.choice((picker, 12))
        times = [start, start + timedelta(minutes=rng.randint(60, 150)),
                 start + timedelta(minutes=rng.randint(160, 240)), start + timedelta(minutes=rng.randint(300, 460))]
        names = ("printed", "picked", "packed", "shipped")
        status: dict[str, Any] = {name: progress > i for i, name in enumerate(names)}
        events = [{"occured": self.wire(created), "eventOwnerId": ref.API_USER_ID, "eventCode": "PLA"}]
        for i, (name, code) in enumerate(zip(names, ("PRI", "PIC", "PAC", "SHW"), strict=True)):
            if progress > i:
                owner = shipper if name == "shipped" else picker
                status[f"{name}On"] = self.wire(times[i])
                status[f"{name}ById"] = owner
                events.append({"occured": self.wire(times[i]), "eventOwnerId": owner, "eventCode": code})
        method = order["delivery"]["shippingMethodId"]
        shipped = progress >= 4
        reference = tracking_reference(rng, method) if shipped and rng.random() < 0.95 else ""
        note = {
            "orderId": order["id"],
            "warehouseId": warehouse,
            "transfer": False,
            "priority": rng.random() < 0.1,
            "status": status,
            "shipping": {
                "reference": reference,
                "shippingMethodId": method,
                "boxes": max(1, math.ceil(weight / 20)),
                "weight": f"{weight:.1f}",
            },
            "releaseDate": self.wire(created),
            "createdOn": self.wire(created),
            "createdBy": ref.API_USER_ID,
            "orderRows": gon_rows,
            "sequence": len(store.goods_out_for(order["id"])) + 1,
            "events": events,
            "lastEventVersion": store.ids.take("event_version"),
        }
        return store.add_goods_out(note)

    def _sales_notes(
        self, rng: random.Random, order: dict[str, Any], profile: Profile, scenario: str,
        initial_status: int, created: datetime,
    ) -> None:
        store, order_id = self.store, order["id"]
        manager = profile.account_manager
        moment = created + timedelta(seconds=1)
        if rng.random() < 0.6:
            text = "Quote created" if initial_status == ref.STATUS_QUOTE else "Order created"
            store.add_note(order_id, text, False, ref.API_USER_ID, ref.API_USER_ID, moment, status_id=initial_status)
        if rng.random() < 0.3:
            moment += timedelta(minutes=rng.randint(5, 300))
            store.add_note(order_id, rng.choice(cat.CUSTOMER_NOTES), True, profile.contact_id, ref.API_USER_ID,
                           moment, status_id=initial_status)
        if rng.random() < 0.25:
            moment += timedelta(minutes=rng.randint(5, 600))
            store.add_note(order_id, rng.choice(cat.STAFF_PUBLIC_NOTES), True, manager, manager, moment,
                           status_id=initial_status)
        if rng.random() < 0.3:
            moment += timedelta(minutes=rng.randint(5, 600))
            store.add_note(order_id, rng.choice(cat.STAFF_PRIVATE_NOTES), False, manager, manager, moment,
                           status_id=initial_status)
        if scenario == "approved":
            store.add_note(order_id, f"Quote accepted by {profile.name}", True, profile.contact_id,
                           ref.API_USER_ID, _moment(order["updatedOn"]), status_id=ref.STATUS_QUOTE_APPROVED)
        elif scenario == "cancelled":
            store.add_note(order_id, "Order cancelled at the customer's request", False, manager, manager,
                           _moment(order["updatedOn"]), status_id=ref.STATUS_CANCELLED)
        elif "closedOn" in order and rng.random() < 0.5:
            store.add_note(order_id, "Order status changed to Invoiced", False, manager, manager,
                           _moment(order["closedOn"]), status_id=ref.STATUS_INVOICED)

    def _purchase_order(self, plan: Plan) -> None:
        store, rng, scenario = self.store, plan.rng, plan.scenario
        profile = self.profiles[plan.contact_id]
        supplied = profile.products or self.product_ids
        lines = []
        for pid in rng.sample(supplied, min(len(supplied), rng.randint(1, 4))):
            product = cat.PRODUCTS[pid - self.product_ids[0]]
            quantity = Decimal(rng.choice((20, 30, 40, 50, 60, 100, 200)))
            cost = product.cost if profile.currency == "GBP" else cents(product.cost * EUR_PER_GBP)
            lines.append(Line(pid, product.name, product.sku, quantity, Decimal(0), cost,
                              profile.tax_code, "5000", net=quantity * cost))
        placed_day = self.day(plan.days_ago)
        placed = self.at(placed_day, plan.minute // 60, plan.minute % 60)
        status = {"po_pending": ref.STATUS_PENDING_PO, "po_placed": ref.STATUS_PLACED_WITH_SUPPLIER,
                  "po_acknowledged": ref.STATUS_PLACED_WITH_SUPPLIER, "po_received": ref.STATUS_PRODUCTS_RECEIVED,
                  "po_invoiced": ref.STATUS_INVOICE_RECEIVED}[scenario]
        received = scenario in ("po_received", "po_invoiced")
        lead = rng.randint(14, 35)
        merchant_delivery = party(store, ref.API_USER_ID, store.addresses[12], with_contact_id=False,
                                  full_name=f"{ref.MERCHANT_NAME.removesuffix(' Ltd')} - Goods In",
                                  company=ref.MERCHANT_NAME, email="warehouse@ashcombe-trade.example",
                                  telephone="01924 000000")
        billing = party(store, plan.contact_id, store.addresses[12], with_contact_id=True,
                        full_name=ref.MERCHANT_NAME, company=ref.MERCHANT_NAME,
                        email="accounts@ashcombe-trade.example", telephone="01924 000000")
        draft = OrderDraft(
            type_code="PO",
            contact_party=party(store, plan.contact_id, store.addresses[profile.head_office_id], with_contact_id=True),
            delivery_party=merchant_delivery, billing_party=billing, lines=lines, status_id=status,
            placed_on=placed, created_on=placed - timedelta(minutes=rng.randint(1, 30)),
            updated_on=placed + timedelta(hours=rng.randint(1, 30)), currency=profile.currency,
            reference=f"ATS-PO-{self.po_number}", price_list_id=ref.PRICE_LIST_COST,
            delivery_date=placed_day + timedelta(days=lead), staff_owner_id=profile.account_manager,
            created_by=profile.account_manager, allocation_status="ANR",
            shipping_status="ASS" if received else "SNS", stock_status="POA" if received else "PON",
            acknowledged=1 if scenario in ("po_acknowledged", "po_received", "po_invoiced") else 0,
            is_dropship=rng.random() < 0.05, version=rng.randint(2, 8),
        )
        draft.dates_at_local_midnight = self.at_local_midnight(plan)
        self.po_number += 1
        if scenario == "po_invoiced":
            tax_day = min(placed_day + timedelta(days=lead + rng.randint(0, 5)), self.today - timedelta(days=1))
            draft.invoice = Invoice(f"{_initials(profile.company)}-INV-{tax_day.year}-{rng.randint(100, 9999):04d}",
                                    tax_day, tax_day + timedelta(days=30))
            draft.closed_on = self.at(tax_day, 15)
            draft.updated_on = draft.closed_on
            draft.payment_status = "PAID" if (self.today - tax_day).days > 35 else "UNPAID"
        order_id = store_order(store, draft, rng.sample(range(len(lines)), len(lines)))
        plan.order_id = order_id
        manager = profile.account_manager
        moment = placed + timedelta(minutes=2)
        store.add_note(order_id, "Purchase order created", False, manager, manager, moment,
                       status_id=ref.STATUS_PENDING_PO)
        if status != ref.STATUS_PENDING_PO:
            store.add_note(order_id, "Purchase order sent to supplier", True, manager, manager,
                           moment + timedelta(hours=1), status_id=ref.STATUS_PLACED_WITH_SUPPLIER)
        if draft.acknowledged and rng.random() < 0.6:
            store.add_note(order_id, rng.choice(cat.SUPPLIER_NOTES), True, plan.contact_id, ref.API_USER_ID,
                           moment + timedelta(hours=rng.randint(3, 40)), status_id=ref.STATUS_PLACED_WITH_SUPPLIER)
        if rng.random() < 0.3:
            store.add_note(order_id, rng.choice(cat.STAFF_PRIVATE_NOTES), False, manager, manager,
                           moment + timedelta(hours=rng.randint(3, 60)))

    def _sales_credit(self, plan: Plan) -> None:
        store, rng = self.store, plan.rng
        assert plan.parent is not None and plan.parent.order_id
        parent = store.orders[plan.parent.order_id]
        profile = self.profiles[plan.contact_id]
        rows = [row for _, row in row_items(parent) if row["productId"]] or [row for _, row in row_items(parent)]
        lines = []
        inclusive = parent["priceModeCode"] == "INC"  # a credit is priced like its order
        for row in rng.sample(rows, min(len(rows), rng.choice((1, 1, 2)))):
            quantity = min(Decimal(row["quantity"]["magnitude"]), Decimal(rng.choice((1, 1, 2))))
            value = row["rowValue"]
            price, discount = _unit_price(row, inclusive), Decimal(row["discountPercentage"])
            if "productPrice" not in row:
                discount = Decimal(0)  # a price derived from rowNet is after the discount
            cost = Decimal(row["itemCost"]["value"]) if "itemCost" in row else Decimal(0)
            lines.append(Line(row["productId"], row["productName"], row["productSku"], quantity, price, cost,
                              value["taxCode"], row["nominalCode"], discount, includes_tax=inclusive))
        placed_day = max(self.day(plan.days_ago), (plan.parent.invoice_day or self.day(plan.days_ago)) + timedelta(days=1))
        placed_day = min(placed_day, self.today - timedelta(days=1))
        placed = self.at(placed_day, plan.minute // 60, plan.minute % 60)
        complete = plan.scenario == "credit_complete"
        reason = rng.choice(("damaged in transit", "wrong finish supplied", "surplus to requirements", "faulty item"))
        parent_ref = parent.get("reference") or ""
        draft = OrderDraft(
            type_code="SC",
            contact_party=dict(parent["parties"]["customer"]),
            delivery_party=dict(parent["parties"]["delivery"]),
            billing_party=dict(parent["parties"]["billing"]),
            lines=lines, status_id=ref.STATUS_SALES_CREDIT_COMPLETE if complete else ref.STATUS_SALES_CREDIT,
            placed_on=placed, created_on=placed, updated_on=placed + timedelta(hours=rng.randint(1, 6)),
            currency=parent["currency"]["orderCurrencyCode"],
            reference=f"Return - {parent_ref}" if parent_ref else f"RMA-{rng.randint(1000, 9999)}",
            price_list_id=parent["priceListId"], staff_owner_id=profile.account_manager,
            channel_id=parent["assignment"]["current"]["channelId"], created_by=profile.account_manager,
            parent_order_id=parent["id"], allocation_status="ANR", shipping_status="NST",
            stock_status="SCA" if complete else "SCN",
        )
        draft.dates_at_local_midnight = self.at_local_midnight(plan)
        draft.price_mode = parent["priceModeCode"]
        draft.rows_without_prices = plan.days_ago > UNPRICED_AFTER_DAYS
        if complete:
            draft.invoice = Invoice(f"SC-{store.ids.take('credit_number')}", placed_day, placed_day)
            draft.closed_on = draft.updated_on
            draft.meta.invoice_journal_id = store.ids.take("journal")
        order_id = store_order(store, draft, rng.sample(range(len(lines)), len(lines)))
        plan.order_id = order_id
        manager = profile.account_manager
        store.add_note(order_id, f"Goods returned: {reason}", False, manager, manager, placed + timedelta(minutes=5))
        if complete:
            store.add_note(order_id, "Credit note raised for the returned items.", True, manager, manager,
                           draft.updated_on)


def _inclusive(line: Line) -> Line:
    """`line` on a tax-inclusive order: its unit price with tax (API-ADDENDUM I.2)."""
    price = cents(line.price * (100 + tax_rate(line.tax_code)) / 100)
    return dataclasses.replace(line, price=price, includes_tax=True)


def _unit_price(row: dict[str, Any], inclusive: bool) -> Decimal:
    """A stored row's unit price in its order's mode; rowNet (+ rowTax) / quantity without one."""
    if "productPrice" in row:
        return Decimal(row["productPrice"]["value"])
    value, quantity = row["rowValue"], Decimal(row["quantity"]["magnitude"])
    amount = Decimal(value["rowNet"]["value"]) + (Decimal(value["rowTax"]["value"]) if inclusive else 0)
    return amount / quantity if quantity else Decimal(0)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)  # what the generator wrote: always with an offset


def _slug(company: str) -> str:
    words = [w for w in "".join(c if c.isalnum() else " " for c in company.lower()).split()
             if w not in ("ltd", "the", "and", "bv", "gmbh", "sarl", "srl", "aps", "company")]
    return "-".join(words[:3]) or "customer"


def _initials(company: str) -> str:
    return "".join(w[0] for w in company.replace("&", " ").split() if w[0].isalpha() and w not in ("Ltd",))[:4].upper()


def _phone(rng: random.Random, prefix: str) -> str:
    return f"{prefix} {rng.randint(200, 999)} {rng.randint(1000, 9999)}"


# Jo Porter buys for two businesses under one address (see Generator._shared_email).
SHARED_EMAIL = "jo.porter@example.com"
SHARED_EMAIL_COMPANIES = ("Porter Joinery", "Porter & Daughters Ltd")


def generate(seed: int, customers: int, orders: int, today: date, zone: str = DEFAULT_ZONE) -> DataStore:
    """Build the demo account in the time zone `zone` (an IANA name or a UTC offset such as
    "-06:00", see formats.account_zone).  See the module docstring for what is deterministic."""
    return Generator(seed, customers, orders, today, account_zone(zone)).run()
