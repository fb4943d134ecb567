"""Word lists and the product catalogue the demo data is drawn from.

Everything here is fixed data (no randomness); `generate.py` picks from it with a seeded RNG.
The merchant is a UK trade supplier of furniture, homewares and hardware selling to interior
designers, hotels, cafés and shops in the UK and (in EUR) Ireland and the EU.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

FIRST_NAMES = (
    "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Mia", "Charlie", "Grace",
    "Thomas", "Freya", "James", "Evie", "William", "Poppy", "Henry", "Ruby", "Arthur", "Sophie",
    "Leo", "Lily", "Oscar", "Ella", "Noah", "Chloe", "Ethan", "Imogen", "Rhys", "Niamh",
    "Callum", "Siobhan", "Aidan", "Fiona", "Ciaran", "Eilidh", "Rory", "Megan", "Dylan", "Hannah",
)
LAST_NAMES = (
    "Whitaker", "Ashworth", "Pemberton", "Fairbairn", "Holloway", "Kendrick", "Marchetti",
    "Okonkwo", "Rahman", "Lindqvist", "Brennan", "Doyle", "Fletcher", "Garside", "Hartley",
    "Ingram", "Jowett", "Kerr", "Lockwood", "Moorhouse", "Nuttall", "Oakley", "Pickering",
    "Quigley", "Rowntree", "Sutcliffe", "Thornton", "Underwood", "Varley", "Wainwright",
    "Yates", "Ellison", "Fenwick", "Goodall", "Haworth", "Illingworth", "Kaur", "Murphy",
    "Novak", "Patel",
)
SALUTATIONS = {"Oliver": "Mr", "Amelia": "Ms", "George": "Mr", "Isla": "Ms", "Harry": "Mr",
               "Ava": "Ms", "Jack": "Mr", "Mia": "Ms", "Charlie": "Mx", "Grace": "Mrs",
               "Thomas": "Mr", "Freya": "Ms", "James": "Mr", "Evie": "Miss", "William": "Mr",
               "Poppy": "Ms", "Henry": "Mr", "Ruby": "Mrs", "Arthur": "Mr", "Sophie": "Ms",
               "Leo": "Mr", "Lily": "Ms", "Oscar": "Mr", "Ella": "Ms", "Noah": "Mr",
               "Chloe": "Ms", "Ethan": "Mr", "Imogen": "Dr", "Rhys": "Mr", "Niamh": "Ms",
               "Callum": "Mr", "Siobhan": "Ms", "Aidan": "Mr", "Fiona": "Mrs", "Ciaran": "Mr",
               "Eilidh": "Ms", "Rory": "Mr", "Megan": "Ms", "Dylan": "Mr", "Hannah": "Ms"}

# (town, county, postcode area, phone prefix)
UK_TOWNS = (
    ("Leeds", "West Yorkshire", "LS", "0113"),
    ("Manchester", "Greater Manchester", "M", "0161"),
    ("Sheffield", "South Yorkshire", "S", "0114"),
    ("York", "North Yorkshire", "YO", "01904"),
    ("Harrogate", "North Yorkshire", "HG", "01423"),
    ("Bristol", "Bristol", "BS", "0117"),
    ("Bath", "Somerset", "BA", "01225"),
    ("Edinburgh", "Midlothian", "EH", "0131"),
    ("Glasgow", "Lanarkshire", "G", "0141"),
    ("Cardiff", "South Glamorgan", "CF", "029"),
    ("Newcastle upon Tyne", "Tyne and Wear", "NE", "0191"),
    ("Nottingham", "Nottinghamshire", "NG", "0115"),
    ("Brighton", "East Sussex", "BN", "01273"),
    ("Cambridge", "Cambridgeshire", "CB", "01223"),
    ("Norwich", "Norfolk", "NR", "01603"),
    ("Exeter", "Devon", "EX", "01392"),
    ("Chester", "Cheshire", "CH", "01244"),
    ("London", "Greater London", "EC", "020"),
    ("London", "Greater London", "SE", "020"),
    ("Belfast", "County Antrim", "BT", "028"),
)
STREETS = (
    "Mill Lane", "Station Road", "Canal Street", "Victoria Road", "Market Place", "Church Street",
    "Park Row", "Wharf Street", "Albion Street", "Queen Street", "King Street", "High Street",
    "Bridge End", "Foundry Lane", "Granary Wharf", "Tannery Way", "Kirkgate", "Briggate",
)
ESTATES = (
    "Riverside Works", "Aire Park", "Northgate Estate", "Kelham Yard", "Ropewalk Court",
    "Hollins Business Park", "Brunswick Trading Estate", "Calder Court", "Thornbury Mills",
)
LOCALITIES = ("", "", "Holbeck", "Headingley", "Ancoats", "Clifton", "Leith", "Jesmond", "Hove", "")

COMPANY_SECTORS = (
    "Interiors", "Design Studio", "Hospitality", "Hotels", "Home", "Living", "Furnishings",
    "Property Services", "Cafés", "Workspace", "Contracts", "Projects",
)
COMPANY_PLACES = (
    "Aire Valley", "Pennine", "Calder", "Harbourside", "Northern Quarter", "Castlegate",
    "Riverside", "Kirkstall", "Westgate", "Moorland", "Saltaire", "Brunswick",
)

# EUR customers: (country iso3, towns with (town, region, postcode), company suffix, phone code)
EU_MARKETS = (
    ("IRL", (("Dublin", "County Dublin", "D02 X285"), ("Cork", "County Cork", "T12 W8CP"),
             ("Galway", "County Galway", "H91 E2K3")), "Ltd", "+353"),
    ("NLD", (("Utrecht", "Utrecht", "3511 AB"), ("Rotterdam", "Zuid-Holland", "3011 EN"),
             ("Zwolle", "Overijssel", "8011 CW")), "BV", "+31"),
    ("FRA", (("Lille", "Nord", "59000"), ("Lyon", "Rhône", "69002"),
             ("Nantes", "Loire-Atlantique", "44000")), "SARL", "+33"),
    ("DEU", (("Köln", "Nordrhein-Westfalen", "50667"), ("Hamburg", "Hamburg", "20095"),
             ("Münster", "Nordrhein-Westfalen", "48143")), "GmbH", "+49"),
    ("BEL", (("Gent", "Oost-Vlaanderen", "9000"), ("Antwerpen", "Antwerpen", "2000")), "BV", "+32"),
)

SUPPLIER_COMPANIES = (
    ("Houtwerk Noord BV", "NLD", "Zwolle", "Overijssel", "8000 AB", "Industrieweg 12", "EUR"),
    ("Pennine Brassware Ltd", "GBR", "Sheffield", "South Yorkshire", "S3 8RY", "Unit 9, Kelham Yard", "GBP"),
    ("Loom & Weave Textiles Ltd", "GBR", "Bradford", "West Yorkshire", "BD1 4AB", "Thornbury Mills", "GBP"),
    ("Ceramica Verde Srl", "ITA", "Faenza", "Emilia-Romagna", "48018", "Via della Ceramica 40", "EUR"),
    ("Nordic Lighting ApS", "DNK", "Aarhus", "Midtjylland", "8000", "Havnegade 7", "EUR"),
    ("Black Country Fixings Ltd", "GBR", "Walsall", "West Midlands", "WS1 2DP", "Unit 2, Foundry Lane", "GBP"),
)

CUSTOMER_NOTES = (
    "Please deliver to the goods-in door at the rear.",
    "Can you confirm a delivery date?",
    "Site contact on the day will be the project manager.",
    "Please call 30 minutes before arrival.",
    "We need this before the hotel reopens - thanks!",
    "Is the walnut finish the same batch as our last order?",
    "Please split the delivery if anything is back-ordered.",
    "Invoice to our accounts team please, PO number on the order.",
    "Tail-lift needed, no forklift on site.",
    "Any chance of an earlier slot on the delivery?",
)
STAFF_PUBLIC_NOTES = (
    "Your order has been picked and is awaiting collection by the courier.",
    "Part of this order is on back-order; the remaining items will follow separately.",
    "Delivery booked with the carrier - tracking details to follow.",
    "Thanks for your order, we will confirm the delivery date shortly.",
    "Quote valid for 30 days. Prices exclude VAT and delivery.",
    "Replacement item dispatched today.",
)
STAFF_PRIVATE_NOTES = (
    "Credit check OK.",
    "Customer chased by phone re: overdue invoice.",
    "Check stock of walnut before confirming.",
    "Price agreed with account manager - 5% off list honoured.",
    "Pallet booked for Thursday.",
    "Awaiting stock from supplier.",
    "Margin below target; approved by Hannah.",
)
SUPPLIER_NOTES = (
    "Confirmed - expected to ship within the lead time.",
    "Two lines delayed by a week, rest on schedule.",
    "Please confirm delivery address for this PO.",
)


@dataclass(frozen=True)
class Product:
    """A catalogue entry; prices are the GBP trade price and the cost price."""

    name: str
    sku: str
    trade_price: Decimal
    cost: Decimal
    category: int
    brand: int
    weight: float
    supplier_index: int  # index into SUPPLIER_COMPANIES
    stock_tracked: bool = True
    tax_code: str = "T20"


def _family(
    base: str, sku: str, price: str, cost: str, category: int, brand: int, weight: float,
    supplier: int, variants: tuple[tuple[str, str], ...],
) -> list[Product]:
    return [
        Product(f"{base} - {label}", f"{sku}-{code}", Decimal(price), Decimal(cost), category,
                brand, weight, supplier)
        for label, code in variants
    ]


_WOODS = (("Natural", "NAT"), ("Smoked", "SMK"), ("Walnut", "WAL"))
_COLOURS = (("Slate", "SLT"), ("Ochre", "OCH"), ("Sage", "SAG"), ("Natural", "NAT"))
_METALS = (("Brass", "BRS"), ("Matt Black", "MBK"), ("Chrome", "CHR"))

PRODUCTS: tuple[Product, ...] = tuple(
    _family("Oak Side Table", "OST", "95.00", "41.20", 112, 5, 12.5, 0, _WOODS)
    + _family("Oak Dining Table 180cm", "ODT180", "645.00", "298.00", 112, 5, 58.0, 0, _WOODS[:2])
    + _family("Ash Dining Chair", "ADC", "129.00", "52.50", 113, 5, 6.8, 0, _WOODS)
    + _family("Bentwood Bar Stool", "BBS", "149.00", "61.00", 113, 5, 7.4, 0, _WOODS[:2])
    + _family("Café Table 70cm Round", "CT70", "189.00", "77.00", 112, 5, 18.0, 0, (("Oak", "OAK"), ("Black", "BLK")))
    + _family("Linen Cushion 45cm", "LC45", "19.50", "7.90", 118, 7, 0.6, 2, _COLOURS)
    + _family("Wool Throw 130x170", "WT130", "64.00", "26.00", 118, 7, 1.2, 2, _COLOURS[:3])
    + _family("Stoneware Vase Tall", "SVT", "38.00", "14.50", 121, 8, 1.9, 3, (("Moss", "MOS"), ("Chalk", "CHK")))
    + _family("Stoneware Dinner Plate 27cm (set of 6)", "SDP27", "54.00", "21.00", 121, 8, 4.2, 3, (("Moss", "MOS"), ("Chalk", "CHK")))
    + _family("Pendant Light Dome 40cm", "PLD40", "118.00", "49.00", 125, 9, 2.3, 4, (("Opal", "OPL"), ("Black", "BLK")))
    + _family("Wall Light Arc", "WLA", "86.00", "35.00", 125, 9, 1.1, 4, _METALS[:2])
    + _family("Cabinet Knob 30mm", "CK30", "6.40", "2.10", 131, 11, 0.05, 1, _METALS)
    + _family("Cup Pull 64mm", "CP64", "8.90", "3.20", 131, 11, 0.08, 1, _METALS)
    + _family("Lever Door Handle on Rose (pair)", "LDH", "42.00", "16.80", 131, 11, 0.7, 1, _METALS)
    + _family("Butt Hinge 75mm (pair)", "BH75", "7.80", "2.60", 132, 12, 0.2, 5, (("Stainless", "SS"), ("Brass", "BRS")))
    + [
        Product("Wood Screws 4x40 (box of 200)", "WS440-200", Decimal("11.50"), Decimal("3.90"), 132, 12, 1.0, 5),
        Product("Furniture Wax 500ml", "FW500", Decimal("14.00"), Decimal("5.20"), 133, 5, 0.55, 0),
        Product("Felt Pads Assorted (pack of 64)", "FPA64", Decimal("4.60"), Decimal("1.30"), 133, 12, 0.1, 5),
        Product("Coat Hook Double", "CHD-BRS", Decimal("12.50"), Decimal("4.40"), 131, 11, 0.15, 1),
        Product("Mirror Round 80cm - Brass Frame", "MR80-BRS", Decimal("210.00"), Decimal("92.00"), 121, 8, 9.5, 1),
        Product("Rattan Lounge Chair", "RLC-NAT", Decimal("289.00"), Decimal("121.00"), 113, 5, 11.0, 0),
    ]
)

# Free-text rows (productId 0): delivery charges and services.
DELIVERY_CHARGES = (
    ("Delivery - pallet", Decimal("45.00"), "4040"),
    ("Delivery - parcel", Decimal("9.50"), "4040"),
    ("Delivery - two-person", Decimal("65.00"), "4040"),
)
SERVICE_ROWS = (
    ("Bespoke finishing service", Decimal("45.00"), "4010"),
    ("Assembly on site", Decimal("120.00"), "4010"),
)
