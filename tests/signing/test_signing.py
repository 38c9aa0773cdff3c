"""PAdES signing and verification against a real test PKI (certomancer) served on loopback."""

from __future__ import annotations

import io

import pikepdf
import pytest

from fpcli.errors import AuthError, InputError, SignatureError, UsageError
from fpcli.signing.fetch import FetchPolicy
from fpcli.signing.keys import load_pem, load_pkcs12, load_trust_certs
from fpcli.signing.sign import Level, SignRequest, sign_pdf
from fpcli.signing.testcert import make_test_p12
from fpcli.signing.verify import VerifyOptions, eidas_level
from fpcli.signing.verify import verify_pdf as _verify_pdf


def verify_pdf(data: bytes, source: str, roots: list[bytes], **kw):
    """The test PKI is on loopback: allow private fetches, as a user of an in-house PKI would."""
    anchors = tuple(c for r in roots for c in load_trust_certs(r, "root"))
    policy = FetchPolicy(allow_private=True, **kw.pop("fetch", {}))
    return _verify_pdf(data, source, VerifyOptions(anchors, fetch=policy, **kw))


@pytest.fixture(scope="module")
def invoice_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from typer.testing import CliRunner

    from tests.cli.helpers import run
    from tests.conftest import EXAMPLES

    out = tmp_path_factory.mktemp("inv") / "inv.pdf"
    assert (
        run(CliRunner(), "generate", str(EXAMPLES / "invoice-services.yaml"), "-o", str(out)).exit_code == 0
    )
    return out.read_bytes()


def signer(pki, label: str = "signer"):
    return load_pkcs12(pki.write_p12(label, b"secret").read_bytes(), f"{label}.p12", b"secret")


def root(pki) -> bytes:
    return pki.write_cert("root").read_bytes()


@pytest.mark.parametrize("level", list(Level), ids=str)
def test_each_level_signs_and_verifies(pki, invoice_pdf: bytes, level: Level) -> None:
    out = sign_pdf(
        invoice_pdf, signer(pki), SignRequest(level, pki.tsa_url, trust_roots=(root(pki),)), "inv.pdf"
    )
    assert out.startswith(invoice_pdf)  # incremental update: the original bytes are untouched
    result = verify_pdf(out, "signed.pdf", [root(pki)])
    assert result.ok, result.signatures[0].problems
    s = result.signatures[0]
    assert s.pades_level == str(level) and s.eidas_level == "AdES"
    # B-LT appends the DSS after signing: an allowed update, not a modification
    assert s.coverage == ("followed by 1 allowed update" if level is Level.B_LT else "whole file")
    assert (s.timestamp is not None) == (level is not Level.B_B)
    assert s.ltv == (level is Level.B_LT)
    assert s.revocation.status == "good" and s.verdict == "valid"


@pytest.mark.parametrize("level", [Level.B_T, Level.B_LT], ids=str)
def test_signed_facturx_keeps_xml_and_xmp(pki, invoice_pdf: bytes, level: Level) -> None:
    req = SignRequest(
        level, pki.tsa_url, trust_roots=(root(pki),), visible_page=1, visible_box=(380, 40, 560, 100)
    )
    out = sign_pdf(invoice_pdf, signer(pki), req, "inv.pdf")
    before, after = pikepdf.open(io.BytesIO(invoice_pdf)), pikepdf.open(io.BytesIO(out))
    # the XMP packet (prefixes, Factur-X extension schema) and the Info dictionary stay byte for byte
    assert after.Root.Metadata.read_bytes() == before.Root.Metadata.read_bytes()
    assert dict(after.docinfo) == dict(before.docinfo)
    assert (
        after.attachments["factur-x.xml"].get_file().read_bytes()
        == before.attachments["factur-x.xml"].get_file().read_bytes()
    )
    from lxml import etree

    from fpcli.pdf.xmp import FX_NS

    xmp = etree.fromstring(after.Root.Metadata.read_bytes())
    levels = [e.text for e in xmp.iter(f"{{{FX_NS}}}ConformanceLevel")]
    levels += [v for e in xmp.iter() for k, v in e.attrib.items() if k == f"{{{FX_NS}}}ConformanceLevel"]
    assert levels == ["EN 16931"]
    from fpcli.validation.checks import validate_bytes

    report = validate_bytes(out, "signed.pdf")
    assert report.valid, [f"{f.rule_id}: {f.message}" for f in report.errors]
    # `fpcli validate` reports exactly what it reported before signing
    unsigned = validate_bytes(invoice_pdf, "signed.pdf")
    assert [(f.rule_id, f.message) for f in report.findings] == [
        (f.rule_id, f.message) for f in unsigned.findings
    ]


