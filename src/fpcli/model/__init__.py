"""The EN 16931 semantic invoice model, its loading and its computed totals."""
