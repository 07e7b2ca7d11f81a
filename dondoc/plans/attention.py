"""Home-page attention items for tasks (registered with dondoc.core.dashboard)."""
