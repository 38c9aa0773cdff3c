"""`fpcli sign` (default: sign a PDF), `fpcli sign verify`, `fpcli sign make-test-cert`."""

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from fpcli.cli.options import ForceOpt, JobsOpt, JsonOpt
from fpcli.cli.prompts import can_prompt, stdin_secrets
from fpcli.cli.runtime import FpcliGroup, terminal_of
from fpcli.cli.teach import complete_levels
from fpcli.errors import AuthError, UsageError

PASSPHRASE_ENV = "FPCLI_SIGN_PASSPHRASE"  # noqa: S105 (a variable name, not a secret)
PASSPHRASE_FILE_ENV = "FPCLI_SIGN_PASSPHRASE_FILE"  # noqa: S105 (a variable name, not a secret)
PassFileOpt = Annotated[
    str | None,
    typer.Option(
        "--passphrase-file",
        metavar="FILE",
        help="Read the key passphrase from the first line of FILE (also FPCLI_SIGN_PASSPHRASE_FILE).",
    ),
]
PassFdOpt = Annotated[
    int | None,
    typer.Option(
        "--passphrase-fd",
        metavar="N",
        min=0,
        help="Read the key passphrase from open file descriptor N (e.g. `--passphrase-fd 3 3<pass.txt`).",
    ),
]


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


def passphrase(
    prompt: str, profile: str | None = None, file: str | None = None, fd: int | None = None
) -> bytes | None:
    """`--passphrase-file`/`--passphrase-fd`, then FPCLI_SIGN_PASSPHRASE, then FPCLI_SIGN_PASSPHRASE_FILE,
    then the profile's secret store entry, then a hidden prompt (on a terminal only); never a flag's value
    (it would show in `ps` and shell history)."""
    from fpcli.cli.prompts import secret_from_fd, secret_from_file

    if file is not None:
        return secret_from_file(file, "--passphrase-file").encode()
    if fd is not None:
        return secret_from_fd(fd, "--passphrase-fd").encode()
    if (value := os.environ.get(PASSPHRASE_ENV)) is not None:
        return value.encode()
    if env_file := os.environ.get(PASSPHRASE_FILE_ENV):
        return secret_from_file(env_file, PASSPHRASE_FILE_ENV).encode()
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


