"""The XMP packet of a Factur-X PDF/A-3b: PDF/A identification, Dublin Core, the Factur-X extension schema."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.sax.saxutils import escape

FX_NS = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"


@dataclass(frozen=True)
class XmpFields:
    title: str
    author: str
    subject: str
    producer: str
    creator_tool: str
    date: dt.datetime
    conformance_level: str
    document_file_name: str = "factur-x.xml"
    document_type: str = "INVOICE"
    version: str = "1.0"


def xmp_date(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def pdf_date(value: dt.datetime) -> str:
    """PDF date string for the same instant as `xmp_date` (Info and XMP must agree)."""
    return value.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%S+00'00'")


def _prop(name: str, value_type: str, description: str) -> str:
    return (
        '<rdf:li rdf:parseType="Resource">'
        f"<pdfaProperty:name>{name}</pdfaProperty:name>"
        f"<pdfaProperty:valueType>{value_type}</pdfaProperty:valueType>"
        "<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{description}</pdfaProperty:description>"
        "</rdf:li>"
    )


def build_xmp(f: XmpFields) -> bytes:
    """A complete xpacket, UTF-8, without the `bytes`/`encoding` attributes PDF/A forbids."""
    e = escape
    date = xmp_date(f.date)
    props = "".join(
        [
            _prop("DocumentFileName", "Text", "name of the embedded XML invoice file"),
            _prop("DocumentType", "Text", "INVOICE"),
            _prop("Version", "Text", "The actual version of the Factur-X XML schema"),
            _prop("ConformanceLevel", "Text", "The conformance level of the embedded Factur-X data"),
        ]
    )
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e(f.title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{e(f.author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{e(f.subject)}</rdf:li></rdf:Alt></dc:description>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>{e(f.producer)}</pdf:Producer>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreatorTool>{e(f.creator_tool)}</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:fx="{FX_NS}">
   <fx:DocumentType>{e(f.document_type)}</fx:DocumentType>
   <fx:DocumentFileName>{e(f.document_file_name)}</fx:DocumentFileName>
   <fx:Version>{e(f.version)}</fx:Version>
   <fx:ConformanceLevel>{e(f.conformance_level)}</fx:ConformanceLevel>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>{FX_NS}</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>fx</pdfaSchema:prefix>
      <pdfaSchema:property><rdf:Seq>{props}</rdf:Seq></pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return packet.encode("utf-8")
