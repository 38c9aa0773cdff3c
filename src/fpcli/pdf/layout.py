"""A readable A4 invoice PDF made with reportlab from the model: embedded TrueType fonts (Bitstream Vera,
shipped with reportlab), no external resources, no transparency, and fixed dates so output is reproducible.

Text is drawn with canvas.drawString, never parsed as markup: invoice text like `<b>` or `[x]` prints as is.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from fpcli.model.groups import GroupTree
from fpcli.model.invoice import Address, Invoice, Party
from fpcli.model.totals import Computed, allowance_amount, compute

A4_W, A4_H = 595.27, 841.89
MARGIN = 42.0
FONT, BOLD = "FpcliVera", "FpcliVeraBd"


@cache
def _register_fonts() -> None:
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    fonts = Path(reportlab.__file__).parent / "fonts"
    for name, file in ((FONT, "Vera.ttf"), (BOLD, "VeraBd.ttf")):
        font = TTFont(name, str(fonts / file))
        font.face.__class__ = _subset_cache_class()  # same face, with its subsets kept between invoices
        pdfmetrics.registerFont(font)


@cache
def _subset_cache_class() -> type:
    """A TrueType face that keeps its last font subsets, made and compressed, between documents.

    reportlab subsets and deflates each font afresh for every PDF (~1.5 ms of an invoice's ~5 ms); a batch
    from one seller uses the same characters in the same order, so most invoices reuse a subset. The
    bytes are those reportlab makes (the Filter written as a name). reportlab keeps one face per font file
    in a process: another TTFont of the same file (only tests make one) shares this face and its caches."""
    import zlib
    from functools import lru_cache

    from reportlab.pdfbase import pdfdoc
    from reportlab.pdfbase.ttfonts import TTFontFace

    @lru_cache(maxsize=64)
    def deflate(data: bytes) -> bytes:
        return zlib.compress(data)  # what reportlab's FlateDecode filter does

    class CachedSubsetFace(TTFontFace):  # type: ignore[misc]
        @lru_cache(maxsize=64)  # noqa: B019 (two faces per process, kept for the whole run)
        def _subset(self, codes: tuple[int, ...]) -> bytes:
            return bytes(super().makeSubset(list(codes)))

        def makeSubset(self, subset: list[int]) -> bytes:
            return self._subset(tuple(subset))

        def addSubsetObjects(self, doc: Any, fontname: str, subset: list[int]) -> Any:
            ref = super().addSubsetObjects(doc, fontname, subset)
            stream = doc.idToObject.get(f"fontFile:{self.filename}({fontname})")
            if isinstance(stream, pdfdoc.PDFStream) and stream.filters == [pdfdoc.PDFZCompress]:
                # deflated here, once per distinct subset; the Filter entry tells reportlab it is done. A
                # name, not the array reportlab writes: pikepdf's re-write in embed_xml then keeps the stream
                # as it is (1.3-1.7 ms an invoice instead of 3.3-3.5 with the array, measured)
                stream.content = deflate(stream.content)
                stream.dictionary["Filter"] = pdfdoc.PDFName("FlateDecode")
            return ref

    return CachedSubsetFace


def _reason_text(reason: str) -> str:
    from fpcli.model.groups import split_exemption_prefix

    sub_invoice, rest = split_exemption_prefix(reason)
    if sub_invoice is None:
        return reason
    return f"sous-facture {sub_invoice}" + (f" — {rest}" if rest else "")


def money(value: Decimal | None, currency: str) -> str:
    if value is None:
        return ""
    text = f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return f"{text} {currency}"


def _num(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


# French names of the units invoices use most (UN/ECE Rec 20); other codes print as the code.
UNIT_NAMES = {
    "C62": "u", "H87": "pièce", "EA": "u", "DAY": "jour", "HUR": "heure", "MIN": "min", "WEE": "semaine",
    "MON": "mois", "ANN": "an", "LS": "forfait", "KGM": "kg", "GRM": "g", "TNE": "t", "MTR": "m",
    "KMT": "km", "MTK": "m²", "MTQ": "m³", "LTR": "l", "KWH": "kWh", "SET": "lot", "XPK": "colis",
}  # fmt: skip
# Category names as French invoices word them.
CATEGORY_NAMES = {
    "S": "TVA", "Z": "TVA taux zéro", "E": "Exonéré de TVA", "AE": "Autoliquidation",
    "K": "Livraison intracommunautaire exonérée", "G": "Exportation exonérée", "O": "Hors champ de la TVA",
    "L": "IGIC", "M": "IPSI",
}  # fmt: skip


def unit_name(code: str, quantity: Decimal) -> str:
    name = UNIT_NAMES.get(code, code)
    plural = abs(quantity) > 1 and name in ("jour", "heure", "semaine", "pièce", "an")
    return name + ("s" if plural else "")


def _grouped(number: str, size: int = 3) -> str:
    return " ".join(number[i : i + size] for i in range(0, len(number), size))


def _party_lines(party: Party) -> list[str]:
    lines = [party.name]
    a: Address | None = party.address
    if a:
        lines += [x for x in (a.line1, a.line2, a.line3) if x]
        lines.append(" ".join(x for x in (a.postcode, a.city) if x) + f" ({a.country})")
    siret = next((i.id for i in party.identifiers if i.scheme == "0009"), None)
    siren = party.legal_id.id if party.legal_id and party.legal_id.scheme in ("0002", None) else None
    siren = siren or (siret[:9] if siret else None)
    if siren and siren.isdigit() and len(siren) == 9:
        lines.append(f"SIREN {_grouped(siren)}" + (f" — SIRET {siret}" if siret else ""))
    elif siret:
        lines.append(f"SIRET {siret}")
    if party.vat_id:
        lines.append(f"N° TVA {party.vat_id}")
    if party.contact:
        c = party.contact
        said = [x for x in (c.name, c.department, c.telephone, c.email) if x]
        if said:
            lines.append("Contact : " + ", ".join(said))
    return lines


def vat_label(category: str, rate: Decimal | None) -> str:
    if category == "S" or (category in ("L", "M") and rate is not None):
        return f"{CATEGORY_NAMES.get(category, category)} {_num(rate or Decimal(0))} %"
    return CATEGORY_NAMES.get(category, category)


class _Page:
    def __init__(self, canvas: object, invoice: Invoice) -> None:
        self.c = canvas
        self.inv = invoice
        self.y = A4_H - MARGIN
        self.page = 1
        self.pages = 0  # known on the second pass: "page 2 / 3"

    def text(self, x: float, s: str, *, size: float = 9, bold: bool = False, right: bool = False) -> None:
        c = self.c
        c.setFont(BOLD if bold else FONT, size)  # type: ignore[attr-defined]
        s = s if len(s) < 140 else s[:137] + "…"
        if right:
            c.drawRightString(x, self.y, s)  # type: ignore[attr-defined]
        else:
            c.drawString(x, self.y, s)  # type: ignore[attr-defined]

    def down(self, dy: float) -> None:
        self.y -= dy
        if self.y < MARGIN + 30:
            self.new_page()

    def footer(self) -> None:
        total = f" / {self.pages}" if self.pages else ""
        self.c.setFont(FONT, 7)  # type: ignore[attr-defined]
        self.c.drawRightString(A4_W - MARGIN, MARGIN / 2, f"page {self.page}{total}")  # type: ignore[attr-defined]

    def new_page(self) -> None:
        self.footer()
        self.c.showPage()  # type: ignore[attr-defined]
        self.page += 1
        self.y = A4_H - MARGIN


def render_invoice_pdf(invoice: Invoice, *, date: dt.datetime, computed: Computed | None = None) -> bytes:
    """Render `invoice` as a plain (not yet PDF/A) PDF; `embed_xml` makes it Factur-X. Two passes when the
    invoice runs over several pages, so that each page says "page N / M"."""
    computed = computed or compute(invoice)
    data, pages = _render(invoice, computed, 0)
    if pages > 1:
        data, _ = _render(invoice, computed, pages)
    del date  # dates inside come from embed_xml's metadata; reportlab runs in invariant mode
    return data


def _render(invoice: Invoice, computed: Computed, pages: int) -> tuple[bytes, int]:
    from reportlab.pdfgen.canvas import Canvas

    _register_fonts()
    buf = io.BytesIO()
    # The initial font is the embedded one: reportlab would otherwise put a non-embedded Helvetica in every
    # page's resources (unused, but a font PDF/A checkers and pdffonts list).
    canvas = Canvas(buf, pagesize=(A4_W, A4_H), invariant=True, pageCompression=1, initialFontName=FONT)
    canvas.setCreator("fpcli")
    credit = invoice.is_credit_note
    title = "AVOIR" if credit else "FACTURE"
    p = _Page(canvas, invoice)
    p.pages = pages
    cur = invoice.currency
    p.text(MARGIN, f"{title} {invoice.number}", size=16, bold=True)
    p.text(A4_W - MARGIN, f"Date : {invoice.issue_date:%d/%m/%Y}", right=True)
    p.down(16)
    if invoice.due_date:
        p.text(A4_W - MARGIN, f"Échéance : {invoice.due_date:%d/%m/%Y}", right=True)
    p.down(24)
    top = p.y
    p.text(MARGIN, "Vendeur", bold=True)
    for text_line in _party_lines(invoice.seller):
        p.down(12)
        p.text(MARGIN, text_line)
    seller_bottom = p.y
    p.y = top
    p.text(A4_W / 2, "Acheteur", bold=True)
    for text_line in _party_lines(invoice.buyer):
        p.down(12)
        p.text(A4_W / 2, text_line)
    p.y = min(p.y, seller_bottom)
    p.down(22)
    refs = [
        ("Référence acheteur", invoice.buyer_reference),
        ("Commande", invoice.purchase_order_reference),
        ("Contrat", invoice.contract_reference),
    ] + [("Facture d'origine", f.number) for f in invoice.preceding_invoices]
    for label, ref in refs:
        if ref:
            p.text(MARGIN, f"{label} : {ref}")
            p.down(12)
    if invoice.period:
        start = f"{invoice.period.start:%d/%m/%Y}" if invoice.period.start else "…"
        end = f"{invoice.period.end:%d/%m/%Y}" if invoice.period.end else "…"
        p.text(MARGIN, f"Période : du {start} au {end}")
        p.down(12)
    if invoice.delivery and invoice.delivery.date:
        p.text(MARGIN, f"Date de livraison / d'exécution : {invoice.delivery.date:%d/%m/%Y}")
        p.down(12)
    p.down(8)
    cols = [MARGIN, MARGIN + 250, MARGIN + 300, MARGIN + 385, MARGIN + 430]
    right_edge = A4_W - MARGIN

    def header() -> None:
        p.text(cols[0], "Désignation", bold=True)
        p.text(cols[1] + 40, "Qté", bold=True, right=True)
        p.text(cols[3] - 5, "Prix unit. HT", bold=True, right=True)
        p.text(cols[4] - 5, "TVA", bold=True, right=True)
        p.text(right_edge, "Montant HT", bold=True, right=True)
        p.down(14)

    header()
    tree = GroupTree(invoice)
    group_nets = tree.nets(computed.line_nets)
    for entry in tree.order():
        page_before = p.page
        if not isinstance(entry, int):  # a line group: its title, seller and sub-invoice, its sub-total
            p.text(cols[0], entry.name, bold=True)
            if entry.status == "GROUP":
                p.text(right_edge, money(group_nets[entry.id], cur), bold=True, right=True)
            seller, number = tree.for_group(entry).seller, tree.group_sub_invoice(entry)
            said = [
                seller.name or "" if seller else "",
                f"SIREN {seller.legal_id.id}" if seller and seller.legal_id else "",
            ]
            said.append(f"sous-facture {number}" if number else "")
            if any(said) and not entry.parent_id:
                p.down(11)
                p.text(cols[0] + 8, "Vendeur : " + " – ".join(s for s in said if s), size=7.5)
            p.down(14)
            if p.page != page_before:
                header()
            continue
        line, net = invoice.lines[entry], computed.line_nets[entry]
        p.text(cols[0], line.name)
        p.text(cols[1] + 40, f"{_num(line.quantity)} {unit_name(line.unit, line.quantity)}", right=True)
        p.text(cols[3] - 5, money(line.unit_price, ""), right=True)
        rate = f"{_num(line.vat_rate)} %" if line.vat_rate is not None else line.vat_category
        p.text(cols[4] - 5, rate, right=True)
        p.text(right_edge, money(net, cur), right=True)
        if line.description:
            p.down(11)
            p.text(cols[0] + 8, line.description, size=7.5)
        p.down(14)
        if p.page != page_before:
            header()
    p.down(6)
    for label, items, sign in (("Remise", invoice.allowances, -1), ("Frais", invoice.charges, 1)):
        for item in items:
            amount = allowance_amount(item)
            why = item.reason or item.reason_code or ""
            on = f" ({vat_label(item.vat_category, item.vat_rate)})" if item.vat_category else ""
            p.text(MARGIN, f"{label} : {why}{on}")
            p.text(right_edge, money(sign * amount, cur), right=True)
            p.down(12)
    t = computed.totals
    rows: list[tuple[str, Decimal | None]] = [("Total HT", t.tax_exclusive)]
    if t.allowance_total:
        rows.insert(0, ("Remises", -t.allowance_total))
    if t.charge_total:
        rows.insert(0, ("Frais", t.charge_total))
    rows += [("Total TVA", t.tax_total), ("Total TTC", t.tax_inclusive)]
    if t.prepaid:
        rows.append(("Déjà payé", t.prepaid))
    due = "Montant à rembourser" if credit else "Net à payer"
    rows.append((due, t.due))
    for label, total in rows:
        p.text(cols[3] - 45, label, bold=label == due)
        p.text(right_edge, money(total, cur), right=True, bold=label == due)
        p.down(13)
    p.down(6)
    p.text(MARGIN, "TVA", bold=True)
    p.down(12)
    for b in computed.vat_breakdown:
        extra = f" — {_reason_text(b.exemption_reason)}" if b.exemption_reason else ""
        base, tax = money(b.taxable_amount, cur), money(b.tax_amount, cur)
        p.text(MARGIN, f"{vat_label(b.category, b.rate)} : base {base}, TVA {tax}{extra}")
        p.down(12)
    if invoice.payment_terms:
        p.down(6)
        p.text(MARGIN, invoice.payment_terms)
        p.down(12)
    if invoice.payment:
        for ct in invoice.payment.credit_transfers:
            p.text(MARGIN, f"Virement : IBAN {ct.iban}" + (f"  BIC {ct.bic}" if ct.bic else ""))
            p.down(12)
    for note in invoice.notes:
        p.down(2)
        p.text(MARGIN, note.text, size=7.5)
        p.down(10)
    if invoice.seller.legal_info:
        p.text(MARGIN, invoice.seller.legal_info, size=7)
    if p.page > 1 or pages:
        p.footer()
    canvas.showPage()
    canvas.save()
    return buf.getvalue(), p.page
