"""Profiles (a `client_uid` context: PA configurations, Chorus Pro and signing settings) and the
keyring-backed store of their secrets and tokens."""
