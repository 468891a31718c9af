"""Parley's core: domain, HTTP client, stream parsing, storage, secrets, rendering. No Qt here."""
