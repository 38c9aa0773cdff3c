"""Rendering `fpcli sign verify` results: the report on stdout (text or JSON), one summary line on stderr."""

from __future__ import annotations

import sys

from fpcli.cli.terminal import Terminal
from fpcli.signing.verify import SignatureResult, VerifyResult


def _lines(s: SignatureResult) -> list[str]:
    head = f"{s.index}. {s.verdict.upper():19} {s.field_name} ({s.kind}): {s.signer}"
    lines = [
        head,
        f"   level: {s.pades_level}; certificate: {s.eidas_level}"
        + (" (TEST)" if s.test_certificate else ""),
        f"   covers: {s.coverage}",
        f"   revocation: {s.revocation.status} ({s.revocation.detail})",
    ]
    if s.timestamp:
        lines.append(f"   timestamp: {s.timestamp}" + ("" if s.timestamp_valid else " (not trusted)"))
    elif s.signing_time:
        lines.append(f"   signing time (claimed by the signer): {s.signing_time}")
    lines += [f"   error: {p}" for p in s.problems]
    lines += [f"   warning: {w}" for w in s.warnings]
    return lines


def render_verify(term: Terminal, result: VerifyResult, json_out: bool) -> int:
    """Print the report; return the exit code (0 when no signature is invalid, 6 otherwise)."""
    if json_out or term.json:
        term.data_json(result.to_dict())
    else:
        text = [
            f"{result.source}: {len(result.signatures)} signature(s), revocation {result.revocation_mode}"
            + (", offline" if result.offline else "")
        ]
        for s in result.signatures:
            text += _lines(s)
        if result.unchecked:
            text.append("not fetched:")
            text += [f"   {u}" for u in result.unchecked]
        sys.stdout.write("\n".join(text) + "\n")
        sys.stdout.flush()
    bad = sum(1 for s in result.signatures if not s.ok)
    if bad:
        term.err.print(
            f"{result.source}: {bad} of {len(result.signatures)} signature(s) INVALID", style="red"
        )
    else:
        term.info(
            f"{result.source}: every signature valid"
            + (" (with warnings)" if any(s.warnings for s in result.signatures) else "")
        )
    return 0 if result.ok else 6
