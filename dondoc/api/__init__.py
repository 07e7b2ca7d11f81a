"""The JSON API (v1): personal tokens, and endpoints that call the selectors and services."""
