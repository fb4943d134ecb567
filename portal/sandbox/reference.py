"""Account-level reference data of the demo account: statuses, types, methods, lists.

Values follow the examples and API.md: the default order statuses 1-13 of §7.4 plus one
custom "Quote approved" status (id 19, as in examples/order-status-list.json), the recorded
shipping statuses, the order types, UK tax codes and the demo merchant's warehouses,
shipping methods, price lists, channels and payment methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MERCHANT_NAME = "Ashcombe Trade Supply Ltd"
ACCOUNTING_CURRENCY = "GBP"

# --- order types (§7, examples/order-type-list.json) ---------------------------------------
ORDER_TYPES = [
    {"id": 1, "code": "SO", "description": "Sales Order"},
    {"id": 2, "code": "PO", "description": "Purchase Order"},
    {"id": 3, "code": "SC", "description": "Sales Credit"},
    {"id": 4, "code": "PC", "description": "Purchase Credit"},
]
ORDER_TYPE_ID = {t["code"]: t["id"] for t in ORDER_TYPES}
# order-search reference names, recorded (§7.2).
ORDER_TYPE_NAMES = {1: "SALES_ORDER", 2: "PURCHASE_ORDER", 3: "SALES_CREDIT", 4: "PURCHASE_CREDIT"}


# --- order statuses (§7.4) ----------------------------------------------------------------
@dataclass(frozen=True)
class OrderStatus:
    id: int
    name: str
    type_code: str
    sort_order: int
    visible: bool
    color: str
    draft: bool = False
    remind_after_days: int = 0
    alert_emails: tuple[str, ...] = ()
    disabled: bool = False

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "statusId": self.id,
            "name": self.name,
            "orderTypeCode": self.type_code,
            "sortOrder": self.sort_order,
            "disabled": self.disabled,
            "visible": self.visible,
            "color": self.color,
            "remindAfterDays": self.remind_after_days,
            "alertEmails": list(self.alert_emails),
            "emailContent": "",
            "batchProcess": False,
        }
        # API note: `state` was only ever seen as "draft" (§7.4); other values are
        # UNCONFIRMED, so non-draft statuses omit it (absent = null in resource bodies).
        if self.draft:
            body["state"] = "draft"
        return body


STATUS_QUOTE = 1
STATUS_NEW_WEB = 2
STATUS_NEW_PHONE = 3
STATUS_INVOICED = 4
STATUS_CANCELLED = 5
STATUS_PENDING_PO = 6
STATUS_PLACED_WITH_SUPPLIER = 7
STATUS_PRODUCTS_RECEIVED = 8
STATUS_INVOICE_RECEIVED = 9
STATUS_SALES_CREDIT = 10
STATUS_SALES_CREDIT_COMPLETE = 11
STATUS_PURCHASE_CREDIT = 12
STATUS_PURCHASE_CREDIT_COMPLETE = 13
STATUS_QUOTE_APPROVED = 19

ORDER_STATUSES = [
    OrderStatus(1, "Draft / Quote", "SO", 0, True, "#E7E6E4", draft=True, remind_after_days=10),
    OrderStatus(19, "Quote approved", "SO", 1, True, "#9FD3F5", alert_emails=("sales@example.com",)),
    OrderStatus(2, "New web order", "SO", 2, True, "#FFD966"),
    OrderStatus(3, "New phone order", "SO", 3, False, "#F6B26B"),
    OrderStatus(4, "Invoiced", "SO", 4, True, "#93C47D"),
    OrderStatus(5, "Cancelled", "SO", 5, True, "#CC0000"),
    OrderStatus(6, "Pending PO", "PO", 0, False, "#15D115", draft=True, remind_after_days=1),
    OrderStatus(7, "Placed with supplier", "PO", 1, True, "#6FA8DC"),
    OrderStatus(8, "Products received", "PO", 2, True, "#B6D7A8"),
    OrderStatus(9, "Invoice received", "PO", 3, True, "#93C47D"),
    OrderStatus(10, "Sales credit", "SC", 0, True, "#EA9999"),
    OrderStatus(11, "Sales credit complete", "SC", 1, True, "#93C47D"),
    OrderStatus(12, "Purchase credit", "PC", 0, False, "#EA9999"),
    OrderStatus(13, "Purchase credit complete", "PC", 1, False, "#93C47D"),
]
STATUS_BY_ID = {s.id: s for s in ORDER_STATUSES}

# --- stock / shipping / payment statuses and their search ids ------------------------------
# API note: only some of these id<->name pairs were seen in real responses (13 "Unset",
# 3 "All fulfilled", payment 5 NOT_APPLICABLE, shipping 1-4); the rest are illustrative, as
# in examples/order-search.json.  Clients must map ids through the `reference` block.
STOCK_STATUSES = {
    "SON": (1, "Not fulfilled"),
    "SOP": (2, "Part fulfilled"),
    "SOA": (3, "All fulfilled"),
    "PON": (4, "Not received"),
    "POP": (5, "Part received"),
    "POA": (6, "All received"),
    "SCN": (7, "Not returned"),
    "SCP": (8, "Part returned"),
    "SCA": (9, "All returned"),
    "PCN": (10, "Not sent back"),
    "PCP": (11, "Part sent back"),
    "PCA": (12, "All sent back"),
    "NON": (13, "Unset"),
}
STOCK_STATUS_NAMES = {sid: name for sid, name in STOCK_STATUSES.values()}

SHIPPING_STATUSES = [
    {"id": 1, "code": "NST", "description": "No stock tracked products on order"},
    {"id": 2, "code": "SNS", "description": "Stock not shipped"},
    {"id": 3, "code": "SPS", "description": "Stock part shipped"},
    {"id": 4, "code": "ASS", "description": "All stock shipped"},
]
SHIPPING_STATUS_ID = {s["code"]: s["id"] for s in SHIPPING_STATUSES}
SHIPPING_STATUS_NAMES = {s["id"]: s["description"] for s in SHIPPING_STATUSES}

PAYMENT_STATUS_ID = {"UNPAID": 1, "PARTIALLY_PAID": 2, "PAID": 3, "NOT_APPLICABLE": 5}
PAYMENT_STATUS_NAMES = {sid: code for code, sid in PAYMENT_STATUS_ID.items()}

# --- countries and currencies --------------------------------------------------------------
# API note: country ids other than 222 (United Kingdom) and 150 (Netherlands), which appear in
# the examples, are illustrative.
COUNTRIES = {
    "GBR": {"id": 222, "iso2": "GB", "name": "United Kingdom"},
    "IRL": {"id": 103, "iso2": "IE", "name": "Ireland"},
    "NLD": {"id": 150, "iso2": "NL", "name": "Netherlands"},
    "FRA": {"id": 73, "iso2": "FR", "name": "France"},
    "DEU": {"id": 81, "iso2": "DE", "name": "Germany"},
    "BEL": {"id": 21, "iso2": "BE", "name": "Belgium"},
    "ESP": {"id": 195, "iso2": "ES", "name": "Spain"},
    "ITA": {"id": 105, "iso2": "IT", "name": "Italy"},
    "DNK": {"id": 58, "iso2": "DK", "name": "Denmark"},
    "USA": {"id": 223, "iso2": "US", "name": "United States"},
}
COUNTRY_BY_ID = {c["id"]: iso3 for iso3, c in COUNTRIES.items()}

CURRENCIES = {"GBP": {"id": 1, "symbol": "£"}, "EUR": {"id": 2, "symbol": "€"}, "USD": {"id": 3, "symbol": "$"}}
CURRENCY_BY_ID = {c["id"]: code for code, c in CURRENCIES.items()}
# Base (GBP) per unit of order currency, as in the PO example (EUR 0.856000).
EXCHANGE_RATES = {"GBP": "1.000000", "EUR": "0.856000", "USD": "0.789000"}

# --- tax codes (examples/tax-code-list.json) -----------------------------------------------
TAX_CODES = [
    {"id": 1, "code": "T20", "description": "Standard rate VAT", "rate": 20.0},
    {"id": 2, "code": "T5", "description": "Reduced rate VAT", "rate": 5.0},
    {"id": 3, "code": "Z", "description": "Zero rated"},
    {"id": 4, "code": "E", "description": "Exempt"},
]
TAX_CODE_BY_CODE = {t["code"]: t for t in TAX_CODES}

# --- warehouses (examples/warehouse-get.json) ----------------------------------------------
WAREHOUSES = [
    {
        "id": 2,
        "name": "Wakefield DC",
        "typeCode": "warehouse",
        "typeDescription": "Warehouse",
        "address": {"addressId": 12},
        "clickAndCollectEnabled": False,
    },
    {
        "id": 3,
        "name": "Leeds Showroom",
        "typeCode": "store",
        "typeDescription": "Store",
        "address": {"addressId": 13},
        "clickAndCollectEnabled": True,
        "weeklyOperatingPeriods": {
            "timeZone": "Europe/London",
            "periods": [
                {"dayOfWeek": day, "openingHours": "09:00", "closingHours": "17:30"}
                for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
            ]
            + [{"dayOfWeek": "SATURDAY", "openingHours": "10:00", "closingHours": "16:00"}],
        },
    },
]
DEFAULT_WAREHOUSE = 2


# --- shipping methods (examples/shipping-method-get.json) ----------------------------------
@dataclass(frozen=True)
class ShippingMethod:
    id: int
    name: str
    code: str
    carrier: str
    tracking: str  # how generated tracking references look, see generate.tracking_reference

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "code": self.code,
            "breaks": "",
            "methodType": 1,
            "additionalInformationRequired": False,
        }
        if self.carrier:
            body["carrier"] = self.carrier
        body["countries"] = "UK"
        if self.id == 7:
            body["channelBrandTemplates"] = {"1": 12}
        return body


SHIPPING_METHODS = [
    ShippingMethod(3, "Royal Mail Tracked 48", "RMT48", "Royal Mail", "royalmail"),
    ShippingMethod(7, "Pallet - next day", "PALNXT", "Palletways", "pallet"),
    ShippingMethod(9, "UPS Standard", "UPSSTD", "UPS", "ups"),
    ShippingMethod(11, "DHL Parcel UK", "DHLUK", "DHL", "dhl"),
    ShippingMethod(14, "Collection from showroom", "COLLECT", "", "none"),
]
SHIPPING_METHOD_BY_ID = {m.id: m for m in SHIPPING_METHODS}

# --- price lists (examples/price-list-get.json) --------------------------------------------
PRICE_LIST_COST = 1
PRICE_LIST_TRADE = 2
PRICE_LIST_RETAIL = 3
PRICE_LIST_TRADE_EUR = 4


def _price_list(pid: int, text: str, code: str, currency: str, kind: str, gross: bool) -> dict[str, Any]:
    return {
        "id": pid,
        "name": {"languageCode": "en", "text": text, "format": "PLAINTEXT"},
        "code": code,
        "currencyCode": currency,
        "currencySymbol": CURRENCIES[currency]["symbol"],
        "currencyId": CURRENCIES[currency]["id"],
        "priceListTypeCode": kind,
        "gross": gross,
    }


PRICE_LISTS = [
    _price_list(1, "Cost", "COST", "GBP", "BUY", False),
    _price_list(2, "Trade", "TRADE", "GBP", "SELL", False),
    _price_list(3, "Retail", "RETAIL", "GBP", "SELL", True),
    _price_list(4, "Trade EUR", "TRADEEUR", "EUR", "SELL", False),
]
PRICE_LIST_BY_ID = {p["id"]: p for p in PRICE_LISTS}


# --- channels (examples/channel-get.json) --------------------------------------------------
def _channel(cid: int, name: str, type_id: int, price_list_id: int, warehouse_ids: list[int],
             **extra: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "name": name,
        "channelTypeId": type_id,
        "defaultWarehouseId": DEFAULT_WAREHOUSE,
        "contactGroupId": 0,
        "defaultPriceListId": price_list_id,
        "channelBrandId": 1,
        "warehouseIds": warehouse_ids,
        **extra,
    }


CHANNELS = [
    _channel(1, "Trade portal", 1, PRICE_LIST_TRADE, [2]),
    _channel(2, "Phone & email sales", 1, PRICE_LIST_TRADE, [2, 3]),
    _channel(4, "Shopify retail", 5, PRICE_LIST_RETAIL, [2, 3], integrationDetail={
        "installedIntegrationId": 6,
        "configSetId": 2,
        "providerCode": "shopify",
        "integrationTypeCode": "ECOM",
        "active": True,
    }),
]


# --- payment methods (examples/payment-method-get.json) ------------------------------------
def _payment_method(name: str, code: str, method_id: int, nominal_codes: dict[str, str], active: bool = True,
                    **extra: Any) -> dict[str, Any]:
    """A payment method with one bank account per currency (`nominal_codes`: currency -> nominal code)."""
    accounts = [
        {"paymentMethodId": method_id, "currencyIsoCode": currency, "bankAccountNominalCode": nominal}
        for currency, nominal in nominal_codes.items()
    ]
    return {"name": name, "code": code, "isActive": active, "bankAccounts": accounts, **extra}


PAYMENT_METHODS = [
    _payment_method("BACS", "BACS", 2, {"GBP": "1200", "EUR": "1220"}),
    _payment_method("Card terminal", "CARD", 3, {"GBP": "1210"}),
    _payment_method("Stripe", "STRIPE", 4, {"GBP": "1230", "EUR": "1231"}, installedIntegrationId="9"),
    _payment_method("Cheque", "CHEQUE", 5, {"GBP": "1200"}, active=False),
]

# --- contact statuses ----------------------------------------------------------------------
CONTACT_STATUS_CUSTOMER = (3, "Customer")
CONTACT_STATUS_SUPPLIER = (4, "Supplier")
CONTACT_STATUS_STAFF = (5, "Staff")

# --- staff (account managers, warehouse team, the API user behind the staff token) ---------
API_USER_ID = 4  # the staff member the sandbox's staff token acts as
ACCOUNT_MANAGER_IDS = (12, 15)
WAREHOUSE_STAFF_IDS = (31, 33)
STAFF = [
    (4, "Mr", "Portal", "Integration", "api@ashcombe-trade.example"),
    (12, "Ms", "Hannah", "Brooks", "hannah.brooks@ashcombe-trade.example"),
    (15, "Mr", "Daniel", "Okoro", "daniel.okoro@ashcombe-trade.example"),
    (31, "Mr", "Lewis", "Grant", "lewis.grant@ashcombe-trade.example"),
    (33, "Ms", "Priya", "Shah", "priya.shah@ashcombe-trade.example"),
]
