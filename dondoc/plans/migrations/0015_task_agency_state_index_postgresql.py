"""PostgreSQL only: an index on (agency, state, deadline) for an agency's status lists.

A status filter of today's list also filters on stored columns that every task of that
status meets (``progress.selectors.today_status_bound``: an overdue task is in an open
state, and owes a report or is past its date). A province's staff see their agency's
tasks (``agency_id``); with this index PostgreSQL reads only the agency's tasks in those
states, not every task of the agency, before working out their status: at 1,000,000
tasks, a province's overdue list visits 15,500 table pages instead of 27,500
(docs/performance.md). Lists filtered by a lead unit use ``plans_task_lead_state``
(both databases) the same way. SQLite's city is small enough without it.
"""

from django.db import migrations

CREATE = ("CREATE INDEX IF NOT EXISTS plans_task_agency_state ON plans_task "
          "(agency_id, state, deadline)")
DROP = "DROP INDEX IF EXISTS plans_task_agency_state"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("plans", "0014_task_scope_count_index_sqlite")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
