"""The /api/v1/ endpoints, one module per area: parse, check access, call, present."""