@app.command(
    "pdf",
    help="Sign a PDF (also the default: `fpcli sign IN.pdf -o OUT.pdf`), or many: "
    "`fpcli sign A.pdf B.pdf DIR/ -o OUTDIR`.",
)
def sign_pdf_cmd(
    ctx: typer.Context,
    sources: Annotated[
        list[str], typer.Argument(help="PDF(s) to sign (`-` for stdin), or directories of PDFs.")
    ],
    output: Annotated[
        str,
        typer.Option("--output", "-o", help="Signed PDF (`-` for stdout); a directory for several inputs."),
    ],
    level: Annotated[
        str | None,
        typer.Option(
            "--level", "-l", autocompletion=complete_levels, help="PAdES level: B-B (default), B-T or B-LT."
        ),
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
        list[str] | None,
        typer.Option(
            "--trust", help="Root certificate(s) for B-LT: PEM, DER or PKCS#12 (certificates only)."
        ),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Reason for signing.")] = None,
    location: Annotated[str | None, typer.Option("--location", help="Place of signing.")] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="Signer contact information.")] = None,
    visible: Annotated[
        str | None, typer.Option("--visible", help="Visible signature: PAGE,X1,Y1,X2,Y2 in points.")
    ] = None,
    passphrase_file: PassFileOpt = None,
    passphrase_fd: PassFdOpt = None,
    force: ForceOpt = False,
    jobs: JobsOpt = 1,
    pkcs11_lib: Annotated[
        str | None, typer.Option("--pkcs11-lib", help="PKCS#11 module of a token or HSM holding the key.")
    ] = None,
    token_label: Annotated[str | None, typer.Option("--token-label", help="PKCS#11 token label.")] = None,
    key_label: Annotated[
        str | None, typer.Option("--key-label", help="Label of the key (and its certificate) on the token.")
    ] = None,
    pin_stdin: Annotated[bool, typer.Option("--pin-stdin", help="Read the token PIN from stdin.")] = False,
    pin_file: Annotated[
        str | None, typer.Option("--pin-file", help="Read the token PIN from this file.")
    ] = None,
) -> None:
    from fpcli.fileio import write_output
    from fpcli.signing.keys import load_trust_certs
    from fpcli.signing.sign import SignRequest, check_signer, parse_visible, sign_pdf

    term = terminal_of(ctx)
    profile, settings = None, None
    if not (p12 or key or pkcs11_lib):  # only then: the profile loader costs ~50 ms of start-up (pydantic)
        from fpcli.profiles.manage import signing

        profile, settings = signing(term.user_profile)
    if settings is not None:  # key material, level and TSA from the profile (`fpcli sign configure`)
        p12, key, cert = settings.p12, settings.key, settings.cert
        chain = chain or settings.chain
        level, tsa = level or settings.level, tsa or settings.tsa
    lvl = _level(level)
    batch = len(sources) > 1 or Path(sources[0]).is_dir() or Path(output).is_dir() or output.endswith("/")
    source = sources[0]
    if not batch and output != "-" and Path(output).exists() and not force:
        from fpcli.errors import OutputExistsError

        raise OutputExistsError.for_path(Path(output))
    data = b"" if batch else _read(source)
    if pkcs11_lib:  # the session stays open until the command ends
        signer = _token_signer(ctx, pkcs11_lib, token_label, key_label, cert, chain, pin_stdin, pin_file)
    elif p12 or (key and cert):
        signer = _file_signer(p12, key, cert, chain, profile, passphrase_file, passphrase_fd)
    else:
        raise UsageError(
            "no key material",
            hint="give `--p12 FILE`, or `--key KEY.pem --cert CERT.pem`, or `--pkcs11-lib LIB "
            "--token-label T --key-label K`, or set them once with `fpcli sign configure`",
        )
    page, box = parse_visible(visible) if visible else (None, None)
    roots = tuple(c.dump() for t in trust or [] for c in load_trust_certs(_read(t), t))
    request = SignRequest(lvl, tsa, reason, location, contact, page, box, roots)
    for note in check_signer(signer):
        term.warn(note)
    if batch:
        if pkcs11_lib and jobs > 1:  # a PKCS#11 session cannot be handed to worker processes
            term.warn("a token signs one file at a time: `--jobs` ignored")
            jobs = 1
        raise typer.Exit(_sign_many(term, sources, output, signer, request, jobs, force))
    signed = sign_pdf(data, signer, request, source)
    write_output(output, signed, force=force)
    if output == "-":  # stdout is the signed PDF: no JSON next to it
        term.info(f"signed `{source}` at PAdES {lvl}")
    else:
        term.done(f"signed `{source}` at PAdES {lvl} → `{output}`", {"source": source, "output": output})


def _token_signer(
    ctx: typer.Context,
    library: str,
    token_label: str | None,
    key_label: str | None,
    cert: str | None,
    chain: list[str] | None,
    pin_stdin: bool,
    pin_file: str | None,
) -> Any:
    from contextlib import ExitStack

    from fpcli.signing.hsm import TokenSpec, pkcs11_signer

    if not (token_label and key_label):
        raise UsageError("`--pkcs11-lib` needs `--token-label` and `--key-label`")
    if pin_stdin:
        pin: bytes | None = stdin_secrets("--pin-stdin", "the PIN")[0].encode()
    elif pin_file:
        pin = _read(pin_file).strip(b"\r\n")
    elif can_prompt():
        pin = typer.prompt(f"PIN for token {token_label}", hide_input=True, err=True).encode()
    else:
        pin = None
    spec = TokenSpec(
        library, token_label, key_label, _read(cert) if cert else None, tuple(_read(c) for c in chain or [])
    )
    stack = ExitStack()
    ctx.call_on_close(stack.close)
    return stack.enter_context(pkcs11_signer(spec, pin))


def _sign_many(
    term: Any, sources: list[str], output: str, signer: Any, request: Any, jobs: int, force: bool
) -> int:
    from fpcli.cli.render import progress
    from fpcli.signing.batch import expand_inputs, sign_batch

    if output == "-" or (Path(output).suffix.lower() == ".pdf" and not Path(output).is_dir()):
        raise UsageError(f"several inputs need an output directory, not `{output}`", hint="give `-o OUTDIR`")
    inputs = expand_inputs(sources)
    if not inputs:
        raise UsageError("no PDF to sign in the given directories")
    with progress(term, len(inputs), "signing") as on_done:
        result = sign_batch(inputs, Path(output), signer, request, jobs=jobs, force=force, on_done=on_done)
    for item in result.items:
        if item.ok:
            term.info(f"signed `{item.source}` → `{item.output}`")
        elif item.failure is not None:
            term.error(item.failure.message, item.failure.hint)
    term.done(
        f"{len(result.items) - len(result.failed)} signed, {len(result.failed)} failed",
        result.to_dict(),
    )
    return result.exit_code


