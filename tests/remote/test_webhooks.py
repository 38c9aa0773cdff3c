"""Webhook signature variants `verify` accepts (AFNOR base64 and the forms PAs' senders produce)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from fpcli.errors import SignatureError
from fpcli.remote.webhooks import _fingerprint, verify

PAYLOAD, SECRET, NOW = b'{"flowId": "abc"}', "k3y", 1_790_000_000


def mac(stamp: str) -> bytes:
    return hmac.new(SECRET.encode(), _fingerprint(PAYLOAD, stamp), hashlib.sha256).digest()


@pytest.mark.parametrize(
    ("encode", "stamp"),
    [
        (lambda m: base64.b64encode(m).decode(), str(NOW)),  # AFNOR: base64, epoch seconds
        (lambda m: m.hex(), str(NOW)),  # hexadecimal
        (lambda m: "sha256=" + m.hex(), str(NOW)),  # with the algorithm as prefix
        (lambda m: base64.urlsafe_b64encode(m).decode(), str(NOW)),  # URL-safe base64
        (lambda m: base64.b64encode(m).decode(), str(NOW * 1000 + 250)),  # epoch milliseconds
    ],
)
def test_signature_variants(encode, stamp: str) -> None:  # type: ignore[no-untyped-def]
    check = verify(PAYLOAD, encode(mac(stamp)), stamp, SECRET, max_age=300, now=NOW + 10)
    assert check.valid and 9 <= check.age_seconds <= 10


def test_a_variant_of_another_payload_or_old_timestamp_is_refused() -> None:
    stamp = str(NOW)
    with pytest.raises(SignatureError, match="does not match"):
        verify(b"{}", mac(stamp).hex(), stamp, SECRET, max_age=300, now=NOW)
    with pytest.raises(SignatureError, match="a replay"):
        verify(PAYLOAD, mac(str(NOW * 1000)).hex(), str(NOW * 1000), SECRET, max_age=300, now=NOW + 3600)
    with pytest.raises(SignatureError, match="neither base64 nor hexadecimal"):
        verify(PAYLOAD, "not a signature!", stamp, SECRET, max_age=300, now=NOW)
