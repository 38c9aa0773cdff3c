"""Help that teaches: placeholders that say what a value is (FILE, URL, NAME, N, LEVEL…), 1-3 real examples
per command, and value completion. `teach` is applied to every command when its group is built, so a new
option gets a placeholder from its name without anyone remembering to add one; `tests/cli/test_help.py`
fails when a command has no examples or a placeholder falls back to a type name."""

from __future__ import annotations

from typing import Any

# Placeholder by parameter name (the Python name of the option or argument).
METAVARS: dict[str, str] = {
    **dict.fromkeys(
        [
            "source",
            "files",
            "inputs",
            "payload",
            "p12",
            "key",
            "cert",
            "chain",
            "trust",
            "message",
            "messages",
            "report",
            "reports",
            "invoice",
            "base_pdf",
            "passphrase_file",
        ],
        "FILE",
    ),
    "output": "FILE",
    **dict.fromkeys(
        ("flow_url", "directory_url", "token_url", "api_url", "tsa", "callback_url", "notify"), "URL"
    ),
    **dict.fromkeys(("profile", "name", "pa", "default_pa", "remove_pa", "cn"), "NAME"),
    **dict.fromkeys(("jobs", "days", "limit", "ignore", "page", "passphrase_fd"), "N"),
    **dict.fromkeys(("wait_timeout", "max_age"), "SECONDS"),
    **dict.fromkeys(("since", "until", "date", "start", "end"), "DATE"),
    **dict.fromkeys(("updated_after", "updated_before"), "DATETIME"),
    "level": "LEVEL",
    "fmt": "FORMAT",
    "status": "STATUS",
    "flow": "FLOW",
    "flow_type": "TYPE",
    "flow_id": "ID",
    "webhook_id": "ID",
    "tracking_id": "ID",
    "flux": "ID",
    "invoice_id": "ID",
    "siret": "SIRET",
    "where": "FIELD=VALUE",
    "sort": "FIELD[:desc]",
    "fields": "FIELD,…",
    "include": "NAME,…",
    "amount": "RATE=AMOUNT",
    "visible": "PAGE,X1,Y1,X2,Y2",
    "secret_store": "STORE",
    "auth": "oauth2|jwt",
    "direction": "In|Out",
    "ack_status": "STATUS",
    "processing_rule": "RULE",
    "syntax": "SYNTAX",
    "signature": "BASE64",
    "timestamp": "SECONDS",
    "login": "LOGIN",
    "action": "CODE",
    "issuer_id": "ID",
    "issuer_role": "ROLE",
    "sender_role": "ROLE",
    "sender_scheme": "SCHEME",
    "issuer_siren": "SIREN",
    "sender_id": "ID",
    "platform_id": "ID",
    "transmission_id": "ID",
    "type_code": "CODE",
    "doc_type": "TYPE",
    "number": "NUMBER",
    **dict.fromkeys(("client_id", "organization_id", "client_uid"), "ID"),
    **dict.fromkeys(("username", "issuer_name", "sender_name", "platform_name"), "NAME"),
    "reason": "REASON",
}
# Any other value: a word for its kind, never the Python type (`<str>`, `<list[str]>`).
_BY_TYPE = {"int": "N", "float": "NUMBER"}

