"""`fpcli sign` (default: sign a PDF), `fpcli sign verify`, `fpcli sign make-test-cert`."""

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from fpcli.cli.options import ForceOpt, JsonOpt
from fpcli.cli.prompts import can_prompt, stdin_secrets
from fpcli.cli.runtime import FpcliGroup, terminal_of
from fpcli.errors import AuthError, UsageError

PASSPHRASE_ENV = "FPCLI_SIGN_PASSPHRASE"  # noqa: S105 (a variable name, not a secret)


class DefaultSubcommandGroup(FpcliGroup):
    """`fpcli sign IN.pdf …` runs `fpcli sign pdf IN.pdf …`; `fpcli sign verify …` runs `verify`."""

    default_command = "pdf"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args.insert(0, self.default_command)
        return list(super().parse_args(ctx, args))


app = typer.Typer(
    cls=DefaultSubcommandGroup,
    help="Sign Factur-X PDFs with PAdES signatures (B-B, B-T, B-LT) and verify signatures.",
    no_args_is_help=True,
)


def passphrase(prompt: str, profile: str | None = None) -> bytes | None:
    """Environment variable, then the profile's keyring entry, then a hidden prompt (on a terminal only);
    never a plain flag."""
    if (value := os.environ.get(PASSPHRASE_ENV)) is not None:
        return value.encode()
    if profile is not None:
        from fpcli.profiles.manage import signing_passphrase

        if (stored := signing_passphrase(profile)) is not None:
            return stored.encode()
    if can_prompt():
        return typer.prompt(prompt, hide_input=True, err=True).encode()  # type: ignore[no-any-return]
    return None


def _read(path: str) -> bytes:
    from fpcli.fileio import read_input

    return read_input(path)


@app.command("pdf", help="Sign a PDF (also the default: `fpcli sign IN.pdf -o OUT.pdf`).")
def sign_pdf_cmd(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="The PDF to sign (`-` for stdin).")],
    output: Annotated[str, typer.Option("--output", "-o", help="Signed PDF to write (`-` for stdout).")],
    level: Annotated[
        str | None, typer.Option("--level", "-l", help="PAdES level: B-B (default), B-T or B-LT.")
    ] = None,
    tsa: Annotated[
        str | None, typer.Option("--tsa", help="RFC 3161 timestamp authority URL (B-T, B-LT).")
    ] = None,
    p12: Annotated[str | None, typer.Option("--p12", help="PKCS#12 file with key and certificate.")] = None,
    key: Annotated[str | None, typer.Option("--key", help="Private key (PEM/DER), with --cert.")] = None,
    cert: Annotated[
        str | None, typer.Option("--cert", help="Signer certificate (PEM/DER), with --key.")
    ] = None,
    chain: Annotated[list[str] | None, typer.Option("--chain", help="Intermediate certificates.")] = None,
    trust: Annotated[
        list[str] | None, typer.Option("--trust", help="Root certificate(s), needed for B-LT.")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Reason for signing.")] = None,
    location: Annotated[str | None, typer.Option("--location", help="Place of signing.")] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="Signer contact information.")] = None,
    visible: Annotated[
        str | None, typer.Option("--visible", help="Visible signature: PAGE,X1,Y1,X2,Y2 in points.")
    ] = None,
    force: ForceOpt = False,
) -> None:
    from fpcli.fileio import write_output
    from fpcli.signing.keys import load_pem, load_pkcs12
    from fpcli.signing.sign import Level, SignRequest, parse_visible, sign_pdf

    term = terminal_of(ctx)
    profile, settings = None, None
    if not (p12 or key):  # only then: the profile loader costs ~50 ms of start-up (pydantic)
        from fpcli.profiles.manage import signing

        profile, settings = signing(term.user_profile)
    if settings is not None:  # key material, level and TSA from the profile (`fpcli sign configure`)
        p12, key, cert = settings.p12, settings.key, settings.cert
        chain = chain or settings.chain
        level, tsa = level or settings.level, tsa or settings.tsa
    level = level or "B-B"
    try:
        lvl = Level(level.upper())
    except ValueError:
        raise UsageError(f"unknown level `{level}`", hint="use B-B, B-T or B-LT") from None
    if output != "-" and Path(output).exists() and not force:
        from fpcli.errors import OutputExistsError

        raise OutputExistsError.for_path(Path(output))
    data = _read(source)
    if p12:
        signer = load_pkcs12(
            _read(p12), p12, passphrase(f"Passphrase for {p12}", profile), [_read(c) for c in chain or []]
        )
    elif key and cert:
        signer = load_pem(
            _read(key),
            _read(cert),
            [_read(c) for c in chain or []],
            key,
            passphrase(f"Passphrase for {key}", profile),
        )
    else:
        raise UsageError(
            "no key material",
            hint="give `--p12 FILE`, or `--key KEY.pem --cert CERT.pem`, or set them once with "
            "`fpcli sign configure`",
        )
    page, box = parse_visible(visible) if visible else (None, None)
    request = SignRequest(
        lvl, tsa, reason, location, contact, page, box, tuple(_read(t) for t in trust or [])
    )
    signed = sign_pdf(data, signer, request, source)
    write_output(output, signed, force=force)
    term.info(f"signed `{source}` at PAdES {lvl}" + ("" if output == "-" else f" → `{output}`"))