@app.command(
    "extend",
    help="Add LTV material (DSS) to a signed PDF, and with `--tsa` a document timestamp (B-LT -> B-LTA).",
)
def extend_cmd(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Signed PDF (`-` for stdin).")],
    output: Annotated[str, typer.Option("--output", "-o", help="Extended PDF to write (`-` for stdout).")],
    trust: Annotated[
        list[str], typer.Option("--trust", help="Root certificate(s) of the signers' and TSA's chains.")
    ],
    tsa: Annotated[
        str | None, typer.Option("--tsa", help="Timestamp authority URL for a document timestamp (B-LTA).")
    ] = None,
    force: ForceOpt = False,
) -> None:
    from fpcli.fileio import write_output
    from fpcli.signing.keys import load_trust_certs
    from fpcli.signing.sign import extend_pdf

    if output != "-" and Path(output).exists() and not force:
        from fpcli.errors import OutputExistsError

        raise OutputExistsError.for_path(Path(output))
    roots = tuple(c.dump() for t in trust for c in load_trust_certs(_read(t), t))
    extended = extend_pdf(_read(source), source, roots, tsa)
    write_output(output, extended, force=force)
    what = "LTV material and a document timestamp" if tsa else "LTV material"
    if output == "-":  # stdout is the extended PDF: no JSON next to it
        terminal_of(ctx).info(f"added {what} to `{source}`")
    else:
        terminal_of(ctx).done(
            f"added {what} to `{source}` → `{output}`",
            {"source": source, "output": output, "document_timestamp": bool(tsa)},
        )


