"""`sign verify` per signature: revocation as it is (responders up, down, slow, refused, offline), several
signatures in order (fpcli and pyHanko), document timestamps, allowed and disallowed later changes, appended
bytes, encrypted files, trust anchors in several formats. Cross-checked with poppler's pdfsig."""

from __future__ import annotations

import io
import shutil
import subprocess

import pikepdf
import pytest

from fpcli.errors import InputError
from fpcli.signing.fetch import FetchPolicy, refusal
from fpcli.signing.keys import load_pkcs12, load_trust_certs
from fpcli.signing.sign import Level, SignRequest, sign_pdf
from fpcli.signing.verify import RevocationMode, VerifyOptions, verify_pdf
from tests.signing.test_signing import invoice_pdf, root, signer  # noqa: F401 (fixture)


def options(pki, mode: RevocationMode = RevocationMode.SOFT, **fetch) -> VerifyOptions:
    fetch.setdefault("allow_private", True)
    return VerifyOptions(tuple(load_trust_certs(root(pki), "root.pem")), mode, FetchPolicy(**fetch))


def pyhanko_sign(
    data: bytes, pki, label: str = "signer", *, pades: bool = True, field: str = "PyHanko"
) -> bytes:
    """A signature made by pyHanko itself (not through fpcli)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=fields.SigSeedSubFilter.PADES if pades else fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED,
    )
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data), strict=False), meta, signer=signer(pki, label)
    )
    return out.getvalue()


def doc_timestamp(data: bytes, pki) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers, timestamps

    stamper = signers.PdfTimeStamper(timestamps.HTTPTimeStamper(pki.tsa_url))
    out = stamper.timestamp_pdf(IncrementalPdfFileWriter(io.BytesIO(data), strict=False), "sha256")
    return out.getvalue()


@pytest.fixture(scope="module")
def revoked_b_b(pki, invoice_pdf: bytes) -> bytes:  # noqa: F811
    return sign_pdf(invoice_pdf, signer(pki, "signer-revoked"), SignRequest(Level.B_B), "inv.pdf")


# ---------------------------------------------------------------------------------------------------
# revocation, said as it is


def test_revoked_signer_with_responders_up_is_revoked(pki, revoked_b_b: bytes) -> None:
    s = verify_pdf(revoked_b_b, "x.pdf", options(pki)).signatures[0]
    assert s.revocation.status == "revoked" and "2021-01-01" in s.revocation.detail
    assert s.verdict == "invalid" and any("revoked" in p for p in s.problems)


def test_revoked_signer_with_responders_down_is_unknown_never_good(pki, revoked_b_b: bytes) -> None:
    with pki.revocation_services("down"):
        soft = verify_pdf(revoked_b_b, "x.pdf", options(pki)).signatures[0]
        hard = verify_pdf(revoked_b_b, "x.pdf", options(pki, RevocationMode.HARD)).signatures[0]
    assert soft.revocation.status == "unknown" and "HTTP 503" in soft.revocation.detail
    assert soft.verdict == "valid-with-warnings"
    assert any(w.startswith("revocation not checked") for w in soft.warnings)
    assert hard.verdict == "invalid" and any(p.startswith("revocation not checked") for p in hard.problems)


def test_slow_responder_is_unknown_within_the_timeout(pki, revoked_b_b: bytes) -> None:
    import time

    pki.switch.delay = 2.0
    start = time.monotonic()
    with pki.revocation_services("slow"):
        result = verify_pdf(revoked_b_b, "x.pdf", options(pki, timeout=0.3, budget=1.5))
    assert time.monotonic() - start < 6
    s = result.signatures[0]
    assert s.revocation.status == "unknown" and "no answer within" in s.revocation.detail
    assert result.unchecked


def test_loopback_fetch_refused_without_permission(pki, revoked_b_b: bytes) -> None:
    result = verify_pdf(revoked_b_b, "x.pdf", options(pki, allow_private=False))
    s = result.signatures[0]
    assert s.revocation.status == "unknown" and "--allow-private-fetch" in s.revocation.detail
    assert all("127.0.0.1" in u for u in result.unchecked)


def test_fetch_policy_refusals() -> None:
    assert "http(s)" in (refusal("file:///etc/passwd", True) or "")
    assert "http(s)" in (refusal("ldap://example.org/cn=x", True) or "")
    assert "loopback" in (refusal("http://127.0.0.1:9/ocsp", False) or "")
    assert "private" in (refusal("http://10.1.2.3/crl", False) or "")
    assert "private" in (refusal("http://169.254.169.254/latest", False) or "")
    assert refusal("http://127.0.0.1:9/ocsp", True) is None


def test_offline_uses_embedded_material_only(pki, invoice_pdf: bytes) -> None:  # noqa: F811
    req = SignRequest(Level.B_LT, pki.tsa_url, trust_roots=(root(pki),))
    b_lt = sign_pdf(invoice_pdf, signer(pki), req, "inv.pdf")
    b_t = sign_pdf(invoice_pdf, signer(pki), SignRequest(Level.B_T, pki.tsa_url), "inv.pdf")
    with pki.revocation_services("down"):  # proves nothing is fetched
        lt = verify_pdf(b_lt, "lt.pdf", options(pki, offline=True))
        t = verify_pdf(b_t, "t.pdf", options(pki, offline=True))
    assert lt.signatures[0].revocation.status == "good" and "embedded" in lt.signatures[0].revocation.detail
    assert lt.offline and lt.to_dict()["offline"] is True
    assert t.signatures[0].revocation.status == "unknown" and "--offline" in t.signatures[0].revocation.detail


def test_test_certificate_flagged(invoice_pdf: bytes) -> None:  # noqa: F811
    from fpcli.signing.sign import check_signer
    from fpcli.signing.testcert import make_test_p12

    s = load_pkcs12(make_test_p12("Essai", 30, b"pw"), "t.p12", b"pw")
    assert "TEST certificate" in check_signer(s)[0]
    result = verify_pdf(sign_pdf(invoice_pdf, s, SignRequest(Level.B_B), "i"), "x", VerifyOptions())
    assert result.signatures[0].test_certificate
    assert any("TEST certificate" in w for w in result.signatures[0].warnings)


# ---------------------------------------------------------------------------------------------------
# several signatures, each on its own


def test_fpcli_then_fpcli(pki, invoice_pdf: bytes) -> None:  # noqa: F811
    once = sign_pdf(invoice_pdf, signer(pki), SignRequest(Level.B_T, pki.tsa_url), "inv.pdf")
    twice = sign_pdf(once, signer(pki), SignRequest(Level.B_B), "once.pdf")
    first, second = verify_pdf(twice, "x.pdf", options(pki)).signatures
    assert (first.index, first.field_name, second.field_name) == (1, "Signature1", "Signature2")
    assert first.coverage == "followed by 1 allowed update" and first.verdict == "valid"
    assert (first.pades_level, second.pades_level) == ("B-T", "B-B")  # each its own level
    assert second.coverage == "whole file" and second.verdict == "valid"


def test_fpcli_then_pyhanko_pkcs7_is_not_pades(pki, invoice_pdf: bytes) -> None:  # noqa: F811
    once = sign_pdf(invoice_pdf, signer(pki), SignRequest(Level.B_B), "inv.pdf")
    both = pyhanko_sign(once, pki, pades=False)
    first, second = verify_pdf(both, "x.pdf", options(pki)).signatures
    assert first.verdict == "valid" and first.later_updates == 1
    assert second.pades_level == "not PAdES (adbe.pkcs7.detached)" and second.ok
    assert second.verdict == "valid-with-warnings"


def test_pyhanko_then_fpcli(pki, invoice_pdf: bytes) -> None:  # noqa: F811
    both = sign_pdf(pyhanko_sign(invoice_pdf, pki), signer(pki), SignRequest(Level.B_B), "p.pdf")
    first, second = verify_pdf(both, "x.pdf", options(pki)).signatures
    assert (first.field_name, second.field_name) == ("PyHanko", "Signature1")
    assert first.pades_level == "B-B" and first.ok and second.ok


def test_b_lt_plus_document_timestamp_is_b_lta(pki, invoice_pdf: bytes) -> None:  # noqa: F811
    req = SignRequest(Level.B_LT, pki.tsa_url, trust_roots=(root(pki),))
    lta = doc_timestamp(sign_pdf(invoice_pdf, signer(pki), req, "inv.pdf"), pki)
    sig, ts = verify_pdf(lta, "x.pdf", options(pki)).signatures
    assert sig.pades_level == "B-LTA" and sig.verdict == "valid" and sig.later_updates == 2
    assert ts.kind == "document timestamp" and ts.ok and ts.coverage == "whole file"


def test_disallowed_change_after_signing_is_invalid(pki, invoice_pdf: bytes) -> None:  # noqa: F811
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signed = sign_pdf(invoice_pdf, signer(pki), SignRequest(Level.B_B), "inv.pdf")
    w = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    page = w.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = w.add_object(generic.StreamObject(stream_data=b"BT /F1 12 Tf (PAID) Tj ET"))
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    s = verify_pdf(out.getvalue(), "x.pdf", options(pki)).signatures[0]
    assert s.intact and s.coverage == "modified" and s.verdict == "invalid"
    assert any("changed after signing" in p for p in s.problems)


def test_bytes_appended_after_signing_is_not_a_plain_valid(pki, invoice_pdf: bytes) -> None:  # noqa: F811
    signed = sign_pdf(invoice_pdf, signer(pki), SignRequest(Level.B_B), "inv.pdf")
    s = verify_pdf(signed + b"\n<</Hidden (payload)>>\n", "x.pdf", options(pki)).signatures[0]
    assert s.verdict == "valid-with-warnings" and s.coverage == "followed by bytes outside any revision"
    assert any("21 bytes after the end" in w for w in s.warnings)


# ---------------------------------------------------------------------------------------------------
# opening and trust anchors


def test_encrypted_with_empty_user_password_opens_others_refused(pki, invoice_pdf: bytes) -> None:  # noqa: F811
    def encrypted(user: str) -> bytes:
        buf = io.BytesIO()
        with pikepdf.open(io.BytesIO(invoice_pdf)) as pdf:
            pdf.save(buf, encryption=pikepdf.Encryption(user=user, owner="owner-pw"))
        return buf.getvalue()

    with pytest.raises(InputError, match="carries no signature"):  # opened and read: no signature in it
        verify_pdf(encrypted(""), "e.pdf")
    with pytest.raises(InputError, match="encrypted with a password"):
        verify_pdf(encrypted("user-pw"), "p.pdf")
    # a signed file encrypted with an empty user password (pdfsig and pyHanko open it): verified, not "unreadable"
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(encrypted("")), strict=False)
    writer.encrypt("")
    meta = signers.PdfSignatureMetadata(field_name="S", subfilter=fields.SigSeedSubFilter.PADES)
    signed = signers.sign_pdf(writer, meta, signer=signer(pki)).getvalue()
    s = verify_pdf(signed, "es.pdf", options(pki)).signatures[0]
    assert s.intact and s.valid and s.verdict == "valid"


def test_trust_anchor_formats(pki, tmp_path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, pkcs12

    pem = root(pki)
    cert = x509.load_pem_x509_certificate(pem)
    der = cert.public_bytes(Encoding.DER)
    certs_only = pkcs12.serialize_java_truststore([pkcs12.PKCS12Certificate(cert, b"root")], NoEncryption())
    expected = load_trust_certs(pem, "r.pem")[0].sha256
    assert load_trust_certs(der, "r.der")[0].sha256 == expected
    assert load_trust_certs(certs_only, "r.p12")[0].sha256 == expected
    with pytest.raises(InputError, match="protected by a passphrase"):
        load_trust_certs(pki.write_p12("signer", b"x").read_bytes(), "s.p12")
    with pytest.raises(InputError, match="not a certificate"):
        load_trust_certs(b"hello", "x.txt")


# ---------------------------------------------------------------------------------------------------
# cross-check with poppler's pdfsig


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="pdfsig (poppler-utils) not installed")
def test_pdfsig_agrees_on_two_signatures_and_on_tampering(pki, invoice_pdf: bytes, tmp_path) -> None:  # noqa: F811
    twice = sign_pdf(
        sign_pdf(invoice_pdf, signer(pki), SignRequest(Level.B_T, pki.tsa_url), "i"),
        signer(pki),
        SignRequest(Level.B_B),
        "o",
    )
    path = tmp_path / "twice.pdf"
    path.write_bytes(twice)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 2
    assert verify_pdf(twice, "x", options(pki)).ok
    bad = bytearray(twice)
    bad[bad.find(b"FA-2026-0042")] ^= 1
    path.write_bytes(bytes(bad))
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid." not in out
    assert not any(s.ok for s in verify_pdf(bytes(bad), "x", options(pki)).signatures)