def test_tampered_byte_is_detected(pki, invoice_pdf: bytes) -> None:
    out = bytearray(sign_pdf(invoice_pdf, signer(pki), SignRequest(Level.B_B), "inv.pdf"))
    i = out.find(b"FA-2026-0042")
    out[i] ^= 0x01
    result = verify_pdf(bytes(out), "x.pdf", [root(pki)])
    assert not result.ok
    assert "modified after signing" in result.signatures[0].problems[0]


def test_revoked_signer_reported(pki, invoice_pdf: bytes) -> None:
    out = sign_pdf(invoice_pdf, signer(pki, "signer-revoked"), SignRequest(Level.B_T, pki.tsa_url), "inv.pdf")
    s = verify_pdf(out, "x.pdf", [root(pki)]).signatures[0]
    assert s.revoked and "revoked" in " ".join(s.problems)
    assert "key_compromise" in s.revocation.detail.replace(" ", "_") or "compromise" in s.revocation.detail


def test_expired_certificate_refused_at_signing_even_b_b(pki, invoice_pdf: bytes) -> None:
    with pytest.raises(SignatureError, match="expired"):
        sign_pdf(invoice_pdf, signer(pki, "signer-expired"), SignRequest(Level.B_B), "inv.pdf")


def test_untrusted_without_root(pki, invoice_pdf: bytes) -> None:
    out = sign_pdf(invoice_pdf, signer(pki), SignRequest(Level.B_B), "inv.pdf")
    s = verify_pdf(out, "x.pdf", []).signatures[0]
    assert not s.trusted and "untrusted" in s.problems[0]


def test_wrong_passphrase_is_auth_error(pki) -> None:
    with pytest.raises(AuthError):
        load_pkcs12(pki.write_p12("signer", b"secret").read_bytes(), "s.p12", b"wrong")


def test_not_a_p12_is_input_error() -> None:
    with pytest.raises(InputError, match="not a PKCS#12"):
        load_pkcs12(b"garbage", "s.p12", b"x")


def test_pem_key_and_cert(pki, invoice_pdf: bytes, tmp_path) -> None:
    from cryptography.hazmat.primitives.serialization import (
        BestAvailableEncryption,
        Encoding,
        PrivateFormat,
        load_pem_private_key,
    )

    raw = (pki.dir / "signer.key.pem").read_bytes()
    enc = load_pem_private_key(raw, None).private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(b"pw")
    )
    cert = pki.write_cert("signer").read_bytes()
    chain = [pki.write_cert("interm").read_bytes()]
    with pytest.raises(AuthError):
        load_pem(enc, cert, chain, "k.pem", None)
    with pytest.raises(AuthError):
        load_pem(enc, cert, chain, "k.pem", b"nope")
    s = load_pem(enc, cert, chain, "k.pem", b"pw")
    assert verify_pdf(sign_pdf(invoice_pdf, s, SignRequest(Level.B_B), "i"), "x", [root(pki)]).ok


def test_b_t_without_tsa_is_usage_error(pki, invoice_pdf: bytes) -> None:
    with pytest.raises(UsageError, match="timestamp authority"):
        sign_pdf(invoice_pdf, signer(pki), SignRequest(Level.B_T), "inv.pdf")


