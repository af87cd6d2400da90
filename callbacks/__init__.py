"""Thin callback adapters, one module per page, each with register(app, service)."""
