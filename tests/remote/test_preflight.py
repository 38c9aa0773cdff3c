"""`fpcli preflight` against the test PA's Directory Service on loopback: flow classification, the
electronic addresses and public-sector identifiers looked up, the cache and `--offline`."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from fpcli.preflight import Directory, PreflightBatch, preflight_files
from fpcli.remote.pa import PASession
from tests.cli.helpers import run
from tests.conftest import EXAMPLES
from tests.remote.pa_server import DIRECTORY_PREFIX, PAServer

BASE: dict[str, Any] = yaml.safe_load((EXAMPLES / "invoice-services.yaml").read_text(encoding="utf-8"))
ACME = {"name": "ACME INDUSTRIE", "identifiers": [{"id": "73282932000074", "scheme": "0009"}],
        "legal_id": {"id": "732829320", "scheme": "0002"}, "vat_id": "FR44732829320",
        "electronic_address": {"id": "732829320", "scheme": "0225"},
        "address": {"line1": "1 rue de la Paix", "city": "Paris", "postcode": "75002", "country": "FR"}}  # fmt: skip
ARMEES = {"name": "MINISTERE DES ARMEES", "identifiers": [{"id": "11004301500012", "scheme": "0009"}],
          "legal_id": {"id": "110043015", "scheme": "0002"}, "electronic_address": {"id": "110043015", "scheme": "0225"},
          "address": {"line1": "60 bd du General Martial Valin", "city": "Paris", "postcode": "75015", "country": "FR"}}  # fmt: skip


def invoice_file(tmp: Path, name: str, **changes: Any) -> str:
    """The README's example invoice with `changes`, written as CII (the form a PA receives)."""
    from fpcli.cii.profile import Profile
    from fpcli.cii.writer import to_cii
    from fpcli.model.load import load_invoices

    data = copy.deepcopy(BASE)
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    raw = json.dumps(data, default=str).encode()
    path = tmp / f"{name}.xml"
    path.write_bytes(to_cii(load_invoices(raw, name)[0], Profile.EN16931).xml)
    return str(path)


def check(session: PASession | None, paths: list[str]) -> PreflightBatch:
    get = session.directory.get if session is not None else None
    return preflight_files(paths, Directory(get), offline=session is None)


def codes(batch: PreflightBatch, i: int = 0) -> set[str]:
    return {r.code for r in batch.results[i].reasons if r.severity != "info"}


def directory_calls(server: PAServer) -> list[str]:
    return [
        c
        for c in server.state.calls
        if "Siren" in c or "Siret" in c or "Routing" in c or "DirectoryLine" in c
    ]


def test_domestic_b2b_buyer_in_the_directory_is_ready_and_answers_are_cached(
    session: PASession, pa_server: PAServer, tmp_path: Path
) -> None:
    path = invoice_file(tmp_path, "b2b", buyer=ACME)
    batch = check(session, [path])
    r = batch.results[0]
    assert (r.flow, r.processing_rule, batch.exit_code) == ("domestic-b2b", "B2B", 0), r.reasons
    assert r.number == "FA-2026-0042" and r.ready
    # The example seller has no line in the test directory: a warning, the buyer's line decides delivery.
    assert codes(batch) == {"BT-34-UNKNOWN"}
    assert {lk.what: lk.found for lk in r.lookups} == {
        "legal unit 732829320": True, "directory line 123456782": False, "directory line 732829320": True,
    }  # fmt: skip
    assert any(rs["id"] for rs in r.rule_sets)  # the rule sets validate applied, with their versions
    asked = len(directory_calls(pa_server))
    assert asked == 3
    again = check(session, [path])  # within the expiry: from the cache, the PA is not asked again
    assert len(directory_calls(pa_server)) == asked
    assert {lk.source for lk in again.results[0].lookups} == {"cache"}
    offline = check(None, [path])
    assert offline.exit_code == 0 and {lk.source for lk in offline.results[0].lookups} == {"cache"}


