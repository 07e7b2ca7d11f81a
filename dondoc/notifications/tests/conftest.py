import pytest


@pytest.fixture(autouse=True)
def _default_rules(request):
    """The default reminder rules come from a data migration; a transactional test run
    earlier in the same process empties every table, so each test here starts with them."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from dondoc.notifications.reminders import ensure_default_rules

    ensure_default_rules()
