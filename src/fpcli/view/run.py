"""`fpcli view` as one core call: read every file, render the page, print it to PDF when asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from fpcli.errors import InputError
from fpcli.view.load import Viewed, load
from fpcli.view.render import render_html

Format = Literal["html", "pdf"]


@dataclass(frozen=True)
class ViewRequest:
    files: list[str]
    lang: str = "fr"
    check: bool = True
    format: Format = "html"


@dataclass
class ViewResult:
    docs: list[Viewed]
    payload: bytes
    format: Format
    problems: list[str] = field(default_factory=list)  # one line per unreadable file

    @property
    def findings_errors(self) -> int:
        return sum(len(d.report.errors) for d in self.docs if d.report)


def output_format(path: str | None) -> Format:
    return "pdf" if path and path.lower().endswith(".pdf") else "html"


def make_view(request: ViewRequest) -> ViewResult:
    """Everything is built in memory first: a failure leaves no half-written page behind."""
    docs = [load(f, check=request.check) for f in request.files]
    problems = [d.error or d.source for d in docs if d.kind == "error"]
    if problems and len(problems) == len(docs):
        first = docs[0].error or docs[0].source
        raise InputError(first + (f" (and {len(docs) - 1} more unreadable files)" if len(docs) > 1 else ""))
    page = render_html(docs, request.lang)
    if request.format == "pdf":
        from fpcli.view.pdf import html_to_pdf

        return ViewResult(docs, html_to_pdf(page.html), "pdf", problems)
    return ViewResult(docs, page.html.encode("utf-8"), "html", problems)
