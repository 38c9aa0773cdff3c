"""Generate throughput: invoices per second for CII XML and Factur-X PDF over N generated invoices, and the
same XML embedded into the same PDF by fpcli and by the `factur-x` library's `generate_from_binary`, in one run.

    python benchmarks/bench_generate.py [--n 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import run_measured, synthetic_invoices, table

from fpcli.cii.profile import Profile
from fpcli.generate import GenerateRequest, OutputFormat, build_document
from fpcli.model.load import invoices_from_data

DATE = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def per_second(n: int, fn: Callable[[int], Any]) -> float:
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    return n / (time.perf_counter() - start)


_STATE: dict[str, Any] = {}


def _init_worker(n: int) -> None:
    """Each worker builds the same invoices and base PDF, then warms up both paths (fonts, XSD, imports)."""
    from fpcli.pdf.layout import render_invoice_pdf

    invoices = invoices_from_data(synthetic_invoices(n), "bench")
    _STATE["invoices"] = invoices
    _STATE["base_pdf"] = render_invoice_pdf(invoices[0], date=DATE)
    _STATE["request"] = GenerateRequest(
        inputs=[], output=None, profile=Profile.EN16931, format=OutputFormat.PDF, date=DATE
    )
    _fpcli_pdf(0)
    _peer_pdf(0)


def _fpcli_pdf(i: int) -> int:
    return len(build_document(_STATE["invoices"][i], _STATE["request"], None)[0])


def _peer_pdf(i: int) -> int:
    import peer_drafthorse

    from fpcli.model.totals import compute

    invoice = _STATE["invoices"][i]
    return len(peer_drafthorse.facturx_pdf(invoice, compute(invoice), _STATE["base_pdf"]))


def pdf_vs_peer(n: int) -> list[tuple[str, str, str]]:
    """Rendered Factur-X PDFs per second, fpcli (render + embed + XSD self-check, no Schematron check: the
    peer has none) against drafthorse + factur-x embedding into a pre-made PDF, at -j 1 and -j 2."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    rows = []
    rates: dict[tuple[str, int], float] = {}
    for jobs in (1, 2):
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker, initargs=(n,)) as pool:
            list(pool.map(abs, range(jobs * 4)))  # workers started and warmed before timing
            for name, fn in (("fpcli", _fpcli_pdf), ("peer", _peer_pdf)):
                start = time.perf_counter()
                list(pool.map(fn, range(n), chunksize=max(1, n // (jobs * 8))))
                rates[name, jobs] = n / (time.perf_counter() - start)
    for jobs in (1, 2):
        ratio = rates["fpcli", jobs] / rates["peer", jobs]
        rows.append(
            (
                f"Factur-X PDFs, {n} invoices, -j {jobs}: fpcli / drafthorse + factur-x (goal >= 1.5x)",
                f"{rates['fpcli', jobs]:,.0f} / {rates['peer', jobs]:,.0f}",
                f"{ratio:.2f}x",
            )
        )
    return rows


def cli_batch(count: int) -> None:
    """`fpcli generate DIR -o OUT` as a user runs it: speed and peak memory, -j 1 and -j 2."""
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for i, doc in enumerate(synthetic_invoices(count)):
            (src / f"{i:05d}.json").write_text(json.dumps(doc), encoding="utf-8")
        rows = []
        for jobs, extra in ((1, []), (2, []), (1, ["--no-check"])):
            out = Path(tmp) / f"out{jobs}{len(extra)}"
            out.mkdir()
            cmd = [sys.executable, "-m", "fpcli", "-q", "generate", str(src), "-o", str(out), "-j", str(jobs)]
            cmd += extra
            seconds, peak = run_measured(cmd)
            made = len(list(out.glob("*.pdf")))
            assert made == count, f"{made} of {count} PDFs written"
            rows.append(
                (
                    f"fpcli generate DIR -o OUT -j {jobs} {' '.join(extra)}({count} PDFs)",
                    f"{count / seconds:.0f}",
                    "-" if peak is None else f"{peak:.0f}",
                )
            )
    print()
    print(table(rows, ("CLI batch, start-up included", "invoices/s", "peak RSS MB")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    n = parser.parse_args().n
    invoices = invoices_from_data(synthetic_invoices(n), "bench")
    xml_req = GenerateRequest(
        inputs=[], output=None, profile=Profile.EN16931, format=OutputFormat.XML, date=DATE
    )
    pdf_req = GenerateRequest(
        inputs=[], output=None, profile=Profile.EN16931, format=OutputFormat.PDF, date=DATE
    )

    from facturx import generate_from_binary

    from fpcli.pdf.layout import render_invoice_pdf
    from fpcli.pdf.pdfa3 import PdfMetadata, embed_xml

    base_pdf = render_invoice_pdf(invoices[0], date=DATE)
    meta = PdfMetadata(title="Facture", author="Seller", subject="Facture", date=DATE)
    build_document(invoices[0], pdf_req, None)  # warm-up: XSD load, fonts
    xmls = [build_document(inv, xml_req, None)[0] for inv in invoices]

    xml_rate = per_second(n, lambda i: build_document(invoices[i], xml_req, None))
    from facturx import xml_check_xsd

    from fpcli.validation.gate import check_document

    def checked(i: int) -> None:
        data = build_document(invoices[i], xml_req, None)[0]
        check_document(data, "bench", profile=Profile.EN16931, action="nothing written")

    checked(0)  # warm-up: compile the EN16931 and BR-FR rules once, as a batch does
    checked_rate = per_second(min(n, 300), checked)
    fx_check_rate = per_second(
        n,
        lambda i: xml_check_xsd(
            build_document(invoices[i], xml_req, None)[0], flavor="factur-x", level="en16931"
        ),
    )
    pdf_rate = per_second(n, lambda i: build_document(invoices[i], pdf_req, None))
    embed_rate = per_second(
        n, lambda i: embed_xml(base_pdf, xmls[i], profile=Profile.EN16931, metadata=meta, source="base")
    )
    ref_rate = per_second(
        n,
        lambda i: generate_from_binary(
            base_pdf, xmls[i], flavor="factur-x", level="en16931", check_xsd=False
        ),
    )
    rows = [
        (
            "fpcli: model -> CII XML (+ XSD self-check), --no-check",
            f"{xml_rate:,.0f}",
            f"{1000 / xml_rate:.2f}",
        ),
        (
            "fpcli: model -> CII XML + check (XSD, EN16931 + BR-FR Schematron), warm",
            f"{checked_rate:,.1f}",
            f"{1000 / checked_rate:.2f}",
        ),
        (
            "fpcli model -> CII XML + factur-x xml_check_xsd (XSD only: no offline Schematron)",
            f"{fx_check_rate:,.0f}",
            f"{1000 / fx_check_rate:.2f}",
        ),
        ("fpcli: model -> rendered PDF -> Factur-X PDF/A-3", f"{pdf_rate:,.0f}", f"{1000 / pdf_rate:.2f}"),
        ("fpcli embed_xml (same XML into same PDF)", f"{embed_rate:,.0f}", f"{1000 / embed_rate:.2f}"),
        ("factur-x generate_from_binary (same XML, same PDF)", f"{ref_rate:,.0f}", f"{1000 / ref_rate:.2f}"),
    ]
    print(f"generate: {n} invoices, one process, Python {sys.version.split()[0]}\n")
    print(table(rows, ("path", "invoices/s", "ms/invoice")))
    print(f"\nembedding speed, fpcli / factur-x: {embed_rate / ref_rate:.2f}x (higher is faster)")
    try:
        import drafthorse  # noqa: F401
    except ImportError:
        print("\n(drafthorse not installed: `pip install -e '.[bench]'` for the PDF peer rows)")
    else:
        print()
        print(table(pdf_vs_peer(min(n, 500)), ("rendered PDFs (one run)", "invoices/s", "ratio")))
    cli_batch(min(n, 200))


if __name__ == "__main__":
    main()
