"""Cross Industry Invoice (CII): writing the model per profile, reading any Factur-X/ZUGFeRD CII."""