def test_buyer_without_a_directory_line_is_not_ready(session: PASession, tmp_path: Path) -> None:
    gone = {**ACME, "legal_id": {"id": "552100554", "scheme": "0002"}, "identifiers": [], "vat_id": None,
            "electronic_address": {"id": "552100554", "scheme": "0225"}}  # fmt: skip
    batch = check(session, [invoice_file(tmp_path, "gone", buyer={k: v for k, v in gone.items() if v})])
    assert batch.exit_code == 1 and "BT-49-UNKNOWN" in codes(batch)
    no_address = {k: v for k, v in ACME.items() if k != "electronic_address"}
    batch = check(session, [invoice_file(tmp_path, "noaddr", buyer=no_address)])
    assert batch.exit_code == 1 and "BT-49-MISSING" in codes(batch)


def test_public_buyer_goes_to_chorus_pro_with_its_service_code_and_engagement(
    session: PASession, tmp_path: Path
) -> None:
    # The SGA facility requires a service code (serviceCodeStatus); none given: not ready.
    bare = check(session, [invoice_file(tmp_path, "p0", buyer=ARMEES, buyer_reference=None)])
    r = bare.results[0]
    assert (r.flow, r.processing_rule) == ("public", "B2G") and "SERVICE-CODE-MISSING" in codes(bare)
    # Service code in the addressing identifier SIREN_SIRET_CODE (BT-49); that routing code manages legal
    # commitments, so BT-13 is required.
    coded = {
        **ARMEES,
        "electronic_address": {"id": "110043015_11004301500012_SERVICE-ACHATS", "scheme": "0225"},
    }
    no_po = check(session, [invoice_file(tmp_path, "p1", buyer=coded, purchase_order_reference=None)])
    assert no_po.results[0].public is not None
    assert no_po.results[0].public.to_dict() == {
        "siret": "11004301500012", "service_code": "SERVICE-ACHATS", "service_code_from": "BT-49 (SIREN_SIRET_CODE)",
        "engagement": None,
    }  # fmt: skip
    assert codes(no_po) == {"BT-34-UNKNOWN", "ENGAGEMENT-MISSING"} and no_po.exit_code == 1
    ok = check(session, [invoice_file(tmp_path, "p2", buyer=coded, purchase_order_reference="EJ-2026-17")])
    assert ok.exit_code == 0 and codes(ok) == {"BT-34-UNKNOWN"}
    # Only in BT-10: read, with a warning; a code the directory does not know is an error.
    only_bt10 = check(
        session,
        [
            invoice_file(
                tmp_path, "p3", buyer=ARMEES, buyer_reference="SERVICE-ACHATS", purchase_order_reference=None
            )
        ],
    )
    assert {"SERVICE-CODE-BT10", "ENGAGEMENT-MISSING"} <= codes(only_bt10)
    wrong = check(session, [invoice_file(tmp_path, "p4", buyer=ARMEES, buyer_reference="NO-SUCH")])
    assert "SERVICE-CODE-UNKNOWN" in codes(wrong)


def test_public_ids_read_as_annex_a_reads_them() -> None:
    from fpcli.model.invoice import Invoice
    from fpcli.preflight import public_ids

    data = {**copy.deepcopy(BASE), "purchase_order_reference": "EJ-1", "buyer_reference": "FROM-BT10"}
    data["buyer"] = {**ARMEES, "identifiers": [{"id": "11004301500012", "scheme": "0009"},
                                               {"id": "SERVICE-ACHATS", "scheme": "0224"}]}  # fmt: skip
    ids = public_ids(Invoice.model_validate(data))
    assert (ids.siret, ids.service_code, ids.service_code_from, ids.engagement) == (
        "11004301500012",
        "SERVICE-ACHATS",
        "BT-46 scheme 0224",
        "EJ-1",
    )
    data["buyer"] = ARMEES
    ids = public_ids(Invoice.model_validate(data))
    assert (ids.service_code, ids.service_code_from) == ("FROM-BT10", "BT-10")


