"""`fpcli generate --simplified`: a SIRET and lines become a full EN 16931 Factur-X invoice, with company data
from a "Recherche d'entreprises" server and Chorus Pro structures from a Chorus server, both on loopback."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from typer.testing import CliRunner

from fpcli.remote.companies import RateLimiter, french_vat
from tests.cli.helpers import run
from tests.remote.public_servers import (
    ChorusServer,
    CompaniesServer,
)

SIMPLE: dict[str, Any] = {
    "number": "FA-2026-0100",
    "issue_date": "2026-11-20",
    "seller": {"siret": "12345678200010", "iban": "FR7630006000011234567890189", "bic": "AGRIFRPP"},
    "buyer": {"siret": "98765432400019"},
    "lines": [
        {"description": "Conseil en organisation", "quantity": 2, "unit_price": "500.00", "vat_rate": 20},
        {"description": "Formation", "quantity": 1, "unit_price": "300", "vat_rate": 0, "unit": "HUR"},
    ],
    "vat_exemption_reason": "Exonération de TVA, article 261-4-4° du CGI",
    "vat_exemption_code": "VATEX-FR-CGI261-4",
}


def write(tmp_path: Path, data: dict[str, Any], name: str = "simple.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def test_simplified_input_becomes_a_valid_french_factur_x(
    runner: CliRunner, companies: CompaniesServer, tmp_path: Path
) -> None:
    out = tmp_path / "inv.pdf"
    result = run(runner, "generate", "--simplified", str(write(tmp_path, SIMPLE)), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert (
        "looked up: seller SIRET 12345678200010: ATELIER NUMERIQUE, SAS, 12 RUE DE LA REPUBLIQUE, 69002, LYON"
        in result.stderr
    )
    assert f"VAT {french_vat('987654324')} (derived from the SIREN)" in result.stderr
    checked = run(runner, "validate", str(out), "--json")
    report = json.loads(checked.stdout)
    assert checked.exit_code == 0, checked.stdout
    assert report["files"][0]["valid"] is True
    assert "br-fr-cii" in [r["id"] for r in report["files"][0]["rule_sets"]]  # the French rules ran
    extracted = json.loads(run(runner, "extract", str(out), "--json").stdout)["invoice"]
    assert (
        extracted["seller"]["vat_id"] == "FR11123456782"
        and extracted["buyer"]["legal_id"]["id"] == "987654324"
    )
    assert [n["subject"] for n in extracted["notes"]] == ["PMT", "PMD", "AAB"]
    assert extracted["due_date"] == "2026-12-20" and extracted["business_process"] == "M1"


def test_lookups_are_cached_and_offline_uses_only_the_cache(
    runner: CliRunner, companies: CompaniesServer, tmp_path: Path
) -> None:
    src = write(tmp_path, SIMPLE)
    offline = run(runner, "generate", "--simplified", "--offline", str(src), "-o", str(tmp_path / "a.pdf"))
    assert (
        offline.exit_code == 2
        and "not in the local cache and `--offline` forbids a look-up" in offline.stderr
    )
    assert not (tmp_path / "a.pdf").exists() and companies.state.calls == []
    assert run(runner, "generate", "--simplified", str(src), "-o", str(tmp_path / "b.pdf")).exit_code == 0
    calls = len(companies.state.calls)
    assert calls == 2
    again = run(runner, "generate", "--simplified", "--offline", str(src), "-o", str(tmp_path / "c.pdf"))
    assert again.exit_code == 0 and "[cache, 0.0 h old]" in again.stderr
    assert len(companies.state.calls) == calls  # nothing asked


@pytest.mark.parametrize(
    ("siret", "code", "message"),
    [
        ("55210055400013", 3, "the company has ceased (état C)"),
        ("73282932000074", 3, "SIRET 73282932000074 is unknown to Recherche d'entreprises"),
        ("98765432400018", 3, "is not a valid SIRET"),
    ],
)
def test_unusable_buyers(
    runner: CliRunner, companies: CompaniesServer, tmp_path: Path, siret: str, code: int, message: str
) -> None:
    data = {**SIMPLE, "buyer": {"siret": siret}}
    out = tmp_path / "x.pdf"
    result = run(runner, "generate", "--simplified", str(write(tmp_path, data)), "-o", str(out))
    assert result.exit_code == code and message in result.stderr and "buyer.siret" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("fault", ["429", "500", "slow", "drop"])
def test_faults_are_retried(
    runner: CliRunner, companies: CompaniesServer, tmp_path: Path, fault: str
) -> None:
    companies.state.faults["/search"].append(fault)
    result = run(
        runner, "generate", "--simplified", str(write(tmp_path, SIMPLE)), "-o", str(tmp_path / "f.pdf")
    )
    assert result.exit_code == 0, result.stderr
    assert companies.state.calls.count("/search") == 3  # the faulty call, its retry, the buyer


def test_persistent_failure_is_a_clear_remote_error(
    runner: CliRunner, companies: CompaniesServer, tmp_path: Path
) -> None:
    companies.state.faults["/search"] += ["500"] * 10
    out = tmp_path / "f.pdf"
    result = run(runner, "generate", "--simplified", str(write(tmp_path, SIMPLE)), "-o", str(out))
    assert result.exit_code == 4 and "Recherche d'entreprises: HTTP 500" in result.stderr and not out.exists()


def test_requests_respect_the_published_rate(companies: CompaniesServer) -> None:
    from fpcli.remote.companies import CompanyDirectory
    from fpcli.remote.http import Http

    class Recording(RateLimiter):
        """Records the slot each request is given. Wall-clock times (at the server, or after the sleep)
        also carry the scheduler's jitter, which made this test flaky under load."""

        slots: ClassVar[list[float]] = []

        def wait(self) -> float:
            delay = super().wait()
            self.slots.append(self.next_at - self.interval)  # when this request was allowed to go
            return delay

    limiter = Recording(7.0)
    with Http() as http:
        directory = CompanyDirectory(http, limiter=limiter)
        for siret in ["12345678200010", "98765432400019", "11004301500012", "55210055400013"]:
            directory._lookup(siret, "t", "x")
    assert len(companies.state.call_times) == 4  # every look-up reached the server, each through the limiter
    gaps = [b - a for a, b in itertools.pairwise(limiter.slots)]
    assert len(gaps) == 3 and min(gaps) >= 1 / 7 - 1e-9, gaps


