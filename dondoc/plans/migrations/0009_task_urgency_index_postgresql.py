"""PostgreSQL only: an index on the task list's default order (most urgent first).

``plans.selectors.task_list`` orders today's list by ``TODAY_URGENCY_ORDER``: an urgency
rank computed from ``state`` and ``deadline_kind`` (a ``CASE``), the deadline (nulls
last), the priority (descending) and the code. With this expression index PostgreSQL
reads the first page in index order and stops after 25 visible rows, instead of sorting
every task: 6.3 s → 18 ms for the ministry's staff at 1,000,000 tasks
(docs/performance.md, "Ministry scale"). The expression must stay the one Django
writes for that ``CASE``; ``test_the_task_list_reads_the_urgency_index`` checks it.
SQLite keeps its plan (the benchmark city sorts 20,000 rows in memory).
"""

from django.db import migrations

URGENCY = (
    "(CASE WHEN (deadline_kind IN ('fixed', 'none') AND state IN ('assigned', 'in_progress', "
    "'returned')) THEN 0 WHEN (state = 'submitted') THEN 1 WHEN (state IN ('assigned', "
    "'in_progress', 'returned')) THEN 2 WHEN (state = 'suspended') THEN 3 ELSE 4 END)"
)
CREATE = (f"CREATE INDEX IF NOT EXISTS plans_task_urgency ON plans_task "
          f"({URGENCY}, deadline NULLS LAST, priority DESC, code)")
DROP = "DROP INDEX IF EXISTS plans_task_urgency"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("plans", "0008_document_kind_inspection_meeting")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
