"""Factur-X / CII profiles and their guideline identifiers (BT-24)."""

from __future__ import annotations

from enum import StrEnum

from fpcli.errors import UsageError


class Profile(StrEnum):
    MINIMUM = "minimum"
    BASIC_WL = "basicwl"
    BASIC = "basic"
    EN16931 = "en16931"
    EXTENDED = "extended"
    EXTENDED_CTC_FR = "extended-ctc-fr"

    @property
    def guideline_id(self) -> str:
        return GUIDELINE_IDS[self]

    @property
    def label(self) -> str:
        """The name used in the Factur-X XMP ConformanceLevel."""
        return {
            Profile.MINIMUM: "MINIMUM",
            Profile.BASIC_WL: "BASIC WL",
            Profile.BASIC: "BASIC",
            Profile.EN16931: "EN 16931",
            Profile.EXTENDED: "EXTENDED",
            Profile.EXTENDED_CTC_FR: "EXTENDED",
        }[self]

    @property
    def rank(self) -> int:
        return list(Profile).index(self)

    def at_least(self, other: Profile) -> bool:
        return self.rank >= other.rank

    @classmethod
    def parse(cls, text: str) -> Profile:
        key = text.strip().lower().replace(" ", "").replace("_", "")
        aliases = {
            "minimum": cls.MINIMUM,
            "basicwl": cls.BASIC_WL,
            "basic-wl": cls.BASIC_WL,
            "basic": cls.BASIC,
            "en16931": cls.EN16931,
            "comfort": cls.EN16931,
            "extended": cls.EXTENDED,
            "extended-ctc-fr": cls.EXTENDED_CTC_FR,
            "extendedctcfr": cls.EXTENDED_CTC_FR,
        }
        if key not in aliases:
            names = ", ".join(p.value for p in cls)
            raise UsageError(f"unknown profile `{text}`", hint=f"use one of: {names}")
        return aliases[key]


GUIDELINE_IDS: dict[Profile, str] = {
    Profile.MINIMUM: "urn:factur-x.eu:1p0:minimum",
    Profile.BASIC_WL: "urn:factur-x.eu:1p0:basicwl",
    Profile.BASIC: "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
    Profile.EN16931: "urn:cen.eu:en16931:2017",
    Profile.EXTENDED: "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
    Profile.EXTENDED_CTC_FR: "urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr",
}


def profile_from_guideline(guideline: str) -> Profile | None:
    """Map a BT-24 value (Factur-X, ZUGFeRD 2.x, XRechnung…) to the closest Factur-X profile, or None."""
    g = guideline.strip()
    for profile, gid in GUIDELINE_IDS.items():
        if g == gid:
            return profile
    low = g.lower()
    if "extended-ctc-fr" in low:
        return Profile.EXTENDED_CTC_FR
    if "extended" in low:
        return Profile.EXTENDED
    if "basicwl" in low:
        return Profile.BASIC_WL
    if "basic" in low:
        return Profile.BASIC
    if "minimum" in low:
        return Profile.MINIMUM
    if low.startswith("urn:cen.eu:en16931:2017"):
        return Profile.EN16931
    return None
