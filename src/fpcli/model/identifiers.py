"""Checks of French and European identifiers, with python-stdnum. Raise ValueError with a clear reason."""

from __future__ import annotations

from stdnum import bic, iban
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren, siret, tva

SIRET_SCHEME = "0009"
SIREN_SCHEME = "0002"


def _run(check: object, value: str, what: str) -> None:
    try:
        check(value)  # type: ignore[operator]
    except ValidationError as exc:
        raise ValueError(f"`{value}` is not a valid {what}: {exc}") from None


def check_scheme_id(value: str, scheme: str | None) -> None:
    if scheme == SIRET_SCHEME:
        _run(siret.validate, value, "SIRET (scheme 0009)")
    elif scheme == SIREN_SCHEME:
        _run(siren.validate, value, "SIREN (scheme 0002)")


def compact(value: str, scheme: str | None) -> str:
    """SIRET/SIREN as people write them (`123 456 782 00010`, `123.456.782`) in the form the rules expect;
    unambiguous, so accepted (README: how to write each field)."""
    if scheme == SIRET_SCHEME:
        return str(siret.compact(value))
    if scheme == SIREN_SCHEME:
        return str(siren.compact(value))
    return value


def compact_vat(value: str) -> str:
    return str(eu_vat.compact(value)) if value[:2].lower() in eu_vat.MEMBER_STATES | {"fr"} else value


def check_vat(value: str) -> None:
    if value[:2].upper() == "FR":
        _run(tva.validate, value, "French VAT number")
    elif value[:2].lower() in eu_vat.MEMBER_STATES:
        _run(eu_vat.validate, value, "EU VAT number")


def check_iban(value: str) -> None:
    _run(iban.validate, value, "IBAN")


def check_bic(value: str) -> None:
    _run(bic.validate, value, "BIC")


def french_vat_from_siren(number: str) -> str:
    """FR + 2-digit key + SIREN, the key being (12 + 3 × (SIREN mod 97)) mod 97."""
    siren.validate(number)
    key = (12 + 3 * (int(number) % 97)) % 97
    return f"FR{key:02d}{number}"
