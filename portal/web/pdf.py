"""The building blocks of the portal's PDFs (invoices, credit notes, statements, quotes), written
on the server with fpdf2: the merchant who issues them and an A4 page with its banner, issuer
block, tables and totals. The documents themselves are laid out by their areas.

fpdf2 is pure Python (installs with pip alone, no system libraries). Its built-in PDF fonts are
Latin-1 only, which has no euro sign, so the text is set in DejaVu Sans, vendored under
static/fonts/ with its licence. The PDFs hold real text (searchable, copyable, readable by
screen readers and by the tests), A4 portrait, in the merchant's name and brand colour.

These functions are CPU work (tens of milliseconds): call them in a worker thread.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF, FontFace

from portal.core.branding import Branding, BrandingStore, LegalIdentity
from portal.core.formatting import money, normalize
from portal.core.paths import STATIC_DIR
from portal.core.settings import Settings
from portal.domain.order_lines import PricedLines

FONT_DIR = STATIC_DIR / "fonts"
FONT = "DejaVu"
MARGIN = 15  # mm, all sides
INK = (28, 36, 48)
MUTED = (90, 100, 114)
LINE = (217, 222, 229)
STRIPE = (245, 247, 250)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")

# fpdf2 embeds only the glyphs used (fontTools subsetting), which logs a dozen INFO lines per PDF.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


def merchant_source(settings: Settings, branding: BrandingStore | None) -> Callable[[], Merchant]:
    """Who issues the PDFs now: `merchant()` gives the current branding (/admin/branding) as a
    Merchant, made again only when the branding changed; without a store, the settings'."""
    fixed = Merchant.from_branding(Branding.from_settings(settings))
    made: dict[Branding, Merchant] = {}

    def merchant() -> Merchant:
        if branding is None:
            return fixed
        brand = branding.current()
        found = made.get(brand)
        if found is None:
            made.clear()
            found = made[brand] = Merchant.from_branding(brand, branding.logo_path(brand.logo))
        return found

    return merchant


@dataclass(frozen=True)
class Merchant:
    """Who issues the documents: the portal's name and brand colour (#rrggbb), the merchant's
    legal identity (name, address, VAT and company numbers, payment details: what a VAT invoice
    must carry) and the logo's file when there is one."""

    name: str
    brand_colour: str = "#1f4e79"
    legal: LegalIdentity = field(default_factory=LegalIdentity)
    logo: Path | None = None

    @classmethod
    def from_branding(cls, brand: Branding, logo: Path | None = None) -> Merchant:
        return cls(name=brand.portal_name, brand_colour=brand.primary, legal=brand.legal, logo=logo)

    @property
    def issuer_lines(self) -> list[str]:
        """The issuer block: legal name, address, registration numbers, how to reach them."""
        legal = self.legal
        lines = [legal.legal_name or self.name, *legal.address]
        if legal.registration:
            lines.append(" · ".join(legal.registration))
        if legal.contact:
            lines.append(" · ".join(legal.contact))
        return [line for line in lines if line]

    @property
    def rgb(self) -> tuple[int, int, int]:
        colour = self.brand_colour.lstrip("#")
        try:
            return (int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16))
        except ValueError:
            return (31, 78, 121)