def test_zero_rate_needs_an_exemption_reason(
    runner: CliRunner, companies: CompaniesServer, tmp_path: Path
) -> None:
    data = {k: v for k, v in SIMPLE.items() if not k.startswith("vat_exemption")}
    result = run(
        runner, "generate", "--simplified", str(write(tmp_path, data)), "-o", str(tmp_path / "z.pdf")
    )
    assert result.exit_code == 3 and "needs `vat_exemption_reason`" in result.stderr
    assert companies.state.calls == []  # the input is checked before any look-up


def test_public_buyer_requirements_come_from_chorus_pro(
    runner: CliRunner, companies: CompaniesServer, chorus: ChorusServer, tmp_path: Path
) -> None:
    public = {**SIMPLE, "buyer": {"siret": "11004301500012"}}
    missing = run(
        runner, "generate", "--simplified", str(write(tmp_path, public)), "-o", str(tmp_path / "p.pdf")
    )
    assert missing.exit_code == 3 and "requires a Chorus Pro service code" in missing.stderr
    assert "one of: SGA-ACHATS" in missing.stderr
    inactive = {**SIMPLE, "buyer": {"siret": "11004301500012", "service_code": "OLD", "engagement": "EJ1"}}
    result = run(
        runner, "generate", "--simplified", str(write(tmp_path, inactive)), "-o", str(tmp_path / "p.pdf")
    )
    assert result.exit_code == 3 and "`OLD` is not an active service" in result.stderr
    good = {
        **SIMPLE,
        "buyer": {"siret": "11004301500012", "service_code": "SGA-ACHATS", "engagement": "EJ-2026-77"},
    }
    out = tmp_path / "p.pdf"
    result = run(runner, "generate", "--simplified", str(write(tmp_path, good)), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "on Chorus Pro: structure 25000001, requires service code, engagement [cache]" in result.stderr
    invoice = json.loads(run(runner, "extract", str(out), "--json").stdout)["invoice"]
    assert invoice["buyer_reference"] == "SGA-ACHATS" and invoice["purchase_order_reference"] == "EJ-2026-77"
    assert run(runner, "validate", str(out)).exit_code == 0


def test_schema_of_the_simplified_input(runner: CliRunner) -> None:
    schema = json.loads(run(runner, "generate", "--simplified", "--schema").stdout)
    assert schema["title"] == "SimplifiedInvoice" and set(schema["required"]) >= {
        "number",
        "seller",
        "buyer",
        "lines",
    }
