"""The root `fpcli` app: global options, and the command groups joined together."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from fpcli import __version__, envvars
from fpcli.cli.runtime import FpcliRoot, LazyCommand, terminal_of
from fpcli.cli.teach import complete_profiles, complete_stores

_ENGINES = ("lxml", "saxonche", "pikepdf", "pyhanko", "factur-x", "pydantic", "typer")

app = typer.Typer(
    name="fpcli",
    cls=FpcliRoot,
    help="Electronic invoicing for France: Factur-X / CII generation, validation, signing, PA and "
    "Chorus Pro.",
    epilog="Exit codes: 0 ok · 1 invalid document · 2 usage · 3 bad input · 4 remote service · "
    "5 authentication · 6 signature invalid · 70 internal error · 130 interrupted · "
    "129/143 SIGHUP/SIGTERM.\n\n" + envvars.help_text(),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals can hold tokens (STYLE.md rule 7)
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def version_text() -> str:
    # only here: ~25 ms of imports and look-ups, the work `--version` does (a hand-written reader of
    # dist-info saved them, and was 100 lines to keep equal to importlib.metadata: not worth it)
    from importlib import metadata

    lines = [f"fpcli {__version__}"]
    for dist in _ENGINES:
        try:
            lines.append(f"  {dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            lines.append(f"  {dist} (not installed)")
    return "\n".join(lines)


def _version(value: bool) -> None:
    if value:
        typer.echo(version_text())
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            envvar="FPCLI_PROFILE",
            autocompletion=complete_profiles,
            help="Configuration profile (client_uid context) to use. Not the Factur-X profile.",
        ),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="JSON reports on stdout for every command.")] = False,
    quiet: Annotated[int, typer.Option("--quiet", "-q", count=True, help="Less output (messages off).")] = 0,
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="More output; repeat for more.")
    ] = 0,
    debug: Annotated[
        bool, typer.Option("--debug", envvar="FPCLI_DEBUG", help="Show tracebacks of internal errors.")
    ] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour (also NO_COLOR=1).")] = False,
    secret_store: Annotated[
        str | None,
        typer.Option(
            "--secret-store",
            metavar="STORE",
            autocompletion=complete_stores,
            help="Where secrets and tokens are kept: `keyring` (the OS keyring, default) or `file` (a 0600 "
            "plain file you opt into). Also FPCLI_SECRET_STORE.",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show versions of fpcli and its engines."
        ),
    ] = False,
) -> None:
    term = terminal_of(ctx)
    term.verbosity = verbose - quiet
    term.json = json_
    term.debug = debug or bool(os.environ.get("FPCLI_DEBUG"))
    term.no_color = no_color
    term.user_profile = profile
    if secret_store is not None or "fpcli.profiles.secrets" in sys.modules:
        # imported only when needed: the profiles package costs start-up time (pydantic)
        from fpcli.profiles import secrets

        secrets.choose(secret_store)
    if verbose >= 2 or "logging" in sys.modules:  # also resets an earlier -vv run in the same process
        _log_http(verbose)


def _log_http(verbose: int) -> None:
    """-vv: one line per HTTP request on stderr; -vvv: with headers (secrets masked by value)."""
    import logging
    import sys

    class CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
        def emit(self, record: logging.LogRecord) -> None:
            self.stream = sys.stderr  # whatever stderr is now (tests swap it between invocations)
            super().emit(record)

    from fpcli.redact import for_terminal

    class Masked(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return for_terminal(super().format(record))

    handler = CurrentStderr()
    handler.setFormatter(Masked("http: %(message)s"))
    logger = logging.getLogger("fpcli.http")
    if verbose < 2:
        logger.handlers[:] = []
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
        return
    logger.handlers[:] = [handler]
    logger.setLevel(5 if verbose >= 3 else logging.DEBUG)
    logger.propagate = False


# Command modules are imported when their command is used (start-up time, issue 18); the help of a group
# here is the line the root's command list shows (tests/cli/test_app.py keeps it equal to the group's own).
FpcliRoot.lazy = {
    "generate": LazyCommand(
        "fpcli.cli.generate:generate",
        help="Generate CII XML or Factur-X PDF/A-3 invoices from JSON/YAML input.",
        kwargs={"no_args_is_help": False},
    ),
    "extract": LazyCommand(
        "fpcli.cli.extract:extract",
        help="Extract the invoice XML from a Factur-X/ZUGFeRD PDF, or print it as JSON.",
    ),
    "embed": LazyCommand(
        "fpcli.cli.embed:embed",
        help="Turn any PDF into a Factur-X PDF/A-3 carrying a CII invoice XML (needs Ghostscript).",
    ),
    "validate": LazyCommand(
        "fpcli.cli.validate:validate",
        help="Validate invoices: XSD, official Schematron (Factur-X, EN 16931, BR-FR), PDF/A-3 and "
        "Factur-X checks.",
    ),
    "doctor": LazyCommand(
        "fpcli.cli.doctor:doctor",
        help="Check this machine: secret store, active profile, PA and Chorus Pro endpoints (getHealth), "
        "rule sets, directories. Exit 0 when everything needed works; otherwise the first fix to make.",
    ),
    "view": LazyCommand(
        "fpcli.cli.view:view",
        help="Show invoices (CII, UBL, Factur-X/ZUGFeRD/XRechnung PDF), CDAR messages and flux 10 reports as "
        "one readable HTML page or PDF, with validation findings next to the fields.",
    ),
    "convert": LazyCommand(
        "fpcli.cli.convert:convert",
        help="Convert invoices between UBL 2.1 and CII D16B, or into a Factur-X PDF, through the EN 16931 "
        "model.",
    ),
    "sign": LazyCommand(
        "fpcli.cli.sign:app",
        group=True,
        help="Sign Factur-X PDFs with PAdES signatures (B-B, B-T, B-LT) and verify signatures.",
    ),
    "cdar": LazyCommand(
        "fpcli.cli.cdar:app",
        group=True,
        help="French invoice lifecycle messages (CDAR, flux 6): create, read and validate statuses 200 to "
        "213.",
    ),
    "ereport": LazyCommand(
        "fpcli.cli.ereport:app",
        group=True,
        help="E-reporting to the tax administration (flux 10): build reports 10.1 to 10.4, read, validate.",
    ),
    "pdp": LazyCommand(
        "fpcli.cli.pdp:app",
        group=True,
        help="Talk to a PA (Plateforme Agréée) through the AFNOR XP Z12-013 API: submit and search flows, "
        "download them, look up the directory.",
    ),
    "profile": LazyCommand(
        "fpcli.cli.profile:app",
        group=True,
        help="Profiles: PA configurations (endpoints, client id), Chorus Pro and signing settings.",
    ),
    "auth": LazyCommand(
        "fpcli.cli.auth:app",
        group=True,
        help="Log in to a PA (OAuth2 client credentials or JWT username/password), show and print tokens.",
    ),
    "chorus": LazyCommand(
        "fpcli.cli.chorus:app",
        group=True,
        help="Chorus Pro (public sector) through PISTE: deposit invoices, deposit reports, search and "
        "download invoices, public structures and their services.",
    ),
    "send": LazyCommand(
        "fpcli.cli.send:send",
        help="Send invoices in one go: generate (JSON/YAML), sign, preflight, submit through the journal "
        "(never twice), optionally wait for the first status. One line per invoice; exit code says if any "
        "failed.",
    ),
    "preflight": LazyCommand(
        "fpcli.cli.preflight:preflight",
        help="What would happen if these invoices were sent: the flow (domestic B2B, international B2B -> "
        "10.1, B2C -> 10.3, public buyer -> Chorus Pro), the addresses and public-sector ids in the PA "
        "directory, the rules in force. Exit 0 ready, 1 not ready with reasons.",
    ),
}
