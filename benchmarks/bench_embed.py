"""`fpcli embed` and `validate --visible` cost per invoice: an ordinary PDF (reportlab, standard fonts not embedded) turned into a checked
Factur-X PDF/A-3, split into its steps (clean-up, Ghostscript, XML embedding, validation), and the PDF/A checks
alone on the veraPDF PDF/A-2b suite.

    python benchmarks/bench_embed.py [--n 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import time
from pathlib import Path

from common import SHARED, median_time, synthetic_invoices, table

from fpcli.cii.profile import Profile
from fpcli.cii.writer import to_cii
from fpcli.model.load import invoices_from_data
from fpcli.pdf.embed import check_output, convert_to_pdfa, facturx_from_pdf, sanitize
from fpcli.pdf.pdfa3 import PdfMetadata, embed_xml

META = PdfMetadata(
    title="Facture", author="Bench", subject="Facture", date=dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
)


def base_pdf() -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    canvas = Canvas(buf, invariant=True)
    canvas.setFont("Helvetica", 11)
    for i in range(40):
        canvas.drawString(60, 780 - 18 * i, f"Ligne {i + 1}  Développement  3,5 j  650,00 €  2 275,00 €")
    canvas.save()
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()
    base = base_pdf()
    invoice = invoices_from_data(synthetic_invoices(1)[0], "bench")[0]
    xml = to_cii(invoice, Profile.EN16931).xml
    cleaned, _ = sanitize(base, "base.pdf")
    converted = convert_to_pdfa(cleaned, "base.pdf")
    embedded = embed_xml(converted, xml, profile=Profile.EN16931, metadata=META, source="b")
    check_output(embedded, "warm-up", Profile.EN16931)  # compile the Schematron once, as a batch would
    steps = [
        ("clean-up (pikepdf)", lambda: sanitize(base, "base.pdf")),
        ("Ghostscript pdfwrite -dPDFA=3", lambda: convert_to_pdfa(cleaned, "base.pdf")),
        ("XMP + output intent + factur-x.xml", lambda: embed_xml(converted, xml, profile=Profile.EN16931,
                                                                 metadata=META, source="b")),
        ("validation before writing (warm)", lambda: check_output(embedded, "x", Profile.EN16931)),
        ("whole `facturx_from_pdf`", lambda: facturx_from_pdf(base, xml, profile=Profile.EN16931,
                                                               metadata=META, source="b")),
    ]  # fmt: skip
    from lxml import etree

    from fpcli.validation.visible import check_visible

    root = etree.fromstring(xml)
    steps.append(
        ("`validate --visible` layer alone (page text + search)", lambda: check_visible(embedded, root, "x"))
    )
    rows = [(name, f"{1000 * median_time(fn, args.n):.1f}") for name, fn in steps]
    print(table(rows, ("step (one 1-page invoice)", "ms (median)")))
    suite = sorted((SHARED / "corpus" / "pdfa2b").glob("*.pdf"))
    if suite:
        from fpcli.validation.checks import ValidateOptions, validate_bytes

        start = time.perf_counter()
        for path in suite:
            validate_bytes(Path(path).read_bytes(), path.name, ValidateOptions(pdfa_only=True))
        seconds = time.perf_counter() - start
        print(
            f"\nPDF/A checks (--pdfa-only) on {len(suite)} veraPDF files: {len(suite) / seconds:.0f} files/s"
        )


if __name__ == "__main__":
    main()
