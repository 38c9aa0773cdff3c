"""Loading signing key material (PKCS#12, or PEM key + certificate + chain) into a pyHanko signer.

Errors are told apart on purpose: a file that is not key material is bad input (exit 3); a wrong or missing
passphrase is a credentials problem (exit 5). Passphrases are bytes handed in by the caller, never logged.
"""

from __future__ import annotations

from typing import Any

from fpcli.errors import AuthError, InputError

PASSPHRASE_ENV = "FPCLI_SIGN_PASSPHRASE"  # noqa: S105 (a variable name, not a secret)


def _asn1_cert(cert: Any) -> Any:
    from asn1crypto import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.Certificate.load(cert.public_bytes(Encoding.DER))


def _asn1_key(key: Any) -> Any:
    from asn1crypto import keys
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    return keys.PrivateKeyInfo.load(key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()))


def _load_certs(data: bytes, source: str) -> list[Any]:
    from cryptography import x509

    try:
        if b"-----BEGIN" in data:
            return list(x509.load_pem_x509_certificates(data))
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise InputError.at(source, None, "not an X.509 certificate (PEM or DER)") from None


def _signer(cert: Any, key: Any, chain: list[Any]) -> Any:
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return SimpleSigner(
        signing_cert=_asn1_cert(cert),
        signing_key=_asn1_key(key),
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [_asn1_cert(c) for c in chain]
        ),
    )


def signer_parts(signer: Any) -> tuple[bytes, bytes, tuple[bytes, ...]] | None:
    """A signer made by this module as DER (certificate, PKCS#8 key, chain), to rebuild it in a worker
    process (asn1crypto objects do not survive pickling once read); None for others (a PKCS#11 token)."""
    from pyhanko.sign.signers import SimpleSigner

    cert = getattr(signer, "signing_cert", None)
    if type(signer) is not SimpleSigner or cert is None or signer.signing_key is None:
        return None
    chain = tuple(c.dump() for c in signer.cert_registry)
    return cert.dump(), signer.signing_key.dump(), chain


def signer_from_parts(cert: bytes, key: bytes, chain: tuple[bytes, ...]) -> Any:
    from asn1crypto import keys, x509
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return SimpleSigner(
        signing_cert=x509.Certificate.load(cert),
        signing_key=keys.PrivateKeyInfo.load(key),
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [x509.Certificate.load(c) for c in chain]
        ),
    )


def load_pkcs12(data: bytes, source: str, passphrase: bytes | None, chain: list[bytes] | None = None) -> Any:
    from asn1crypto import pkcs12
    from cryptography.hazmat.primitives.serialization.pkcs12 import load_key_and_certificates

    try:
        pkcs12.Pfx.load(data)["auth_safe"].native  # noqa: B018 (structure check only)
    except Exception:  # asn1crypto raises several types on garbage
        raise InputError.at(source, None, "not a PKCS#12 (.p12/.pfx) file") from None
    try:
        key, cert, extra = load_key_and_certificates(data, passphrase)
    except ValueError:
        raise AuthError(
            f"{source}: wrong passphrase, or no passphrase given",
            hint=f"set {PASSPHRASE_ENV}, or run on a terminal to be asked for it",
        ) from None
    if key is None or cert is None:
        raise InputError.at(source, None, "PKCS#12 file holds no private key and certificate")
    others = list(extra or [])
    for i, c in enumerate(chain or []):
        others += _load_certs(c, f"chain #{i + 1}")
    return _signer(cert, key, others)


def _encrypted(key_data: bytes, loader: Any) -> bool:
    if b"ENCRYPTED" in key_data[:200]:  # "BEGIN ENCRYPTED PRIVATE KEY", or "Proc-Type: 4,ENCRYPTED"
        return True
    try:
        loader(key_data, None)
    except TypeError:  # "password was not given but private key is encrypted"
        return True
    except ValueError:
        return False
    return False


def load_pem(
    key_data: bytes, cert_data: bytes, chain: list[bytes], source: str, passphrase: bytes | None
) -> Any:
    from cryptography.hazmat.primitives.serialization import load_der_private_key, load_pem_private_key

    loader = load_pem_private_key if b"-----BEGIN" in key_data else load_der_private_key
    try:
        key = loader(key_data, passphrase)
    except TypeError:  # encrypted key without passphrase, or a passphrase for a plain key
        if passphrase is None:
            raise AuthError(
                f"{source}: the private key is encrypted and no passphrase was given",
                hint=f"set {PASSPHRASE_ENV}, or run on a terminal to be asked for it",
            ) from None
        key = loader(key_data, None)
    except ValueError as exc:
        # A wrong passphrase usually fails the padding check ("incorrect password"); about once in 256 the
        # padding of the garbage looks right and the key data then fails to parse: still a wrong passphrase
        # when the key is an encrypted one.
        if "password" in str(exc).lower() or "decrypt" in str(exc).lower() or _encrypted(key_data, loader):
            raise AuthError(f"{source}: wrong passphrase for the private key") from None
        raise InputError.at(source, None, "not a private key (PEM or DER)") from None
    certs = _load_certs(cert_data, "certificate")
    others = certs[1:]
    for i, c in enumerate(chain):
        others += _load_certs(c, f"chain #{i + 1}")
    return _signer(certs[0], key, others)


def load_trust_certs(data: bytes, source: str) -> list[Any]:
    """Trust anchors from a PEM file (one or more certificates), a DER certificate, or a PKCS#12 whose
    certificates are read (its key, if any, is ignored). As asn1crypto certificates."""
    try:
        certs = _load_certs(data, source)
    except InputError:
        certs = _p12_certs(data, source)
    if not certs:
        raise InputError.at(source, None, "no certificate in this file")
    return [_asn1_cert(c) for c in certs]


def _p12_certs(data: bytes, source: str) -> list[Any]:
    from asn1crypto import pkcs12
    from cryptography.hazmat.primitives.serialization.pkcs12 import load_pkcs12 as load_p12

    try:
        pkcs12.Pfx.load(data)["auth_safe"].native  # noqa: B018 (structure check only)
    except Exception:  # asn1crypto raises several types on garbage
        raise InputError.at(
            source, None, "not a certificate: expected PEM, DER or a PKCS#12 (.p12/.pfx) file"
        ) from None
    for password in (None, b""):  # certificates-only PKCS#12 files are often not protected
        try:
            loaded = load_p12(data, password)
        except ValueError:
            continue
        return ([loaded.cert.certificate] if loaded.cert else []) + [
            c.certificate for c in loaded.additional_certs
        ]
    raise InputError.at(
        source,
        None,
        "this PKCS#12 file is protected by a passphrase",
        hint="give the root certificate as PEM (`fpcli sign make-test-cert` writes one next to the .p12)",
    )
