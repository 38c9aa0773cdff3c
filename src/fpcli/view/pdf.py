"""The view as a PDF: the HTML page printed by a headless Chromium, offline (the page makes no request).

Chromium is the one engine that prints this page as a browser shows it; it is a system package (Debian
`chromium`), looked up at run time, not a Python dependency. Without it, `-o OUT.pdf` says how to get it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from fpcli.errors import InputError, UsageError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 120  # seconds: a page of many invoices still prints in a few


def find_browser() -> str | None:
    explicit = os.environ.get("FPCLI_CHROMIUM")
    if explicit:
        return shutil.which(explicit) or None
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def chromium_args(browser: str, profile_dir: str) -> list[str]:
    """Headless, no first-run work, no network (a proxy that does not exist catches any request)."""
    return [
        browser,
        "--headless",
        "--disable-gpu",
        "--no-sandbox",  # root in containers and CI; the page has no script and no request
        "--no-first-run",
        "--disable-extensions",
        "--proxy-server=127.0.0.1:9",
        f"--user-data-dir={profile_dir}",
    ]


def html_to_pdf(html: str) -> bytes:
    browser = find_browser()
    if browser is None:
        raise UsageError(
            "writing a PDF view needs Chromium, which is not installed",
            hint="install it (Debian: `apt-get install chromium`), set FPCLI_CHROMIUM, "
            "or write `-o view.html`",
        )
    with tempfile.TemporaryDirectory(prefix="fpcli-view-") as tmp:
        page, out = Path(tmp, "view.html"), Path(tmp, "view.pdf")
        page.write_text(html, encoding="utf-8")
        args = [*chromium_args(browser, str(Path(tmp, "profile"))), "--no-pdf-header-footer"]
        args += [f"--print-to-pdf={out}", page.as_uri()]
        try:
            done = subprocess.run(args, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise InputError.at(browser, None, f"did not print the view within {TIMEOUT} s") from None
        if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            last = (done.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
            raise InputError.at(browser, None, f"could not print the view to PDF: {last}")
        return out.read_bytes()
