"""HMAC signatures of webhook payloads, as AFNOR XP Z12-013 1.3.0 describes them (createWebhook):

    fingerprint = SHA-256(payload bytes + "@" + epoch seconds)
    signature   = base64(HMAC-SHA-256(signing key, fingerprint))
    headers     Afnor-Signature: <signature>, Afnor-Signature-Timestamp: <epoch seconds>

The text leaves two readings open: whether the HMAC is computed over the fingerprint's raw bytes or its hex
form, and whether the signing key is used as text or base64-decoded. `verify` accepts each reading (they
cannot collide); `sign` (fpcli's own `--notify`) uses the raw digest and the key as text.
`--notify` posts with the same scheme, so `fpcli pdp webhook verify` checks fpcli's notifications too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import time
from dataclasses import dataclass
from typing import Any

from fpcli.errors import SignatureError, UsageError
from fpcli.remote.http import Http

SIGNATURE_HEADER = "Afnor-Signature"
TIMESTAMP_HEADER = "Afnor-Signature-Timestamp"
NOTIFY_SECRET_ENV = "FPCLI_NOTIFY_SECRET"  # noqa: S105 (a variable name)
WEBHOOK_SECRET_ENV = "FPCLI_WEBHOOK_SECRET"  # noqa: S105


def _fingerprint(payload: bytes, timestamp: str) -> bytes:
    return hashlib.sha256(payload + b"@" + timestamp.encode()).digest()


def _keys(secret: str) -> list[bytes]:
    keys = [secret.encode()]
    try:
        decoded = base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) >= 16:
        keys.append(decoded)
    return keys


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), _fingerprint(payload, stamp), hashlib.sha256).digest()
    return {SIGNATURE_HEADER: base64.b64encode(mac).decode(), TIMESTAMP_HEADER: stamp}


@dataclass
class WebhookCheck:
    valid: bool
    age_seconds: float
    reading: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "valid": self.valid,
            "age_seconds": self.age_seconds,
            "reading": self.reading,
        }


def _signature_bytes(signature: str) -> bytes:
    """The HMAC as sent: base64 (AFNOR), URL-safe base64, or 64 hex digits, with or without a `sha256=`
    prefix (the variants PAs' webhook senders produce); anything else is not a signature."""
    text = signature.strip()
    if text.lower().startswith("sha256="):
        text = text[7:]
    if len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text):
        return bytes.fromhex(text)
    try:
        return base64.b64decode(text, altchars=b"-_" if ("-" in text or "_" in text) else None, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("the signature is neither base64 nor hexadecimal") from None


def verify(
    payload: bytes, signature: str, timestamp: str, secret: str, *, max_age: float, now: float | None = None
) -> WebhookCheck:
    """Raise SignatureError (exit 6) unless the signature matches and the timestamp is recent enough."""
    if not timestamp.strip().isdigit():
        raise UsageError(f"timestamp `{timestamp}` is not epoch seconds")
    if not math.isfinite(max_age) or max_age < 0:  # nan or inf would silently switch replay protection off
        raise UsageError(f"`--max-age {max_age}` must be a finite number of seconds")
    given = _signature_bytes(signature)
    fingerprint = _fingerprint(payload, timestamp.strip())
    readings = {"digest": fingerprint, "hex": fingerprint.hex().encode()}
    stamp = int(timestamp)
    # Epoch milliseconds (13 digits) from some PAs: the age is computed in seconds all the same.
    age = (time.time() if now is None else now) - (stamp / 1000 if stamp > 10**12 else stamp)
    for key_index, key in enumerate(_keys(secret)):
        for reading, message in readings.items():
            if hmac.compare_digest(hmac.new(key, message, hashlib.sha256).digest(), given):
                label = f"{reading} fingerprint, {'text' if key_index == 0 else 'base64-decoded'} key"
                if abs(age) > max_age:
                    raise SignatureError(
                        f"signature matches but the timestamp is {age:.0f} s old (limit {max_age:g} s): "
                        "a replay?"
                    )
                return WebhookCheck(True, age, label)
    raise SignatureError("webhook signature does not match the payload and secret")


def notify(http: Http, url: str, summary: dict[str, Any], secret: str) -> None:
    """POST an HMAC-signed JSON summary (idempotent for the receiver: it carries the same event id)."""
    payload = json.dumps(summary, ensure_ascii=False, sort_keys=True).encode()
    headers = {"Content-Type": "application/json", **sign(payload, secret)}
    http.request("POST", url, service="notify", idempotent=True, content=payload, headers=headers)


def _keep_id(target: Any, uid: str, add: bool) -> None:
    from fpcli.profiles import config

    if target.profile is None:
        return
    profiles = config.load()
    pa = config.get(profiles, target.profile).pa[target.name]
    pa.webhooks = [w for w in pa.webhooks if w != uid] + ([uid] if add else [])
    config.save(profiles)


def create_webhook(session: Any, params: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Create a webhook on the PA; with a profile its signing key goes to the secret store, which is
    checked before the webhook is created. Returns the PA's answer and where the key went (None: nowhere)."""
    from fpcli.profiles.secrets import pa_key

    target = session.target
    where = target.store.check() if target.profile is not None else None
    created: dict[str, Any] = session.flows.create_webhook(params)
    uid, key = str(created["webhookId"]), created.get("signingKey")
    if target.profile is not None and key:
        target.store.set(pa_key(target.profile, target.name, f"webhook/{uid}"), str(key))
        _keep_id(target, uid, add=True)
    return created, where if key else None


def delete_webhook(session: Any, uid: str) -> None:
    from fpcli.profiles.secrets import pa_key

    session.flows.delete_webhook(uid)
    target = session.target
    if target.profile is not None:
        target.store.delete(pa_key(target.profile, target.name, f"webhook/{uid}"))
        _keep_id(target, uid, add=False)


def webhook_secret(target: Any, uid: str | None) -> str | None:
    """The signing key: FPCLI_WEBHOOK_SECRET first, else the key kept when fpcli created webhook `uid`."""
    import os

    from fpcli.profiles.secrets import pa_key

    if value := os.environ.get(WEBHOOK_SECRET_ENV):
        return value
    if uid and target is not None and target.profile is not None:
        key: str | None = target.store.get(pa_key(target.profile, target.name, f"webhook/{uid}"))
        return key
    return None
