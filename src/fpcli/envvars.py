"""Every environment variable fpcli reads, declared once. `fpcli --help`, the man page and the README list
them from here (tools/gen_docs.py), and a test fails when the code reads an FPCLI_* variable missing here.

Order of sources, first wins (DESIGN.md): command-line flag > FPCLI_* variable > profile file > secret store
> prompt (terminal only). When a variable gives a secret or a token, no secret store is touched.
"""

from __future__ import annotations

# name -> what it does; grouped as they are listed in the documentation.
VARIABLES: dict[str, str] = {
    # general
    "FPCLI_PROFILE": "configuration profile to use (same as --profile)",
    "FPCLI_SECRET_STORE": "where secrets and tokens are kept: keyring (default) or file (same as "
    "--secret-store)",
    "FPCLI_TOKEN_CACHE": "file: keep tokens obtained with environment credentials in a 0600 file under the "
    "user cache dir (default: memory only)",
    "FPCLI_NO_INPUT": "never prompt, even on a terminal (fail with a named error instead)",
    "FPCLI_DEBUG": "show tracebacks of internal errors (same as --debug)",
    "FPCLI_TIMEOUT": "seconds to wait for a remote service's answer (default 30)",
    "FPCLI_RETRIES": "retries of a request that is safe to repeat (default 3; 0: none)",
    "FPCLI_BACKOFF": "seconds before the first retry, doubled each time (default 0.5)",
    "FPCLI_LOOKUP_WAIT": "seconds a PA may take to show a flow in its search after an unanswered upload "
    "(default 30): fpcli searches that long for it; found: recorded as submitted; 0: no look-up, the entry "
    "is `uncertain`",
    "FPCLI_RESEND_ABSENT": "1: an unanswered upload that the PA's search proves absent over "
    "FPCLI_LOOKUP_WAIT "
    "is sent once more (default: it stays `uncertain` for `pdp journal --resolve`; set it only when the PA's "
    "search shows new flows within FPCLI_LOOKUP_WAIT)",
    # PA (AFNOR XP Z12-013 Flow and Directory services)
    "FPCLI_PA": "PA configuration of the profile to use (same as --pa)",
    "FPCLI_PA_FLOW_URL": "Flow Service base URL (…/flow-service)",
    "FPCLI_PA_DIRECTORY_URL": "Directory Service base URL (…/directory-service)",
    "FPCLI_PA_TOKEN_URL": "OAuth2 token URL, or the JWT …/api/token/ URL",
    "FPCLI_PA_AUTH": "oauth2 (client credentials) or jwt (username/password)",
    "FPCLI_PA_CLIENT_ID": "OAuth2 client id",
    "FPCLI_PA_CLIENT_SECRET": "OAuth2 client secret (secret)",
    "FPCLI_PA_USERNAME": "username (jwt)",
    "FPCLI_PA_PASSWORD": "password (jwt; secret)",
    "FPCLI_PA_ORGANIZATION_ID": "Organization-Id header (multi-tenant PAs)",
    "FPCLI_PA_TOKEN_AUTH": "oauth2 client credentials as `body` (form, default) or `basic` (HTTP Basic)",
    "FPCLI_CLIENT_UID": "client_uid sent to PAs that ask for it",
    "FPCLI_ACCESS_TOKEN": "a ready access token: no token request at all (secret)",
    "FPCLI_NOTIFY_SECRET": "HMAC key of `pdp submit --notify` summaries (secret)",
    "FPCLI_WEBHOOK_SECRET": "key that `pdp webhook verify` checks signatures with (secret)",
    # Chorus Pro (PISTE)
    "FPCLI_CHORUS_SANDBOX": "1: PISTE sandbox (qualification), 0: production",
    "FPCLI_CHORUS_API_URL": "Chorus Pro API base URL (overrides sandbox/production)",
    "FPCLI_CHORUS_TOKEN_URL": "PISTE OAuth2 token URL",
    "FPCLI_CHORUS_CLIENT_ID": "PISTE application client id",
    "FPCLI_CHORUS_CLIENT_SECRET": "PISTE application client secret (secret)",
    "FPCLI_CHORUS_LOGIN": "Chorus Pro technical account login",
    "FPCLI_CHORUS_PASSWORD": "Chorus Pro technical account password (secret)",
    # signing and look-ups
    "FPCLI_SIGN_PASSPHRASE": "passphrase of the signing key (secret; prefer the _FILE variant: `ps e` "
    "shows this one)",
    "FPCLI_SIGN_PASSPHRASE_FILE": "file whose first line is the signing key's passphrase (same as "
    "--passphrase-file)",
    "FPCLI_COMPANIES_URL": "Recherche d'entreprises API base URL (simplified input look-ups)",
    "FPCLI_CACHE_TTL": "seconds a company look-up stays cached (default 7 days)",
    "FPCLI_CHROMIUM": "Chromium program that `fpcli view -o X.pdf` prints with (default: found on PATH)",
}
# Not fpcli's own, but read by it.
OTHER: dict[str, str] = {
    "SOURCE_DATE_EPOCH": "fixed date for generated PDFs, making output byte-for-byte reproducible",
    "NO_COLOR, FORCE_COLOR": "turn colour off or on",
}


def help_text() -> str:
    """The `Environment:` section of `fpcli --help`."""
    lines = ["\b", "Environment (see `man fpcli` or the README for what each does):"]
    names = list(VARIABLES)
    for i in range(0, len(names), 3):
        lines.append("  " + ", ".join(names[i : i + 3]))
    return "\n".join(lines)