@app.command("configure", help="Keep signing settings in the profile; the passphrase goes to the OS keyring.")
def configure_cmd(
    ctx: typer.Context,
    p12: Annotated[str | None, typer.Option("--p12", help="PKCS#12 file with key and certificate.")] = None,
    key: Annotated[str | None, typer.Option("--key", help="Private key (PEM/DER), with --cert.")] = None,
    cert: Annotated[str | None, typer.Option("--cert", help="Signer certificate, with --key.")] = None,
    chain: Annotated[list[str] | None, typer.Option("--chain", help="Intermediate certificates.")] = None,
    level: Annotated[str | None, typer.Option("--level", "-l", help="Default PAdES level.")] = None,
    tsa: Annotated[str | None, typer.Option("--tsa", help="Default timestamp authority URL.")] = None,
    passphrase_stdin: Annotated[
        bool,
        typer.Option("--passphrase-stdin", help="Read the key passphrase from stdin (kept in the keyring)."),
    ] = False,
) -> None:
    from fpcli.profiles.manage import set_signing

    def absolute(path: str | None) -> str | None:
        return str(Path(path).resolve()) if path else None  # the profile is used from any directory

    secret = stdin_secrets("--passphrase-stdin", "the passphrase")[0] if passphrase_stdin else None
    settings = {
        "p12": absolute(p12),
        "key": absolute(key),
        "cert": absolute(cert),
        "chain": [str(Path(c).resolve()) for c in chain or []],
        "level": level.upper() if level else None,
        "tsa": tsa,
    }
    name = set_signing(terminal_of(ctx).user_profile, settings, secret)
    terminal_of(ctx).info(
        f"profile {name}: signing settings updated" + (" (passphrase kept in the keyring)" if secret else "")
    )


@app.command(
    "verify", help="Verify the signatures of a PDF: integrity, chain, trust, timestamp, LTV, levels."
)
def verify_cmd(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Signed PDF (`-` for stdin).")],
    trust: Annotated[
        list[str] | None, typer.Option("--trust", help="Trusted root certificate(s), PEM/DER.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    from fpcli.signing.verify import verify_pdf

    term = terminal_of(ctx)
    result = verify_pdf(_read(source), source, [_read(t) for t in trust or []])
    if json_out or term.json:
        term.data_json(result.to_dict())
    for s in result.signatures:
        state = "VALID" if s.ok else "INVALID"
        term.err.print(
            f"{state:8} {s.field_name}: {s.signer} — PAdES {s.pades_level}, {s.eidas_level}"
            + (f", timestamp {s.timestamp}" if s.timestamp else ""),
            style="green" if s.ok else "red",
        )
        for problem in s.problems:
            term.err.print(f"  - {problem}")
    raise typer.Exit(0 if result.ok else 6)


@app.command(
    "make-test-cert", help="Create a self-signed test certificate and key (PKCS#12). Not for production."
)
def make_test_cert_cmd(
    ctx: typer.Context,
    output: Annotated[str, typer.Option("--output", "-o", help="PKCS#12 file to write.")],
    cn: Annotated[str, typer.Option("--cn", help="Common name of the test signer.")] = "fpcli test signer",
    days: Annotated[int, typer.Option("--days", min=1, max=3650, help="Validity in days.")] = 365,
    force: ForceOpt = False,
) -> None:
    from fpcli.fileio import write_output
    from fpcli.signing.testcert import make_test_p12

    secret = passphrase("Passphrase to protect the test key")
    if not secret:
        raise AuthError(
            "no passphrase to protect the key", hint=f"set {PASSPHRASE_ENV}, or run on a terminal"
        )
    write_output(output, make_test_p12(cn, days, secret), force=force, private=True)  # a private key
    terminal_of(ctx).warn(f"`{output}` is a self-signed TEST certificate: not for production invoices")