class PdfSheet(FPDF):
    """A4 page with the portal's font and a footer: issuer, document, page x of y."""

    def __init__(self, merchant: Merchant, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.merchant = merchant
        self.doc_title = title
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self._glyphs = set(self.fonts[FONT.lower()].cmap)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 8)
        self.set_title(self.clean(title))
        self.set_author(self.clean(merchant.name))
        self.set_creator(self.clean(merchant.name))
        self.set_text_color(*INK)
        self.add_page()

    def clean(self, text: object) -> str:
        """`text` as the font can draw it: control characters become spaces, characters the
        font lacks become "?" (text from Brightpearl may hold anything)."""
        value = unicodedata.normalize("NFC", _CONTROL.sub(" ", str(text or "")))
        return "".join(c if ord(c) in self._glyphs or c == " " else "?" for c in value)

    def footer(self) -> None:
        self.set_y(-(MARGIN + 2))
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.clean(f"{self.merchant.name} · {self.doc_title}"), align="L")
        self.set_x(MARGIN)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(*INK)

    # --- building blocks ------------------------------------------------------------------------
    def banner(self, heading: str) -> None:
        """The brand band: merchant name on the left, the kind of document on the right."""
        self.set_fill_color(*self.merchant.rgb)
        self.rect(0, 0, self.w, 28, style="F")
        self.set_text_color(255, 255, 255)
        self.set_xy(MARGIN, 9)
        self.set_font(FONT, "B", 17)
        self.cell(self.epw * 0.65, 10, self.clean(self.merchant.name), align="L")
        self.set_font(FONT, "B", 13)
        self.cell(self.epw * 0.35, 10, self.clean(heading.upper()), align="R")
        self.set_text_color(*INK)
        self.set_fill_color(255, 255, 255)
        self.set_y(34)
        self.issuer()

    def issuer(self) -> None:
        """Who issues the document: the logo (when there is one) beside the issuer block."""
        top = self.get_y()
        x = MARGIN
        if self.merchant.logo is not None:
            try:
                info = self.image(str(self.merchant.logo), x=MARGIN, y=top, h=14)
                x = MARGIN + float(info.rendered_width) + 5
            except (OSError, ValueError, RuntimeError):
                logging.getLogger("portal.documents").warning("logo %s could not be drawn", self.merchant.logo)
        self.set_xy(x, top)
        self.set_font(FONT, "B", 9.5)
        lines = self.merchant.issuer_lines
        self.multi_cell(MARGIN + self.epw - x, 4.6, self.clean(lines[0]), new_x="LEFT", new_y="NEXT")
        self.set_font(FONT, "", 8.5)
        self.set_text_color(*MUTED)
        for line in lines[1:]:
            self.multi_cell(MARGIN + self.epw - x, 4.2, self.clean(line), new_x="LEFT", new_y="NEXT")
        self.set_text_color(*INK)
        bottom = max(self.get_y(), top + (14 if self.merchant.logo is not None else 0))
        self.set_xy(MARGIN, bottom + 5)

    def payment(self) -> None:
        """The merchant's bank and payment details, when set."""
        lines = self.merchant.legal.payment_lines
        if not lines:
            return
        self.ln(4)
        self.heading("How to pay", 10)
        self.set_font(FONT, "", 9)
        for line in lines:
            self.multi_cell(0, 4.8, self.clean(line), new_x="LMARGIN", new_y="NEXT")

    def facts(self, pairs: Sequence[tuple[str, str]], width: float) -> None:
        """Label/value lines (e.g. "Invoice number  SI-20931") in a column of `width` mm."""
        x = self.get_x()
        for label, value in pairs:
            self.set_x(x)
            self.set_font(FONT, "", 9)
            self.set_text_color(*MUTED)
            self.cell(width * 0.42, 5.5, self.clean(label))
            self.set_font(FONT, "B", 9.5)
            self.set_text_color(*INK)
            self.multi_cell(width * 0.58, 5.5, self.clean(value), new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str, size: float = 11) -> None:
        self.set_font(FONT, "B", size)
        self.set_text_color(*self.merchant.rgb)
        self.cell(0, 7, self.clean(text), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)

    def address_columns(self, blocks: Sequence[tuple[str, list[str]]]) -> None:
        """Side-by-side address blocks, each a heading and its lines."""
        width = self.epw / len(blocks)
        top = self.get_y()
        bottom = top
        for index, (title, lines) in enumerate(blocks):
            self.set_xy(MARGIN + index * width, top)
            self.set_font(FONT, "B", 9)
            self.set_text_color(*MUTED)
            self.cell(width - 4, 5, self.clean(title.upper()), new_x="LEFT", new_y="NEXT")
            self.set_text_color(*INK)
            self.set_font(FONT, "", 9.5)
            for line in lines or ["Not given"]:
                self.multi_cell(width - 4, 4.8, self.clean(line), new_x="LEFT", new_y="NEXT")
            bottom = max(bottom, self.get_y())
        self.set_xy(MARGIN, bottom + 4)

    def grid(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        align: Sequence[str],
        *,
        size: float = 9,
        bold_last: bool = False,
        continued: bool = False,
    ) -> None:
        """A table with a brand-coloured heading row (repeated on every page); `continued`:
        more rows of the table just above, so no heading row (`headings` give the columns)."""
        self.set_font(FONT, "", size)
        style = FontFace(family=FONT, emphasis="BOLD", color=(255, 255, 255), fill_color=self.merchant.rgb)
        with self.table(
            col_widths=widths,
            text_align=tuple(align),
            headings_style=style,
            borders_layout="HORIZONTAL_LINES",
            cell_fill_mode="ROWS",
            cell_fill_color=STRIPE,
            line_height=size * 0.5,
            padding=(1.6, 1.5),
            width=self.epw,
            first_row_as_headings=not continued,
        ) as table:
            if not continued:
                header = table.row()
                for text in headings:
                    header.cell(self.clean(text))
            for index, values in enumerate(rows):
                last = bold_last and index == len(rows) - 1
                row = table.row(style=FontFace(family=FONT, emphasis="BOLD") if last else None)
                for value in values:
                    row.cell(self.clean(value))
        self.set_draw_color(*LINE)

    def totals(self, pairs: Sequence[tuple[str, str]], *, strong_last: bool = True) -> None:
        """Right-aligned label/amount lines under a table."""
        self.ln(2)
        label_width, value_width = 45, 35
        for index, (label, value) in enumerate(pairs):
            strong = strong_last and index == len(pairs) - 1
            self.set_x(MARGIN + self.epw - label_width - value_width)
            self.set_font(FONT, "B" if strong else "", 11 if strong else 9.5)
            if strong:
                self.set_draw_color(*INK)
                self.line(self.get_x(), self.get_y(), MARGIN + self.epw, self.get_y())
            self.cell(label_width, 7 if strong else 5.5, self.clean(label), align="R")
            self.cell(value_width, 7 if strong else 5.5, self.clean(value), align="R", new_x="LMARGIN", new_y="NEXT")

    def priced_lines(self, lines: PricedLines, currency: str) -> None:
        """An order's lines (SKU, item and options, quantity, unit price, discount when any line
        has one, tax rate, amount) on the order's price basis, then net, tax and total."""
        discount = lines.has_discount
        rows = [
            [
                line.row.sku or "–",
                line.row.name + "".join(f"\n{k}: {v}" for k, v in line.row.options.items()),
                normalize(line.row.quantity),
                money(line.unit_price, currency),
                *([f"{normalize(line.discount)}%" if line.discount else "–"] if discount else []),
                f"{normalize(line.row.tax_rate)}%",
                money(line.amount, currency),
            ]
            for line in lines.lines
        ] or [["", "No items", "", "", *([""] if discount else []), "", ""]]
        basis = f"\n{lines.basis}"
        headings = ["SKU", "Item", "Qty", "Unit price" + basis, *(["Disc."] if discount else []), "Tax", "Amount" + basis]
        widths = (24, 62, 12, 26, 14, 14, 28) if discount else (26, 70, 14, 26, 14, 30)
        self.note("Prices include tax." if lines.includes_tax else "Prices exclude tax, which is added below.")
        self.ln(1)
        self.grid(headings, rows, widths=widths, align=("LEFT", "LEFT", *["RIGHT"] * (len(headings) - 2)))
        self.totals([("Net", money(lines.net, currency)), ("Tax", money(lines.tax, currency)),
                     ("Total", money(lines.total, currency))])

    def note(self, text: str) -> None:
        self.set_font(FONT, "", 9)
        self.set_text_color(*MUTED)
        self.multi_cell(0, 4.8, self.clean(text), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)

    def render(self) -> bytes:
        return bytes(self.output())

    def discard(self) -> None:
        """Close the font files of a PDF that will not be written (a layout tried and dropped)."""
        for font in self.fonts.values():
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.close()


def party_lines(party) -> list[str]:
    """The lines of an order party's address block."""
    names = [party.full_name, party.company]
    return [line.strip() for line in [*names, *party.lines] if line and line.strip()]
