"""Factur-X PDF/A-3: render an invoice, embed the XML (XMP, AF, OutputIntent), extract it."""
