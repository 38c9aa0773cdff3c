"""fpcli: electronic invoicing toolchain for France (Factur-X, CII, PA/PDP, Chorus Pro)."""

__version__ = "0.1.0"