def test_b2c_and_international_b2b_go_to_e_reporting_without_directory_lines(
    session: PASession, pa_server: PAServer, tmp_path: Path
) -> None:
    # BR-FR-12 wants a BT-49 on every invoice: an e-mail address for a person, the VAT number abroad.
    person = {"name": "Jeanne Martin", "electronic_address": {"id": "jeanne@example.fr", "scheme": "EM"}, "address": {"line1": "2 rue Haute", "city": "Lyon", "postcode": "69001",
              "country": "FR"}}  # fmt: skip
    german = {"name": "Muster GmbH", "vat_id": "DE136695976", "electronic_address": {"id": "DE136695976", "scheme": "9930"},
              "address": {"line1": "Hauptstr. 1", "city": "Berlin", "postcode": "10115", "country": "DE"}}  # fmt: skip
    batch = check(
        session, [invoice_file(tmp_path, "b2c", buyer=person), invoice_file(tmp_path, "int", buyer=german)]
    )
    flows = [(r.flow, r.processing_rule) for r in batch.results]
    assert flows == [("b2c", "B2C"), ("international-b2b", "B2BInt")]
    assert "10.3" in str(batch.results[0].route) and "10.1" in str(batch.results[1].route)
    assert directory_calls(pa_server) == [] and batch.exit_code == 0


def test_offline_without_cache_is_not_ready_and_asks_nobody(pa_server: PAServer, tmp_path: Path) -> None:
    batch = check(None, [invoice_file(tmp_path, "b2b", buyer=ACME)])
    assert batch.exit_code == 1 and "OFFLINE" in codes(batch) and "FLOW-GUESSED" in codes(batch)
    assert pa_server.state.calls == []


def test_stale_cache_entries_are_used_offline_and_said(session: PASession, tmp_path: Path) -> None:
    path = invoice_file(tmp_path, "b2b", buyer=ACME)
    check(session, [path])
    stale = preflight_files([path], Directory(None, max_age=0.0), offline=True)
    assert stale.exit_code == 0 and "CACHE-STALE" in codes(stale)


