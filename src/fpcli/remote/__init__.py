"""HTTP clients: one base (timeouts, retries, auth, error mapping) and the services built on it."""
