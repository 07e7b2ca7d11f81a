"""The API tests' little world (two agencies, their documents and tasks) and token clients,
for the cross-cutting tests here (out-of-range input, the walk over every URL)."""

from dondoc.api.tests.conftest import _fresh_rate_limits, api, work  # noqa: F401
