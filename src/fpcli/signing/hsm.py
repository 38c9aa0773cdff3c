"""Signing keys on PKCS#11 tokens and HSMs (qualified certificates live there): a session opened with the PIN,
pyHanko's PKCS#11 signer over it, the session closed when signing is done.

Errors are told apart: a library that cannot be loaded or a token/key that is not there is bad input (exit 3);
a wrong or locked PIN is a credentials problem (exit 5). The PIN is handed in by the caller and never logged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fpcli.errors import AuthError, InputError


@dataclass(frozen=True)
class TokenSpec:
    library: str  # path to the PKCS#11 module (.so / .dll)
    token_label: str
    key_label: str
    cert: bytes | None = None  # the signer certificate, when the token does not hold it under the key's label
    chain: tuple[bytes, ...] = ()


@contextmanager
def pkcs11_signer(spec: TokenSpec, pin: bytes | None) -> Iterator[Any]:
    """Yield a pyHanko signer whose key stays on the token."""
    import pkcs11
    from pkcs11 import exceptions as p11
    from pyhanko.sign.pkcs11 import PKCS11Signer

    from fpcli.signing.keys import load_trust_certs

    where = f"PKCS#11 token `{spec.token_label}`"
    try:
        lib = pkcs11.lib(spec.library)
    except (RuntimeError, OSError) as exc:  # python-pkcs11 raises RuntimeError when dlopen fails
        raise InputError.at(spec.library, None, f"cannot load the PKCS#11 library ({exc})") from None
    try:
        token = lib.get_token(token_label=spec.token_label)
    except p11.NoSuchToken:
        raise InputError(
            f"{where}: no such token in `{spec.library}`",
            hint="list tokens with `p11tool --list-tokens` or `pkcs11-tool -L`",
        ) from None
    except p11.MultipleTokensReturned:
        raise InputError(f"{where}: several tokens carry this label") from None
    if pin is None:
        raise AuthError(
            f"{where}: no PIN given", hint="give it with `--pin-stdin` or `--pin-file`, or run on a terminal"
        )
    try:
        session = token.open(user_pin=pin.decode(), rw=False)
    except (p11.PinIncorrect, p11.PinInvalid, p11.PinLenRange):
        raise AuthError(f"{where}: wrong PIN") from None
    except p11.PinLocked:
        raise AuthError(f"{where}: the PIN is locked", hint="unlock the token with its SO PIN") from None
    try:
        try:
            session.get_key(object_class=pkcs11.ObjectClass.PRIVATE_KEY, label=spec.key_label)
        except (p11.NoSuchKey, p11.MultipleObjectsReturned) as exc:
            what = "no private key" if isinstance(exc, p11.NoSuchKey) else "several private keys"
            raise InputError(f"{where}: {what} labelled `{spec.key_label}`") from None
        certs = {}
        if spec.cert is not None:
            certs["signing_cert"] = load_trust_certs(spec.cert, "--cert")[0]
        chain = [c for blob in spec.chain for c in load_trust_certs(blob, "--chain")]
        signer = PKCS11Signer(session, key_label=spec.key_label, ca_chain=chain or None, **certs)
        try:
            signer.signing_cert  # noqa: B018 (fetches the certificate now, for a clear error)
        except Exception:  # pyHanko raises PKCS11Error or its own errors for a missing object
            raise InputError(
                f"{where}: no certificate labelled `{spec.key_label}`",
                hint="store it on the token, or give it with `--cert CERT.pem`",
            ) from None
        yield signer
    finally:
        session.close()
