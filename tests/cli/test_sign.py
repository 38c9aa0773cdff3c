"""`fpcli sign`, `fpcli sign verify`, `fpcli sign make-test-cert` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import run
from tests.conftest import EXAMPLES


@pytest.fixture
def invoice(runner, tmp_path: Path) -> Path:
    out = tmp_path / "inv.pdf"
    assert run(runner, "generate", str(EXAMPLES / "invoice-services.yaml"), "-o", str(out)).exit_code == 0
    return out


def test_sign_b_lt_then_verify(
    runner, pki, invoice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FPCLI_SIGN_PASSPHRASE", "secret")
    p12, root = pki.write_p12("signer", b"secret"), pki.write_cert("root")
    out = tmp_path / "signed.pdf"
    result = run(
        runner,
        "sign",
        str(invoice),
        "-o",
        str(out),
        "--level",
        "B-LT",
        "--tsa",
        pki.tsa_url,
        "--p12",
        str(p12),
        "--trust",
        str(root),
        "--reason",
        "Facture émise",
        "--location",
        "Lyon",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and "secret" not in result.stderr
    verified = run(runner, "sign", "verify", str(out), "--trust", str(root), "--json", "--offline")
    assert verified.exit_code == 0, verified.stderr
    report = json.loads(verified.stdout)
    assert report["schema_version"] == 2 and report["ok"] and report["offline"]
    assert report["signatures"][0]["pades_level"] == "B-LT" and report["signatures"][0]["ltv"]
    assert report["signatures"][0]["revocation"]["status"] == "good"  # from the embedded OCSP/CRL
    assert report["signatures"][0]["verdict"] == "valid"
    # the documented shape (README, Output conventions)
    assert set(report) == {
        "schema_version",
        "command",
        "source",
        "ok",
        "revocation_mode",
        "offline",
        "not_fetched",
        "signatures",
    }
    assert set(report["signatures"][0]) == {
        "index",
        "field_name",
        "kind",
        "subfilter",
        "signer",
        "issuer",
        "intact",
        "valid",
        "trusted",
        "revocation",
        "revoked",
        "expired_at_signing",
        "test_certificate",
        "coverage",
        "covers_whole_file",
        "later_updates",
        "modification_level",
        "signing_time",
        "timestamp",
        "timestamp_valid",
        "ltv",
        "pades_level",
        "eidas_level",
        "verdict",
        "ok",
        "problems",
        "warnings",
    }
    assert run(runner, "validate", str(out)).exit_code == 0


def test_wrong_passphrase_exit_5_no_output(
    runner, pki, invoice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FPCLI_SIGN_PASSPHRASE", "wrong")
    out = tmp_path / "signed.pdf"
    result = run(
        runner, "sign", str(invoice), "-o", str(out), "--p12", str(pki.write_p12("signer", b"secret"))
    )
    assert result.exit_code == 5
    assert "wrong passphrase" in result.stderr and "wrong\n" not in result.stderr
    assert not out.exists()


def test_no_passphrase_without_terminal_names_env(
    runner, pki, invoice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FPCLI_SIGN_PASSPHRASE", raising=False)
    result = run(
        runner,
        "sign",
        str(invoice),
        "-o",
        str(tmp_path / "s.pdf"),
        "--p12",
        str(pki.write_p12("signer", b"secret")),
    )
    assert result.exit_code == 5
    assert "FPCLI_SIGN_PASSPHRASE" in result.stderr


def test_verify_tampered_exit_6(
    runner, pki, invoice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FPCLI_SIGN_PASSPHRASE", "secret")
    out = tmp_path / "signed.pdf"
    assert (
        run(
            runner, "sign", str(invoice), "-o", str(out), "--p12", str(pki.write_p12("signer", b"secret"))
        ).exit_code
        == 0
    )
    data = bytearray(out.read_bytes())
    data[data.find(b"FA-2026-0042")] ^= 1
    out.write_bytes(bytes(data))
    result = run(runner, "sign", "verify", str(out), "--trust", str(pki.write_cert("root")))
    assert result.exit_code == 6
    assert "1. INVALID" in result.stdout and "modified after signing" in result.stdout
    assert "1 of 1 signature(s) INVALID" in result.stderr


def test_verify_unsigned_pdf_exit_3(runner, invoice: Path) -> None:
    result = run(runner, "sign", "verify", str(invoice))
    assert result.exit_code == 3
    assert "carries no signature" in result.stderr


def test_make_test_cert_and_sign_visible(
    runner, invoice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FPCLI_SIGN_PASSPHRASE", "pw")
    p12 = tmp_path / "test.p12"
    made = run(runner, "sign", "make-test-cert", "-o", str(p12), "--cn", "Essai")
    assert made.exit_code == 0 and "not for production" in made.stderr
    out = tmp_path / "s.pdf"
    signed = run(
        runner, "sign", str(invoice), "-o", str(out), "--p12", str(p12), "--visible", "1,380,40,560,100"
    )
    assert signed.exit_code == 0, signed.stderr
    verified = run(runner, "sign", "verify", str(out), "--json")
    assert verified.exit_code == 6  # self-signed: untrusted
    assert json.loads(verified.stdout)["signatures"][0]["eidas_level"] == "SES"
    assert run(runner, "validate", str(out)).exit_code == 0  # the stamp's font is embedded: still PDF/A


def test_output_exists_without_force(
    runner, invoice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FPCLI_SIGN_PASSPHRASE", "pw")
    p12 = tmp_path / "t.p12"
    assert run(runner, "sign", "make-test-cert", "-o", str(p12)).exit_code == 0
    result = run(runner, "sign", "make-test-cert", "-o", str(p12))
    assert result.exit_code == 2 and "already exists" in result.stderr


def test_bad_level(runner, invoice: Path, tmp_path: Path) -> None:
    result = run(runner, "sign", str(invoice), "-o", str(tmp_path / "x.pdf"), "--level", "B-X", "--p12", "x")
    assert result.exit_code == 2 and "unknown level" in result.stderr


def test_key_material_from_the_profile(runner, pki, invoice: Path, tmp_path: Path, isolation) -> None:
    p12, root = pki.write_p12("signer", b"Pa55-phrase"), pki.write_cert("root")
    assert run(runner, "profile", "add", "acme").exit_code == 0
    no_key = run(runner, "sign", str(invoice), "-o", str(tmp_path / "x.pdf"))
    assert no_key.exit_code == 2 and "fpcli sign configure" in no_key.stderr
    configured = run(
        runner,
        "sign",
        "configure",
        "--p12",
        str(p12),
        "--level",
        "b-t",
        "--tsa",
        pki.tsa_url,
        "--passphrase-stdin",
        input="Pa55-phrase\n",
    )
    assert configured.exit_code == 0, configured.stderr
    assert isolation.store[("fpcli", "acme/signing/passphrase")] == "Pa55-phrase"
    from fpcli.profiles.config import config_path

    assert "Pa55-phrase" not in config_path().read_text() and str(p12) in config_path().read_text()
    out = tmp_path / "signed.pdf"
    result = run(runner, "sign", str(invoice), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "PAdES B-T" in result.stderr
    report = json.loads(run(runner, "sign", "verify", str(out), "--trust", str(root), "--json").stdout)
    assert report["ok"] and report["signatures"][0]["pades_level"] == "B-T"
    assert run(runner, "auth", "logout").exit_code == 0
    assert ("fpcli", "acme/signing/passphrase") not in isolation.store


def _signed(runner, pki, invoice: Path, tmp_path: Path, label: str = "signer") -> Path:
    out = tmp_path / f"{label}.pdf"
    p12 = pki.write_p12(label, b"secret")
    result = run(runner, "sign", str(invoice), "-o", str(out), "--p12", str(p12))
    assert result.exit_code == 0, result.stderr
    return out


def test_verify_revocation_soft_hard_and_private_fetch(
    runner, pki, invoice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FPCLI_SIGN_PASSPHRASE", "secret")
    signed, root = _signed(runner, pki, invoice, tmp_path, "signer-revoked"), str(pki.write_cert("root"))
    revoked = run(runner, "sign", "verify", str(signed), "--trust", root, "--allow-private-fetch")
    assert revoked.exit_code == 6
    assert "revocation: revoked" in revoked.stdout and "INVALID" in revoked.stderr
    # the PKI is on loopback: without the flag nothing is fetched, and the report says so
    refused = run(runner, "sign", "verify", str(signed), "--trust", root)
    assert refused.exit_code == 0, refused.stdout
    assert "revocation: unknown" in refused.stdout and "--allow-private-fetch" in refused.stdout
    assert "VALID-WITH-WARNINGS" in refused.stdout and "(with warnings)" in refused.stderr
    hard = run(runner, "sign", "verify", str(signed), "--trust", root, "--revocation", "hard")
    assert hard.exit_code == 6 and "error: revocation not checked" in hard.stdout
    with pki.revocation_services("down"):
        down = run(runner, "sign", "verify", str(signed), "--trust", root, "--allow-private-fetch", "--json")
    report = json.loads(down.stdout)
    assert down.exit_code == 0 and report["signatures"][0]["revocation"]["status"] == "unknown"
    assert "HTTP 503" in report["signatures"][0]["revocation"]["detail"]
    bad_mode = run(runner, "sign", "verify", str(signed), "--revocation", "maybe")
    assert bad_mode.exit_code == 2 and "soft or hard" in bad_mode.stderr


def test_trust_file_formats_and_test_cert_pem(
    runner, invoice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FPCLI_SIGN_PASSPHRASE", "pw")
    p12 = tmp_path / "test.p12"
    made = run(runner, "sign", "make-test-cert", "-o", str(p12))
    assert made.exit_code == 0 and (tmp_path / "test.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE")
    out = tmp_path / "s.pdf"
    signed = run(runner, "sign", str(invoice), "-o", str(out), "--p12", str(p12))
    assert signed.exit_code == 0 and "TEST certificate" in signed.stderr
    trusted = run(runner, "sign", "verify", str(out), "--trust", str(tmp_path / "test.pem"))
    assert trusted.exit_code == 0, trusted.stdout
    assert "(TEST)" in trusted.stdout and "warning: a TEST certificate" in trusted.stdout
    as_p12 = run(runner, "sign", "verify", str(out), "--trust", str(p12))
    assert as_p12.exit_code == 3 and "protected by a passphrase" in as_p12.stderr
    assert "Traceback" not in as_p12.stderr and as_p12.stdout == ""
    garbage = tmp_path / "x.txt"
    garbage.write_text("not a certificate")
    bad = run(runner, "sign", "verify", str(out), "--trust", str(garbage))
    assert bad.exit_code == 3 and "x.txt" in bad.stderr and "not a certificate" in bad.stderr
    again = run(runner, "sign", "make-test-cert", "-o", str(tmp_path / "other.p12"))
    assert again.exit_code == 0
    (tmp_path / "other.p12").unlink()
    pem_left = run(runner, "sign", "make-test-cert", "-o", str(tmp_path / "other.p12"))
    assert pem_left.exit_code == 2 and "other.pem" in pem_left.stderr


def test_sign_refuses_expired_certificate_at_b_b(
    runner, pki, invoice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FPCLI_SIGN_PASSPHRASE", "secret")
    out = tmp_path / "x.pdf"
    p12 = pki.write_p12("signer-expired", b"secret")
    result = run(runner, "sign", str(invoice), "-o", str(out), "--p12", str(p12))
    assert result.exit_code == 6 and "expired" in result.stderr and not out.exists()


def test_batch_signs_files_and_directories_one_bad_file_does_not_stop_the_rest(
    runner, pki, invoice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    monkeypatch.setenv("FPCLI_SIGN_PASSPHRASE", "secret")
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.pdf", "b.pdf"):
        shutil.copy(invoice, folder / name)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<")
    (folder / "notes.txt").write_text("not a pdf: ignored")
    single = tmp_path / "c.pdf"
    shutil.copy(invoice, single)
    out = tmp_path / "out"
    p12 = str(pki.write_p12("signer", b"secret"))
    result = run(runner, "sign", str(folder), str(single), "-o", str(out), "--p12", p12, "--jobs", "2")
    assert result.exit_code == 3, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a.pdf", "b.pdf", "c.pdf"]  # nothing half-written
    assert "broken.pdf: unreadable" in result.stderr and "3 signed, 1 failed" in result.stderr
    verified = run(
        runner,
        "sign",
        "verify",
        str(out / "b.pdf"),
        "--trust",
        str(pki.write_cert("root")),
        "--json",
        "--allow-private-fetch",
    )
    assert (
        verified.exit_code == 0
        and json.loads(verified.stdout)["signatures"][0]["revocation"]["status"] == "good"
    )
    again = run(runner, "sign", str(single), str(folder / "a.pdf"), "-o", str(out), "--p12", p12)
    assert again.exit_code == 2 and again.stderr.count("already exists") == 2
    to_stdout = run(runner, "sign", str(single), str(single), "-o", "-", "--p12", p12)
    assert to_stdout.exit_code == 2 and "output directory" in to_stdout.stderr


def test_extend_b_t_to_b_lta(
    runner, pki, invoice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FPCLI_SIGN_PASSPHRASE", "secret")
    b_t, root = tmp_path / "bt.pdf", str(pki.write_cert("root"))
    p12 = str(pki.write_p12("signer", b"secret"))
    assert (
        run(
            runner, "sign", str(invoice), "-o", str(b_t), "--p12", p12, "-l", "B-T", "--tsa", pki.tsa_url
        ).exit_code
        == 0
    )
    lt, lta = tmp_path / "lt.pdf", tmp_path / "lta.pdf"
    assert run(runner, "sign", "extend", str(b_t), "-o", str(lt), "--trust", root).exit_code == 0
    assert (
        run(
            runner, "sign", "extend", str(lt), "-o", str(lta), "--trust", root, "--tsa", pki.tsa_url
        ).exit_code
        == 0
    )
    levels = {}
    for path in (lt, lta):
        report = json.loads(
            run(runner, "sign", "verify", str(path), "--trust", root, "--json", "--offline").stdout
        )
        levels[path.name] = [s["pades_level"] for s in report["signatures"]]
        assert report["ok"] and report["signatures"][0]["revocation"]["status"] == "good"
    assert levels == {"lt.pdf": ["B-LT"], "lta.pdf": ["B-LTA", "document timestamp"]}
    assert run(runner, "validate", str(lta)).exit_code == 0
    unsigned = run(runner, "sign", "extend", str(invoice), "-o", str(tmp_path / "x.pdf"), "--trust", root)
    assert unsigned.exit_code == 3 and "no signature to extend" in unsigned.stderr