# 1-3 real examples per command, shown at the end of its --help and in the man page.
EXAMPLES: dict[str, list[str]] = {
    "generate": [
        "fpcli generate invoice.yaml -o invoice.pdf",
        "fpcli generate invoices/ -o out/ -t xml -j 4",
    ],
    "extract": ["fpcli extract invoice.pdf -o invoice.xml", "fpcli extract invoice.pdf --json | jq .totals"],
    "validate": [
        "fpcli validate invoice.pdf > report.txt",
        "fpcli validate invoices/ --format junit -j 4 > junit.xml",
        "fpcli validate --rules",
    ],
    "sign pdf": [
        "fpcli sign invoice.pdf -o signed.pdf --p12 seal.p12 --passphrase-file /run/secrets/p12",
        "fpcli sign invoice.pdf -o signed.pdf --level B-T --tsa https://tsa.example/tsr",
        "fpcli sign invoices/ -o signed/ --jobs 2",
    ],
    "embed": [
        "fpcli embed invoice.xml erp-print.pdf -o facturx.pdf",
        "fpcli embed invoice.xml erp-print.pdf -o facturx.pdf --attach timesheet.pdf",
    ],
    "view": [
        "fpcli view invoice.pdf -o invoice.html --open",
        "fpcli view supplier-ubl.xml --lang en -o invoice.pdf --attachments attachments/",
    ],
    "convert": [
        "fpcli convert supplier-ubl.xml --to cii -o invoice.xml",
        "fpcli convert invoice.xml --to facturx -o invoice.pdf",
    ],
    "sign extend": [
        "fpcli sign extend signed.pdf -o archived.pdf --trust root.pem --tsa https://tsa.example/tsr"
    ],
    "sign verify": ["fpcli sign verify signed.pdf --trust root.pem", "fpcli sign verify signed.pdf --json"],
    "sign configure": ["fpcli sign configure --p12 seal.p12 --level B-T --tsa https://tsa.example/tsr"],
    "sign make-test-cert": ["fpcli sign make-test-cert -o test.p12 --passphrase-file pass.txt"],
    "cdar create": [
        "fpcli cdar create -s 204 -i invoice.xml -o taken-over.xml",
        "fpcli cdar create -s 213 --reason DOUBLON --rejected-at reception --platform-id 0005 -i invoice.xml "
        "-o rejected.xml",
        "fpcli cdar create -s 220 -i replaced-invoice.xml -o cancelled.xml",
    ],
    "cdar paid": ["fpcli cdar paid -i invoice.pdf --amount 20=1200.00 -o paid.xml"],
    "cdar refuse": ["fpcli cdar refuse -i invoice.xml --reason DOUBLON -o refused.xml"],
    "cdar read": ["fpcli cdar read refused.xml", "fpcli cdar read refused.xml --json"],
    "cdar validate": ["fpcli cdar validate messages/*.xml"],
    "cdar statuses": ["fpcli cdar statuses | grep 210", "fpcli cdar statuses --json"],
    "ereport build": [
        "fpcli ereport build sales.csv --flow 10.3 --issuer-siren 340577964 --sender-id 2728 "
        "--start 2025-09-01 --end 2025-09-30 -o report.xml"
    ],
    "ereport read": ["fpcli ereport read report.xml"],
    "ereport validate": ["fpcli ereport validate report.xml"],
    "ereport columns": ["fpcli ereport columns --flow 10.1"],
    "send": [
        "fpcli send invoices/*.json --wait",
        "fpcli send invoice.yaml --dry-run",
        "fpcli send mairie.json --to chorus --json",
    ],
    "preflight": [
        "fpcli preflight invoice.pdf",
        "fpcli preflight invoices/ --offline",
        "fpcli preflight invoice.xml --json | jq '.invoices[].reasons'",
    ],
    "pdp submit": ["fpcli pdp submit invoices/ --wait", "fpcli --profile acme pdp submit invoice.pdf --json"],
    "pdp health": ["fpcli pdp health", "fpcli --profile acme pdp health --pa main --json"],
    "pdp inbox": ["fpcli pdp inbox -o received/", "fpcli pdp inbox --ack 204 --refuse-invalid NON_CONFORME"],
    "pdp journal": ["fpcli pdp journal", "fpcli pdp journal --json"],
    "pdp flows search": ["fpcli pdp flows search --updated-after 2026-11-01T00:00:00Z --all"],
    "pdp flows get": ["fpcli pdp flows get FLOW_ID", "fpcli pdp flows get FLOW_ID -o flow.xml"],
    "pdp directory siren": [
        "fpcli pdp directory siren 732829320",
        "fpcli pdp directory siren -w businessName~acme",
    ],
    "pdp directory siret": ["fpcli pdp directory siret 73282932000074"],
    "pdp directory routing-code": ["fpcli pdp directory routing-code 11004301500012 SERVICE-ACHATS"],
    "pdp directory line": ["fpcli pdp directory line --where siren=732829320"],
    "pdp webhook create": [
        "fpcli pdp webhook create https://erp.example/hooks/pa --flow-type SupplierInvoice"
    ],
    "pdp webhook list": ["fpcli pdp webhook list"],
    "pdp webhook delete": ["fpcli pdp webhook delete WEBHOOK_ID"],
    "pdp webhook verify": [
        "fpcli pdp webhook verify body.json --signature SIG --timestamp TS --webhook-id WEBHOOK_ID"
    ],
    "profile add": [
        "fpcli profile add acme --pa main --flow-url https://api.pa.example/flow-service "
        "--token-url https://auth.pa.example/token --client-id acme --secret-stdin < secret.txt"
    ],
    "profile edit": [
        "fpcli profile edit acme --pa main --directory-url https://api.pa.example/directory-service"
    ],
    "profile list": ["fpcli profile list"],
    "profile show": ["fpcli profile show acme", "fpcli profile show --json"],
    "profile use": ["fpcli profile use acme"],
    "profile remove": ["fpcli profile remove acme"],
    "auth login": ["fpcli auth login", "fpcli --secret-store file auth login --secret-stdin < secret.txt"],
    "auth logout": ["fpcli auth logout"],
    "auth status": ["fpcli auth status"],
    "auth token": [
        'curl -H "Authorization: Bearer $(fpcli auth token)" https://api.pa.example/flow-service/v1/flows'
    ],
    "chorus configure": [
        "fpcli chorus configure --sandbox --client-id ID --login LOGIN --secrets-stdin < secrets.txt"
    ],
    "chorus submit": ["fpcli chorus submit invoice.pdf --wait"],
    "chorus status": ["fpcli chorus status CPP0000000001"],
    "chorus structure": ["fpcli chorus structure 11004301500012"],
    "chorus invoices search": ["fpcli chorus invoices search --status MISE_A_DISPOSITION"],
    "chorus invoices get": ["fpcli chorus invoices get 1234 -o invoice.pdf"],
    "doctor": ["fpcli doctor", "fpcli --profile acme doctor --json"],
}