def test_truncated_pdf(pki) -> None:
    with pytest.raises(InputError):
        sign_pdf(b"%PDF-1.7\n1 0 obj <<", signer(pki), SignRequest(Level.B_B), "t.pdf")


def test_test_cert_is_marked_and_ses(invoice_pdf: bytes) -> None:
    from asn1crypto import x509
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    p12 = make_test_p12("Essai", 30, b"pw")
    _, cert, _ = pkcs12.load_key_and_certificates(p12, b"pw")
    assert "NOT FOR PRODUCTION" in cert.subject.rfc4514_string()
    assert eidas_level(x509.Certificate.load(cert.public_bytes(Encoding.DER))) == "SES"
    signed = sign_pdf(invoice_pdf, load_pkcs12(p12, "t.p12", b"pw"), SignRequest(Level.B_B), "inv.pdf")
    s = verify_pdf(signed, "x", []).signatures[0]
    assert s.eidas_level == "SES" and s.intact and not s.trusted


def test_timestamp_content_type_known_whatever_the_import_order() -> None:
    """A CMS structure built before asn1crypto.tsp is imported must not leave `tst_info` unknown."""
    import subprocess
    import sys

    code = (
        "from asn1crypto import cms; cms.ContentType('data'); import fpcli.signing; "
        "print(cms.ContentType('tst_info').dotted)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1.2.840.113549.1.9.16.1.4"


def test_a_wrong_passphrase_is_an_auth_error_whatever_the_garbage_decrypts_to(pki) -> None:
    """With a wrong passphrase, PKCS#8 decryption usually fails its padding check, but about once in 256 the
    garbage passes it and the key data then fails to parse: both are 'wrong passphrase' (AuthError)."""
    from cryptography.hazmat.primitives.serialization import (
        BestAvailableEncryption,
        Encoding,
        PrivateFormat,
        load_pem_private_key,
    )

    raw = (pki.dir / "signer.key.pem").read_bytes()
    key = load_pem_private_key(raw, None)
    cert = pki.write_cert("signer").read_bytes()
    for i in range(300):
        enc = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(b"pw"))
        with pytest.raises(AuthError, match="wrong passphrase"):
            load_pem(enc, cert, [], "k.pem", f"wrong-{i}".encode())


def test_batch_workers_rebuild_the_signer_from_der(pki, invoice_pdf: bytes, tmp_path) -> None:
    """`sign --jobs N` hands each worker process the key material as DER (asn1crypto objects do not survive
    pickling once read): the rebuilt signer signs as the original, after `check_signer` read its dates."""
    import multiprocessing
    import pickle

    from fpcli.signing.batch import sign_batch
    from fpcli.signing.keys import signer_from_parts, signer_parts
    from fpcli.signing.sign import check_signer

    original = signer(pki)
    check_signer(original)
    parts = signer_parts(original)
    assert parts is not None
    rebuilt = signer_from_parts(*pickle.loads(pickle.dumps(parts)))
    assert rebuilt.signing_cert.dump() == original.signing_cert.dump()
    assert check_signer(rebuilt) == check_signer(original)
    assert signer_parts(object()) is None  # e.g. a PKCS#11 signer: the batch stays in one process
    for i in range(3):
        (tmp_path / f"in{i}.pdf").write_bytes(invoice_pdf)
    seen: list[str] = []
    inputs = [str(tmp_path / f"in{i}.pdf") for i in range(3)]
    before = len(multiprocessing.active_children())
    result = sign_batch(
        inputs,
        tmp_path / "out",
        original,
        SignRequest(Level.B_B),
        jobs=2,
        on_done=lambda i: seen.append(i.source),
    )
    assert result.exit_code == 0 and seen == inputs  # in input order
    assert len(multiprocessing.active_children()) == before  # workers joined
    for i in range(3):
        assert verify_pdf((tmp_path / "out" / f"in{i}.pdf").read_bytes(), "x.pdf", [root(pki)]).ok
