"""A self-signed certificate and key (PKCS#12) for trials, clearly marked as not for production."""

from __future__ import annotations

import datetime as dt

MARK = "TEST - NOT FOR PRODUCTION"


def make_test_p12(common_name: str, days: int, passphrase: bytes, now: dt.datetime | None = None) -> bytes:
    return make_test_identity(common_name, days, passphrase, now)[0]


def make_test_identity(
    common_name: str, days: int, passphrase: bytes, now: dt.datetime | None = None
) -> tuple[bytes, bytes]:
    """(PKCS#12 with key and certificate, the certificate as PEM for `sign verify --trust`)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, Encoding, pkcs12
    from cryptography.x509.oid import NameOID

    now = now or dt.datetime.now(dt.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{common_name} ({MARK})"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"fpcli {MARK}"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        common_name.encode(), key, cert, None, BestAvailableEncryption(passphrase)
    )
    return p12, cert.public_bytes(Encoding.PEM)