def examples_epilog(path: str) -> str | None:
    lines = EXAMPLES.get(path)
    if not lines:
        return None
    # \b: keep each example on its own line (the help formatter would otherwise rewrap the paragraph)
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def _no_type(ctx: Any) -> None:
    return None


def teach(command: Any, path: str) -> None:
    """Placeholders from `METAVARS` for parameters that have none, and the command's examples."""
    for param in command.params:
        if param.param_type_name == "argument":
            # the placeholder says what the value is; the argument's Python type (<str>) says nothing more
            param.display_type_rich = _no_type
        if getattr(param, "is_flag", False) or getattr(param, "count", False) or param.metavar:
            continue
        kind = param.display_type(None).strip("<>").split()[0] if param.param_type_name == "option" else ""
        param.metavar = METAVARS.get(param.name or "") or _BY_TYPE.get(kind, "TEXT")
    if command.epilog is None and not hasattr(command, "commands"):
        command.epilog = examples_epilog(path)


# -- value completion (typer's `autocompletion=`) ----------------------------------------------------------


def complete_profiles(incomplete: str) -> list[str]:
    """Profile names from the profiles file; nothing (rather than an error) when it cannot be read."""
    from fpcli.errors import FpcliError
    from fpcli.profiles import config

    try:
        names = config.summaries()[1]
    except FpcliError:
        return []
    return [n for n in sorted(names) if n.startswith(incomplete)]


def complete_pas(ctx: Any, incomplete: str) -> list[str]:
    """PA names of the profile on the command line (or FPCLI_PROFILE, or the default one)."""
    from fpcli.errors import FpcliError
    from fpcli.profiles import config

    try:
        default, profiles = config.summaries()
        name = ctx.find_root().params.get("profile") or default
        pas = profiles[name].pas if name in profiles else []
    except FpcliError:
        return []
    return [n for n in sorted(pas) if n.startswith(incomplete)]


def _choices(*values: str) -> Any:
    def complete(incomplete: str) -> list[str]:
        return [v for v in values if v.lower().startswith(incomplete.lower())]

    return complete


complete_facturx_profiles = _choices("minimum", "basicwl", "basic", "en16931", "extended", "extended-ctc-fr")
complete_validate_formats = _choices("text", "json", "junit", "svrl")
complete_generate_formats = _choices("pdf", "xml")
complete_levels = _choices("B-B", "B-T", "B-LT")
complete_flows = _choices("10.1", "10.2", "10.3", "10.4")
complete_stores = _choices("keyring", "file")
complete_auth = _choices("oauth2", "jwt")
complete_syntaxes = _choices("CII", "UBL", "Factur-X", "CDAR", "FRR")
complete_processing_rules = _choices("B2B", "B2BInt", "B2C", "B2G", "B2GInt", "OutOfScope")
complete_ack = _choices("Pending", "Ok", "Error")
complete_directions = _choices("In", "Out")
complete_stages = _choices("emission", "reception")


def complete_statuses(incomplete: str) -> list[str]:
    from fpcli.lifecycle.statuses import STATUSES

    return [code for code in STATUSES if code.startswith(incomplete)]
