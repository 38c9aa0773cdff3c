"""XMP properties against the predefined schemas and the PDF/A extension schemas (ISO 19005-2/3 6.6.2.3).

PDF/A allows in the XMP only properties of the schemas the XMP Specification (2005) predefines, of the PDF/A
identification schema, and of extension schemas the file itself describes in `pdfaExtension:schemas`; each
value must have its schema's value type (veraPDF rules 6.6.2.3.1-1 and -2). The tables below are fpcli's
transcription of the XMP Specification 2005, part 2 (property names and value types).

Value types are strings as the XMP Specification writes them: `Text`, `Integer`, `Bag ProperName`,
`Lang Alt`, `Seq ResourceEvent`… A struct type maps to its field namespace and field types.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_XML = "http://www.w3.org/XML/1998/namespace"
NS_EXIF = "http://ns.adobe.com/exif/1.0/"
NS_DM = "http://ns.adobe.com/xmp/1.0/DynamicMedia/"
NS_EXT = "http://www.aiim.org/pdfa/ns/extension/"
NS_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
NS_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
NS_TYPE = "http://www.aiim.org/pdfa/ns/type#"
NS_FIELD = "http://www.aiim.org/pdfa/ns/field#"


def _table(spec: str) -> dict[str, str]:
    """'Name Type; Name2 Bag Type' -> {name: type}."""
    out = {}
    for item in spec.split(";"):
        name, _, typ = item.strip().partition(" ")
        out[name] = typ.strip()
    return out


# Structure value types: name -> (field namespace, {field: type})
STRUCTS: dict[str, tuple[str, dict[str, str]]] = {
    "Dimensions": ("http://ns.adobe.com/xap/1.0/sType/Dimensions#", _table("w Real; h Real; unit Text")),
    "Thumbnail": (
        "http://ns.adobe.com/xap/1.0/g/img/",
        _table("height Integer; width Integer; format Text; image Text"),
    ),
    "ResourceEvent": (
        "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#",
        _table("action Text; instanceID URI; parameters Text; softwareAgent AgentName; when Date"),
    ),
    "ResourceRef": (
        "http://ns.adobe.com/xap/1.0/sType/ResourceRef#",
        _table(
            "instanceID URI; documentID URI; versionID Text; renditionClass RenditionClass; "
            "renditionParams Text; manager AgentName; managerVariant Text; manageTo URI; manageUI URI"
        ),
    ),
    "Version": (
        "http://ns.adobe.com/xap/1.0/sType/Version#",
        _table("comments Text; event ResourceEvent; modifyDate Date; modifier ProperName; version Text"),
    ),
    "Job": ("http://ns.adobe.com/xap/1.0/sType/Job#", _table("name Text; id Text; url URL")),
    "Font": (
        "http://ns.adobe.com/xap/1.0/sType/Font#",
        _table(
            "fontName Text; fontFamily Text; fontFace Text; fontType Text; versionString Text; "
            "composite Boolean; fontFileName Text; childFontFiles Seq Text"
        ),
    ),
    "Colorant": (
        "http://ns.adobe.com/xap/1.0/g/",
        _table(
            "swatchName Text; mode Text; type Text; cyan Real; magenta Real; yellow Real; black Real; "
            "red Integer; green Integer; blue Integer; L Real; A Integer; B Integer"
        ),
    ),
    "Flash": (
        NS_EXIF,
        _table("Fired Boolean; Return Integer; Mode Integer; Function Boolean; RedEyeMode Boolean"),
    ),
    "OECF/SFR": (NS_EXIF, _table("Columns Integer; Rows Integer; Names Seq Text; Values Seq Rational")),
    "CFAPattern": (NS_EXIF, _table("Columns Integer; Rows Integer; Values Seq Integer")),
    "DeviceSettings": (NS_EXIF, _table("Columns Integer; Rows Integer; Settings Seq Text")),
    "Time": (NS_DM, _table("scale Rational; value Integer")),
    "Timecode": (NS_DM, _table("timeFormat Text; timeValue Text")),
    "ProjectLink": (NS_DM, _table("path URI; type Text")),
    "Media": (
        NS_DM,
        _table("path URI; track Text; startTime Time; duration Time; managed Boolean; webStatement URI"),
    ),
    "Marker": (
        NS_DM,
        _table(
            "startTime Time; duration Time; comment Text; name Text; location URI; target Text; type Text"
        ),
    ),
    "beatSpliceStretch": (
        NS_DM,
        _table("useFileBeatsMarker Boolean; riseInDecibel Real; riseInTimeDuration Time"),
    ),
    "resampleStretch": (NS_DM, _table("quality Text")),
    "timeScaleStretch": (NS_DM, _table("quality Text; frameSize Real; frameOverlappingPercentage Real")),
}

PREDEFINED: dict[str, dict[str, str]] = {
    "http://purl.org/dc/elements/1.1/": _table(
        "contributor Bag ProperName; coverage Text; creator Seq ProperName; date Seq Date; "
        "description Lang Alt; format MIMEType; identifier Text; language Bag Locale; "
        "publisher Bag ProperName; relation Bag Text; rights Lang Alt; source Text; subject Bag Text; "
        "title Lang Alt; type Bag Text"
    ),
    "http://ns.adobe.com/xap/1.0/": _table(
        "Advisory Bag XPath; BaseURL URL; CreateDate Date; CreatorTool AgentName; Identifier Bag Text; "
        "Label Text; MetadataDate Date; ModifyDate Date; Nickname Text; Rating Real; "
        "Thumbnails Alt Thumbnail"
    ),
    "http://ns.adobe.com/xap/1.0/rights/": _table(
        "Certificate URL; Marked Boolean; Owner Bag ProperName; UsageTerms Lang Alt; WebStatement URL"
    ),
    "http://ns.adobe.com/xap/1.0/mm/": _table(
        "DerivedFrom ResourceRef; DocumentID URI; History Seq ResourceEvent; InstanceID URI; "
        "ManagedFrom ResourceRef; Manager AgentName; ManageTo URI; ManageUI URI; ManagerVariant Text; "
        "RenditionClass RenditionClass; RenditionParams Text; VersionID Text; Versions Seq Version; "
        "LastURL URL; RenditionOf ResourceRef; SaveID Integer"
    ),
    "http://ns.adobe.com/xap/1.0/bj/": _table("JobRef Bag Job"),
    "http://ns.adobe.com/xap/1.0/t/pg/": _table(
        "MaxPageSize Dimensions; NPages Integer; Fonts Bag Font; Colorants Seq Colorant; PlateNames Seq Text"
    ),
    NS_DM: _table(
        "absPeakAudioFilePath URI; album Text; altTapeName Text; altTimecode Timecode; artist Text; "
        "audioModDate Date; audioSampleRate Integer; audioSampleType Text; audioChannelType Text; "
        "audioCompressor Text; beatSpliceParams beatSpliceStretch; composer Text; "
        "contributedMedia Bag Media; copyright Text; duration Time; engineer Text; fileDataRate Rational; "
        "genre Text; instrument Text; introTime Time; key Text; logComment Text; loop Boolean; "
        "numberOfBeats Real; markers Seq Marker; metadataModDate Date; outCue Time; "
        "projectRef ProjectLink; pullDown Text; relativePeakAudioFilePath URI; relativeTimestamp Time; "
        "releaseDate Date; resampleParams resampleStretch; scaleType Text; scene Text; shotDate Date; "
        "shotLocation Text; shotName Text; speakerPlacement Text; startTimecode Timecode; "
        "stretchMode Text; tapeName Text; tempo Real; timeScaleParams timeScaleStretch; "
        "timeSignature Text; trackNumber Integer; videoAlphaMode Text; "
        "videoAlphaPremultipleColor Colorant; videoAlphaUnityIsTransparent Boolean; "
        "videoColorSpace Text; videoCompressor Text; videoFieldOrder Text; videoFrameRate Text; "
        "videoFrameSize Dimensions; videoModDate Date; videoPixelAspectRatio Rational; "
        "videoPixelDepth Text"
    ),
    "http://ns.adobe.com/pdf/1.3/": _table("Keywords Text; PDFVersion Text; Producer AgentName"),
    "http://ns.adobe.com/photoshop/1.0/": _table(
        "AuthorsPosition Text; CaptionWriter ProperName; Category Text; City Text; Country Text; "
        "Credit Text; DateCreated Date; Headline Text; Instructions Text; Source Text; State Text; "
        "SupplementalCategories Bag Text; TransmissionReference Text; Urgency Integer"
    ),
    "http://ns.adobe.com/camera-raw-settings/1.0/": _table(
        "AutoBrightness Boolean; AutoContrast Boolean; AutoExposure Boolean; AutoShadows Boolean; "
        "BlueHue Integer; BlueSaturation Integer; Brightness Integer; CameraProfile Text; "
        "ChromaticAberrationB Integer; ChromaticAberrationR Integer; ColorNoiseReduction Integer; "
        "Contrast Integer; CropTop Real; CropLeft Real; CropBottom Real; CropRight Real; CropAngle Real; "
        "CropWidth Real; CropHeight Real; CropUnits Integer; Exposure Real; GreenHue Integer; "
        "GreenSaturation Integer; HasCrop Boolean; HasSettings Boolean; LuminanceSmoothing Integer; "
        "RawFileName Text; RedHue Integer; RedSaturation Integer; Saturation Integer; Shadows Integer; "
        "ShadowTint Integer; Sharpness Integer; Temperature Integer; Tint Integer; ToneCurve Seq Text; "
        "ToneCurveName Text; Version Text; VignetteAmount Integer; VignetteMidpoint Integer; "
        "WhiteBalance Text"
    ),
    "http://ns.adobe.com/tiff/1.0/": _table(
        "ImageWidth Integer; ImageLength Integer; BitsPerSample Seq Integer; Compression Integer; "
        "PhotometricInterpretation Integer; Orientation Integer; SamplesPerPixel Integer; "
        "PlanarConfiguration Integer; YCbCrSubSampling Seq Integer; YCbCrPositioning Integer; "
        "XResolution Rational; YResolution Rational; ResolutionUnit Integer; TransferFunction Seq Integer; "
        "WhitePoint Seq Rational; PrimaryChromaticities Seq Rational; YCbCrCoefficients Seq Rational; "
        "ReferenceBlackWhite Seq Rational; DateTime Date; ImageDescription Lang Alt; Make ProperName; "
        "Model ProperName; Software AgentName; Artist ProperName; Copyright Lang Alt"
    ),
    NS_EXIF: _table(
        "ExifVersion Text; FlashpixVersion Text; ColorSpace Integer; ComponentsConfiguration Seq Integer; "
        "CompressedBitsPerPixel Rational; PixelXDimension Integer; PixelYDimension Integer; "
        "UserComment Lang Alt; RelatedSoundFile Text; DateTimeOriginal Date; DateTimeDigitized Date; "
        "ExposureTime Rational; FNumber Rational; ExposureProgram Integer; SpectralSensitivity Text; "
        "ISOSpeedRatings Seq Integer; OECF OECF/SFR; ShutterSpeedValue Rational; ApertureValue Rational; "
        "BrightnessValue Rational; ExposureBiasValue Rational; MaxApertureValue Rational; "
        "SubjectDistance Rational; MeteringMode Integer; LightSource Integer; Flash Flash; "
        "FocalLength Rational; SubjectArea Seq Integer; FlashEnergy Rational; "
        "SpatialFrequencyResponse OECF/SFR; FocalPlaneXResolution Rational; "
        "FocalPlaneYResolution Rational; FocalPlaneResolutionUnit Integer; SubjectLocation Seq Integer; "
        "ExposureIndex Rational; SensingMethod Integer; FileSource Integer; SceneType Integer; "
        "CFAPattern CFAPattern; CustomRendered Integer; ExposureMode Integer; WhiteBalance Integer; "
        "DigitalZoomRatio Rational; FocalLengthIn35mmFilm Integer; SceneCaptureType Integer; "
        "GainControl Integer; Contrast Integer; Saturation Integer; Sharpness Integer; "
        "DeviceSettingDescription DeviceSettings; SubjectDistanceRange Integer; ImageUniqueID Text; "
        "GPSVersionID Text; GPSLatitude GPSCoordinate; GPSLongitude GPSCoordinate; GPSAltitudeRef Integer; "
        "GPSAltitude Rational; GPSTimeStamp Date; GPSSatellites Text; GPSStatus Text; "
        "GPSMeasureMode Text; GPSDOP Rational; GPSSpeedRef Text; GPSSpeed Rational; GPSTrackRef Text; "
        "GPSTrack Rational; GPSImgDirectionRef Text; GPSImgDirection Rational; GPSMapDatum Text; "
        "GPSDestLatitude GPSCoordinate; GPSDestLongitude GPSCoordinate; GPSDestBearingRef Text; "
        "GPSDestBearing Rational; GPSDestDistanceRef Text; GPSDestDistance Rational; "
        "GPSProcessingMethod Text; GPSAreaInformation Text; GPSDifferential Integer"
    ),
    "http://ns.adobe.com/exif/1.0/aux/": _table("Lens Text; SerialNumber Text"),
    "http://www.aiim.org/pdfa/ns/id/": _table("part Integer; conformance Text; amd Text; corr Text"),
}
# The extension schema container and its parts are checked by the 6.6.2.3.3 rules, not as properties.
CONTAINER_NAMESPACES = frozenset({NS_EXT, NS_SCHEMA, NS_PROPERTY, NS_TYPE, NS_FIELD})

SIMPLE_TYPES = frozenset(
    {
        "Text", "ProperName", "AgentName", "MIMEType", "Locale", "RenditionClass", "GUID", "URI", "URL",
        "XPath", "Real", "Integer", "Boolean", "Date", "Rational", "GPSCoordinate", "Lang Alt",
        "Choice", "Open Choice", "Closed Choice",
    }
)  # fmt: skip

_INTEGER = re.compile(r"^[+-]?\d+$")
_REAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
_RATIONAL = re.compile(r"^[+-]?\d+/[+-]?\d+$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$")
_GPS = re.compile(r"^\d{1,3},\d{1,2}(,\d{1,2}|\.\d+)[NSEW]$")
_PATTERNS = {"Integer": _INTEGER, "Real": _REAL, "Rational": _RATIONAL, "Date": _DATE, "GPSCoordinate": _GPS}


@dataclass
class ExtensionSchemas:
    """What `pdfaExtension:schemas` defines: property types per namespace and struct types by name."""

    properties: dict[str, dict[str, str]] = field(default_factory=dict)
    structs: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)


@dataclass
class PropertyProblem:
    rule: str  # "1": not defined; "2": wrong value type
    name: str
    message: str


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def _text(el: etree._Element | None) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def _struct_fields(el: etree._Element) -> list[tuple[str, str, etree._Element | str]]:
    """The (namespace, local name, value) fields of a struct node in any RDF form."""
    fields: list[tuple[str, str, etree._Element | str]] = []
    nodes = [el]
    inner = el.find(_q(NS_RDF, "Description"))
    if inner is not None and el.get(_q(NS_RDF, "parseType")) != "Resource":
        nodes = [inner]
    for node in nodes:
        for name, value in node.attrib.items():
            qn = etree.QName(name)
            if qn.namespace not in (NS_RDF, NS_XML):
                fields.append((qn.namespace or "", qn.localname, value))
        for child in node:
            if isinstance(child.tag, str):
                qn = etree.QName(child)
                if qn.namespace != NS_RDF:
                    fields.append((qn.namespace or "", qn.localname, child))
    return fields


def _shape(value: etree._Element | str) -> str:
    """simple, struct, Seq, Bag or Alt."""
    if isinstance(value, str):
        return "simple"
    if value.get(_q(NS_RDF, "parseType")) == "Resource":
        return "struct"
    children = [c for c in value if isinstance(c.tag, str)]
    if len(children) == 1:
        qn = etree.QName(children[0])
        if qn.namespace == NS_RDF and qn.localname in {"Seq", "Bag", "Alt"}:
            return str(qn.localname)
        if qn.namespace == NS_RDF and qn.localname == "Description":
            return "struct"
    if children:
        return "struct"
    attrs = [a for a in value.attrib if etree.QName(a).namespace not in (NS_RDF, NS_XML)]
    return "struct" if attrs else "simple"


def _qualified_value(value: etree._Element | str) -> etree._Element | None:
    if isinstance(value, str):
        return None
    for node in (value, value.find(_q(NS_RDF, "Description"))):
        if node is not None and node.find(_q(NS_RDF, "value")) is not None:
            return node.find(_q(NS_RDF, "value"))
    return None


def _simple_value(value: etree._Element | str) -> str:
    if isinstance(value, str):
        return value.strip()
    resource = value.get(_q(NS_RDF, "resource"))
    return resource.strip() if resource is not None else _text(value)


class TypeChecker:
    def __init__(self, ext: ExtensionSchemas) -> None:
        self.ext = ext

    def struct(self, typ: str) -> tuple[str, dict[str, str]] | None:
        return self.ext.structs.get(typ) or STRUCTS.get(typ)

    def known(self, typ: str) -> bool:
        typ = typ.strip()
        for prefix in ("Bag ", "Seq ", "Alt "):
            if typ.startswith(prefix):
                return self.known(typ[len(prefix) :])
        return typ in SIMPLE_TYPES or self.struct(typ) is not None

    def check(self, value: etree._Element | str, typ: str, depth: int = 0) -> str | None:
        """None when `value` has type `typ`, else why not."""
        typ = typ.strip()
        shape = _shape(value)
        if depth > 16:
            return None
        if typ == "Lang Alt":
            if shape != "Alt":
                return f"is not a language alternative (Lang Alt) but {shape}"
            assert not isinstance(value, str)
            items = value[0].findall(_q(NS_RDF, "li"))
            if any(li.get(_q(NS_XML, "lang")) is None for li in items):
                return "has a Lang Alt item without xml:lang"
            return None
        for kind in ("Bag", "Seq", "Alt"):
            if typ.startswith(kind + " "):
                if shape != kind:
                    return f"is {shape}, not an array of type {typ}"
                assert not isinstance(value, str)
                for li in value[0].findall(_q(NS_RDF, "li")):
                    why = self.check(li, typ[len(kind) + 1 :], depth + 1)
                    if why:
                        return f"item {why}"
                return None
        struct = self.struct(typ)
        if struct is not None:
            if shape != "struct":
                return f"is {shape}, not a {typ} structure"
            assert not isinstance(value, str)
            ns, fields = struct
            for fns, name, fvalue in _struct_fields(value):
                if fns != ns or name not in fields:
                    return f"has field {name} that {typ} does not define"
                why = self.check(fvalue, fields[name], depth + 1)
                if why:
                    return f"field {name} {why}"
            return None
        if shape != "simple":
            qualified = _qualified_value(value)
            if qualified is not None:  # a simple value with qualifiers (rdf:value + e.g. xmpidq:Scheme)
                return self.check(qualified, typ, depth + 1)
            return f"is {shape}, not a simple {typ} value"
        text = _simple_value(value)
        pattern = _PATTERNS.get(typ)
        if pattern is not None and not pattern.match(text):
            return f"{text!r} is not a {typ}"
        if typ == "Boolean" and text not in {"True", "False"}:
            return f"{text!r} is not a Boolean (True or False)"
        return None


def _by_qname(el: etree._Element) -> dict[str, etree._Element | str]:
    return {_q(ns, local): value for ns, local, value in _struct_fields(el)}


def extension_schemas(root: etree._Element) -> ExtensionSchemas:
    """Read `pdfaExtension:schemas`: property value types per namespace, and the struct types defined."""
    ext = ExtensionSchemas()
    for schemas in root.iter(_q(NS_EXT, "schemas")):
        for schema in schemas.iter(_q(NS_RDF, "li")):
            fields = _by_qname(schema)
            uri = fields.get(_q(NS_SCHEMA, "namespaceURI"))
            if uri is None:
                continue
            ns = _simple_value(uri)
            props = ext.properties.setdefault(ns, {})
            prop_list = fields.get(_q(NS_SCHEMA, "property"))
            if isinstance(prop_list, etree._Element):
                for li in prop_list.iter(_q(NS_RDF, "li")):
                    p = _by_qname(li)
                    name, vtype = p.get(_q(NS_PROPERTY, "name")), p.get(_q(NS_PROPERTY, "valueType"))
                    if name is not None:
                        props[_simple_value(name)] = _simple_value(vtype) if vtype is not None else "Text"
            type_list = fields.get(_q(NS_SCHEMA, "valueType"))
            if isinstance(type_list, etree._Element):
                for li in type_list.iter(_q(NS_RDF, "li")):
                    t = _by_qname(li)
                    tname, tns = t.get(_q(NS_TYPE, "type")), t.get(_q(NS_TYPE, "namespaceURI"))
                    if tname is None or tns is None:
                        continue
                    tfields: dict[str, str] = {}
                    flist = t.get(_q(NS_TYPE, "field"))
                    if isinstance(flist, etree._Element):
                        for fli in flist.iter(_q(NS_RDF, "li")):
                            f = _by_qname(fli)
                            fname, ftype = f.get(_q(NS_FIELD, "name")), f.get(_q(NS_FIELD, "valueType"))
                            if fname is not None:
                                tfields[_simple_value(fname)] = (
                                    _simple_value(ftype) if ftype is not None else "Text"
                                )
                    ext.structs[_simple_value(tname)] = (_simple_value(tns), tfields)
    return ext


def properties(root: etree._Element) -> Iterator[tuple[str, str, etree._Element | str]]:
    """Every top-level XMP property: (namespace, local name, element or attribute value)."""
    for desc in root.iter(_q(NS_RDF, "Description")):
        parent = desc.getparent()
        if parent is None or parent.tag != _q(NS_RDF, "RDF"):
            continue  # a struct written as a nested rdf:Description
        for name, value in desc.attrib.items():
            qn = etree.QName(name)
            if qn.namespace not in (NS_RDF, NS_XML, None):
                yield qn.namespace, qn.localname, value
        for child in desc:
            if isinstance(child.tag, str):
                qn = etree.QName(child)
                if qn.namespace != NS_RDF:
                    yield qn.namespace or "", qn.localname, child


def check_properties(root: etree._Element) -> list[PropertyProblem]:
    """6.6.2.3.1: every property predefined or defined by an extension schema, with its value type."""
    ext = extension_schemas(root)
    checker = TypeChecker(ext)
    problems: list[PropertyProblem] = []
    for ns, local, value in properties(root):
        if ns in CONTAINER_NAMESPACES:
            continue
        typ = ext.properties.get(ns, {}).get(local) or PREDEFINED.get(ns, {}).get(local)
        label = f"{local} ({ns})"
        if typ is None:
            problems.append(
                PropertyProblem(
                    "1",
                    label,
                    f"XMP property {label} is neither predefined nor defined in an extension schema",
                )
            )
            continue
        if not checker.known(typ):
            continue  # an undefined value type is the extension schema's fault (6.6.2.3.3)
        why = checker.check(value, typ)
        if why:
            problems.append(PropertyProblem("2", label, f"XMP property {label} {why} (type {typ})"))
    return problems


# The extension schema container (6.6.2.3.2, 6.6.2.3.3): which fields each part needs, its namespace and
# the prefix ISO 19005 requires for it.
_CONTAINER_PARTS = {
    "schema": (NS_SCHEMA, "pdfaSchema", {"schema", "namespaceURI", "prefix"}, {"property", "valueType"}),
    "property": (NS_PROPERTY, "pdfaProperty", {"name", "valueType", "category", "description"}, set()),
    "valueType": (NS_TYPE, "pdfaType", {"type", "namespaceURI", "prefix", "description"}, {"field"}),
    "field": (NS_FIELD, "pdfaField", {"name", "valueType", "description"}, set()),
}


def check_extension_container(root: etree._Element) -> list[PropertyProblem]:
    """The structure of `pdfaExtension:schemas`: a Bag of schemas whose parts have all their fields, only
    their fields, with the required prefixes (veraPDF 6.6.2.3.2-1 and 6.6.2.3.3-*)."""
    problems: list[PropertyProblem] = []
    for schemas in root.iter(_q(NS_EXT, "schemas")):
        bag = schemas.find(_q(NS_RDF, "Bag"))
        if schemas.prefix != "pdfaExtension" or bag is None:
            problems.append(
                PropertyProblem("3", "pdfaExtension:schemas", "pdfaExtension:schemas is not a Bag with the "
                                "prefix pdfaExtension")
            )  # fmt: skip
            continue
        for li in bag.findall(_q(NS_RDF, "li")):
            _check_part(li, "schema", problems)
    return problems[:20]


def _check_part(node: etree._Element, part: str, problems: list[PropertyProblem]) -> None:
    ns, prefix, required, nested = _CONTAINER_PARTS[part]
    fields = _struct_fields(node)
    present = {local for fns, local, _ in fields if fns == ns}
    for fns, local, value in fields:
        if fns != ns or local not in required | nested:
            problems.append(
                PropertyProblem(
                    "2", local, f"the PDF/A extension {part} has an undefined field {local} ({fns})"
                )
            )
            continue
        if isinstance(value, etree._Element) and value.prefix != prefix:
            problems.append(
                PropertyProblem("3", local, f"the PDF/A extension {part} field {local} uses the prefix "
                                f"{value.prefix!r}, not {prefix}")
            )  # fmt: skip
        if local in nested and isinstance(value, etree._Element):
            seq = value.find(_q(NS_RDF, "Seq"))
            if seq is None:
                problems.append(
                    PropertyProblem("3", local, f"the PDF/A extension {part} {local} is not a Seq")
                )
                continue
            for li in seq.findall(_q(NS_RDF, "li")):
                _check_part(li, local, problems)
    missing = sorted(required - present)
    if missing:
        problems.append(PropertyProblem("3", part, f"the PDF/A extension {part} lacks {', '.join(missing)}"))
    if part == "property":
        category = next((v for fns, loc, v in fields if fns == ns and loc == "category"), None)
        if category is not None and _simple_value(category) not in {"internal", "external"}:
            problems.append(
                PropertyProblem(
                    "3", "category", "a PDF/A extension property category is not internal/external"
                )
            )
