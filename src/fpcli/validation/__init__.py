"""Validation: well-formedness, XSD, official Schematron (saxonche), BR-FR, PDF/A-3 and Factur-X checks."""
