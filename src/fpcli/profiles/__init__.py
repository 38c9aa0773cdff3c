"""Profiles (a `client_uid` context: PA configurations, Chorus Pro and signing settings) and the
store of their secrets and tokens (the OS keyring, or a file the user chose)."""
