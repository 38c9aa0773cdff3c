"""Flux 10: e-reporting transmissions (transactions and payments reports to the tax administration)."""