@app.command(
    "configure", help="Keep signing settings in the profile; the passphrase goes to the secret store."
)
def configure_cmd(
    ctx: typer.Context,
    p12: Annotated[str | None, typer.Option("--p12", help="PKCS#12 file with key and certificate.")] = None,
    key: Annotated[str | None, typer.Option("--key", help="Private key (PEM/DER), with --cert.")] = None,
    cert: Annotated[str | None, typer.Option("--cert", help="Signer certificate, with --key.")] = None,
    chain: Annotated[list[str] | None, typer.Option("--chain", help="Intermediate certificates.")] = None,
    level: Annotated[
        str | None,
        typer.Option("--level", "-l", autocompletion=complete_levels, help="Default PAdES level."),
    ] = None,
    tsa: Annotated[str | None, typer.Option("--tsa", help="Default timestamp authority URL.")] = None,
    passphrase_stdin: Annotated[
        bool,
        typer.Option(
            "--passphrase-stdin", help="Read the key passphrase from stdin (kept in the secret store)."
        ),
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
    saved = set_signing(terminal_of(ctx).user_profile, settings, secret)
    kept = f" (passphrase kept in {saved.secrets_in})" if saved.secrets_in else ""
    terminal_of(ctx).done(
        f"profile {saved.name}: signing settings updated{kept}",
        {"profile": saved.name, "passphrase_kept_in": saved.secrets_in},
    )


@app.command(
    "verify",
    help="Verify each signature of a PDF: integrity, coverage, chain, trust, revocation, timestamp, level.",
)
def verify_cmd(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Signed PDF (`-` for stdin).")],
    trust: Annotated[
        list[str] | None,
        typer.Option("--trust", help="Trusted root certificate(s): PEM, DER or PKCS#12 (certificates only)."),
    ] = None,
    revocation: Annotated[
        str, typer.Option("--revocation", help="soft: unknown revocation is a warning; hard: an error.")
    ] = "soft",
    offline: Annotated[
        bool, typer.Option("--offline", help="Fetch nothing: use only what the file embeds.")
    ] = False,
    allow_private_fetch: Annotated[
        bool,
        typer.Option(
            "--allow-private-fetch", help="Allow OCSP/CRL/issuer fetches to loopback and private addresses."
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    from fpcli.cli.render_sign import render_verify
    from fpcli.signing.fetch import FetchPolicy
    from fpcli.signing.keys import load_trust_certs
    from fpcli.signing.verify import RevocationMode, VerifyOptions, verify_pdf

    try:
        mode = RevocationMode(revocation.lower())
    except ValueError:
        raise UsageError(f"unknown revocation mode `{revocation}`", hint="use soft or hard") from None
    roots = tuple(c for t in trust or [] for c in load_trust_certs(_read(t), t))
    options = VerifyOptions(roots, mode, FetchPolicy(offline=offline, allow_private=allow_private_fetch))
    result = verify_pdf(_read(source), source, options)
    raise typer.Exit(render_verify(terminal_of(ctx), result, json_out))


@app.command(
    "make-test-cert",
    help="Create a self-signed test certificate and key (PKCS#12), and the certificate as PEM for "
    "`--trust`. Not for production.",
)
def make_test_cert_cmd(
    ctx: typer.Context,
    output: Annotated[
        str,
        typer.Option("--output", "-o", help="PKCS#12 file to write; the certificate goes next to it (.pem)."),
    ],
    cn: Annotated[str, typer.Option("--cn", help="Common name of the test signer.")] = "fpcli test signer",
    days: Annotated[int, typer.Option("--days", min=1, max=3650, help="Validity in days.")] = 365,
    passphrase_file: PassFileOpt = None,
    passphrase_fd: PassFdOpt = None,
    force: ForceOpt = False,
) -> None:
    from fpcli.errors import OutputExistsError
    from fpcli.fileio import write_output
    from fpcli.signing.testcert import make_test_identity

    if output == "-":
        raise UsageError("`make-test-cert` writes two files: give a file name with `-o`")
    pem_path = Path(output).with_suffix(".pem")
    for path in (Path(output), pem_path):
        if path.exists() and not force:
            raise OutputExistsError.for_path(path)

    secret = passphrase("Passphrase to protect the test key", None, passphrase_file, passphrase_fd)
    if not secret:
        raise AuthError(
            "no passphrase to protect the key",
            hint=f"give `--passphrase-file FILE`, set {PASSPHRASE_FILE_ENV} or {PASSPHRASE_ENV}, or run on "
            "a terminal",
        )
    p12, pem = make_test_identity(cn, days, secret)
    write_output(output, p12, force=force, private=True)  # a private key
    write_output(pem_path, pem, force=force)
    terminal_of(ctx).warn(f"`{output}` is a self-signed TEST certificate: not for production invoices")
    terminal_of(ctx).done(
        f"wrote `{output}` (key and certificate) and `{pem_path}` (certificate, for `--trust`)",
        {"output": output, "certificate": str(pem_path), "common_name": cn, "days": days},
    )


def profile_signer(term: Any, required: bool) -> Any:
    """`(data, source) -> signed bytes` from the profile's signing settings (`fpcli sign configure`), for
    commands that sign on the way (`fpcli send`); None when the profile has none and `required` is false."""
    from fpcli.profiles.manage import signing
    from fpcli.signing.sign import SignRequest, sign_pdf

    profile, settings = signing(term.user_profile)
    if settings is None or not (settings.p12 or (settings.key and settings.cert)):
        if required:
            raise UsageError(
                "`--sign` needs signing settings in the profile", hint="set them with `fpcli sign configure`"
            )
        return None
    signer = _file_signer(settings.p12, settings.key, settings.cert, settings.chain, profile)
    request = SignRequest(_level(settings.level), settings.tsa)
    return lambda data, source: sign_pdf(data, signer, request, source)


def _level(text: str | None) -> Any:
    from fpcli.signing.sign import Level

    try:
        return Level((text or "B-B").upper())
    except ValueError:
        raise UsageError(f"unknown level `{text}`", hint="use B-B, B-T or B-LT") from None


def _file_signer(
    p12: str | None,
    key: str | None,
    cert: str | None,
    chain: list[str] | None,
    profile: Any,
    passphrase_file: str | None = None,
    passphrase_fd: int | None = None,
) -> Any:
    """The signer of a PKCS#12 file, or of a PEM key and certificate; one way for `sign` and `send`."""
    from fpcli.signing.keys import load_pem, load_pkcs12

    chained = [_read(c) for c in chain or []]
    if p12:
        secret = passphrase(f"Passphrase for {p12}", profile, passphrase_file, passphrase_fd)
        return load_pkcs12(_read(p12), p12, secret, chained)
    assert key and cert
    secret = passphrase(f"Passphrase for {key}", profile, passphrase_file, passphrase_fd)
    return load_pem(_read(key), _read(cert), chained, key, secret)
