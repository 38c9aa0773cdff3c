"""The one way fpcli opens untrusted PDF bytes (pikepdf): one-line InputError for garbage, truncated or
password-protected files, never a traceback."""

from __future__ import annotations

import io
import re
from typing import Any

from fpcli.errors import InputError

_STREAM_PREFIX = re.compile(r"^stream <[^>]*>:\s*")


def is_pdf(data: bytes) -> bool:
    """A PDF header within the first 1024 bytes (PDF 1.7 §7.5.2 allows junk before it): how every command
    tells a PDF from XML."""
    return b"%PDF-" in data[:1024]


def open_pdf(data: bytes, source: str, *, allow_encrypted: bool = False) -> Any:
    """Open `data` as a PDF. An empty-password encrypted PDF opens only with `allow_encrypted` (the validator
    reports it as a PDF/A violation; writing and extracting refuse it)."""
    import pikepdf

    if not is_pdf(data):
        raise InputError.at(source, None, "not a PDF file (no `%PDF-` header in the first 1024 bytes)")
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise InputError.at(
            source,
            None,
            "the PDF is encrypted with a password",
            hint="PDF/A forbids encryption: ask the sender for the unencrypted PDF/A-3 invoice",
        ) from None
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        first = (str(exc).strip().splitlines() or ["unknown error"])[0]
        first = _STREAM_PREFIX.sub("", first)  # qpdf names our in-memory stream, which means nothing to users
        raise InputError.at(source, None, f"unreadable or truncated PDF: {first}") from None
    if pdf.is_encrypted and not allow_encrypted:
        raise InputError.at(source, None, "the PDF is encrypted; PDF/A forbids encryption")
    return pdf