def test_one_unreadable_file_is_its_own_reason(session: PASession, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<Invoice><unclosed></Invoice>")
    batch = check(session, [str(bad), invoice_file(tmp_path, "b2b", buyer=ACME)])
    assert [r.ready for r in batch.results] == [False, True] and batch.exit_code == 1
    assert batch.results[0].rules_failed and codes(batch, 0)  # the well-formedness finding, by its id


def test_cli_reports_on_stdout_with_exit_codes(
    runner: CliRunner, pa_server: PAServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var, value in {
        "FPCLI_PA_DIRECTORY_URL": pa_server.url + DIRECTORY_PREFIX, "FPCLI_PA_TOKEN_URL": pa_server.url + "/oauth/token",
        "FPCLI_PA_CLIENT_ID": "acme-client", "FPCLI_PA_CLIENT_SECRET": "s3cret-client",
        "FPCLI_TIMEOUT": "0.5", "FPCLI_BACKOFF": "0.01",
    }.items():  # fmt: skip
        monkeypatch.setenv(var, value)
    ready = invoice_file(tmp_path, "ready", buyer=ACME)
    result = run(runner, "preflight", ready)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"ready      {ready}  FA-2026-0042 (2026-11-20)  domestic-b2b")
    assert "warning: BT-34-UNKNOWN" in result.stdout and result.stderr == ""
    public = invoice_file(tmp_path, "public", buyer=ARMEES, buyer_reference=None)
    result = run(runner, "preflight", ready, public, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and (data["ready"], data["not_ready"]) == (1, 1)
    assert data["invoices"][1]["flow"] == "public"
    assert "1 of 2 invoice(s) not ready" in result.stderr
    missing = run(runner, "preflight", str(tmp_path / "nope.xml"), "--offline")
    assert missing.exit_code == 1 and "UNREADABLE" in missing.stdout and "no such file" in missing.stdout


def test_foreign_seller_or_both_foreign(tmp_path: Path) -> None:
    from fpcli.model.invoice import Invoice
    from fpcli.preflight import PreflightResult, preflight_invoice

    german = {"name": "Muster GmbH", "vat_id": "DE136695976",
              "address": {"line1": "Hauptstr. 1", "city": "Berlin", "postcode": "10115", "country": "DE"}}  # fmt: skip
    belgian = {"name": "Exemple SA", "vat_id": "BE0403019261",
               "address": {"line1": "Rue 1", "city": "Bruxelles", "postcode": "1000", "country": "BE"}}  # fmt: skip
    flows = {}
    for name, seller, buyer in (("import", german, ACME), ("abroad", german, belgian)):
        result = PreflightResult(name)
        preflight_invoice(
            Invoice.model_validate({**BASE, "seller": seller, "buyer": buyer}),
            Directory(None, root=tmp_path),
            result,
        )
        flows[name] = (result.flow, result.ready)
    assert flows == {"import": ("international-b2b", True), "abroad": ("out-of-scope", True)}


def test_public_buyer_checked_with_chorus_pro_structures_without_a_pa(chorus: Any, tmp_path: Path) -> None:
    """No PA: the public-sector checks come from Chorus Pro's own structure look-up (facility, service code,
    legal commitment); the PA directory's lines are not checked, and said so."""
    from fpcli.preflight import ChorusStructures
    from fpcli.remote.chorus import ChorusClient, resolve_chorus
    from fpcli.remote.http import Http, HttpSettings

    def chorus_check(name: str, **changes: Any) -> PreflightBatch:
        with ChorusClient(resolve_chorus(None), Http(HttpSettings(timeout=0.5, backoff=0.01))) as client:
            return preflight_files(
                [invoice_file(tmp_path, name, **changes)], ChorusStructures(client.structure), offline=False
            )

    def with_code(code: str) -> dict[str, Any]:  # the service code in BT-49 (SIREN_SIRET_CODE)
        return {**ARMEES, "electronic_address": {"id": f"110043015_11004301500012_{code}", "scheme": "0225"}}

    ok = chorus_check("c1", buyer=with_code("SGA-ACHATS"), purchase_order_reference="EJ-2026-17")
    r = ok.results[0]
    assert (r.flow, r.processing_rule, ok.exit_code) == ("public", "B2G", 0), r.reasons
    assert {x.code for x in r.reasons if x.severity == "info"} >= {"FLOW-CHORUS", "BT-34-NOT-CHECKED"}
    assert {lk.what: lk.found for lk in r.lookups} == {
        "legal unit 110043015": None, "directory line 123456782": None,
        "Chorus Pro structure 11004301500012": True, "service SGA-ACHATS of Chorus Pro structure 11004301500012": True,
    }  # fmt: skip
    assert codes(ok) == set()
    # The structure requires a service code and a legal commitment number (numeroEJDoitEtreRenseigne).
    assert {"SERVICE-CODE-MISSING", "ENGAGEMENT-MISSING"} <= codes(
        chorus_check("c2", buyer=ARMEES, buyer_reference=None, purchase_order_reference=None)
    )
    assert "SERVICE-CODE-UNKNOWN" in codes(  # an inactive service is not one to address
        chorus_check("c3", buyer=with_code("OLD"), purchase_order_reference="EJ-1")
    )
    stranger = {**ARMEES, "identifiers": [{"id": "11004301500020", "scheme": "0009"}]}  # another facility
    unknown = chorus_check("c4", buyer=stranger, purchase_order_reference="EJ-1")
    assert codes(unknown) == {"BT-46-UNKNOWN"}
    assert "not in the Chorus Pro structures" in unknown.results[0].reasons[-1].message
    assert chorus.state.violations == []
