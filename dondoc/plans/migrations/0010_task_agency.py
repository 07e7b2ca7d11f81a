"""The lead unit's agency stored on each task (issue 15, docs/performance.md "Ministry scale").

``Task.agency`` is the nearest unit at or above the lead unit flagged ``is_scope_root``.
``scoping.tasks_visible_to`` reads an agency's tasks through it (an index, instead of a
test of unit paths on every task). The backfill sets it from the unit tree, the deepest
scope roots first so that each task is written once; it runs on SQLite and PostgreSQL.
The index on the coordinating units by unit then task lets the scope find, from the index
alone, the tasks a scope's units coordinate for another agency; the one on
``(assigned_on, cancelled_on)`` lets the count of every task that counts today (the
ministry's list total) read the index alone.

PostgreSQL only: a trigram index (``pg_trgm``) on ``search_text``, so that the task list's
search (``search_text LIKE '%word%'`` per word) reads the index instead of every task.
SQLite keeps its scan (the SQLite city has 20,000 tasks).
"""

import django.db.models.deletion
from django.db import migrations, models

COORDINATION_INDEX = ("CREATE INDEX IF NOT EXISTS plans_task_coordinating_unit_task "
                      "ON plans_task_coordinating_units (unit_id, task_id)")
DROP_COORDINATION_INDEX = "DROP INDEX IF EXISTS plans_task_coordinating_unit_task"


TRIGRAMS = ("CREATE INDEX IF NOT EXISTS plans_task_search_trgm ON plans_task "
            "USING gin (search_text gin_trgm_ops)")


# PostgreSQL only: the count of every task that counts today (the ministry's list total)
# as an index-only scan. SQLite's planner, without statistics, walks it for a range that
# holds nearly every row (a rowid look-up each): slower than reading the table.
COUNTED_ON = ("CREATE INDEX IF NOT EXISTS plans_task_counted_on "
              "ON plans_task (assigned_on, cancelled_on)")


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(TRIGRAMS)
        schema_editor.execute(COUNTED_ON)


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS plans_task_search_trgm")
        schema_editor.execute("DROP INDEX IF EXISTS plans_task_counted_on")


def backfill(apps, schema_editor):
    Task = apps.get_model("plans", "Task")
    Unit = apps.get_model("organization", "Unit")
    roots = Unit.objects.filter(is_scope_root=True).order_by("-depth", "path")
    for root in roots.values("pk", "path"):
        Task.objects.filter(agency__isnull=True, lead_unit__path__startswith=root["path"]
                            ).update(agency_id=root["pk"])


class Migration(migrations.Migration):
    dependencies = [
        ("organization", "0003_user_role_editor"),
        ("plans", "0009_task_urgency_index_postgresql"),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="agency",
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="organization.unit",
                                    verbose_name="agency"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(fields=["agency", "id"], name="plans_task_agency"),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(fields=["assigning_unit", "agency", "id"],
                               name="plans_task_assigning_agency"),
        ),
        migrations.RunSQL(COORDINATION_INDEX, DROP_COORDINATION_INDEX, elidable=False),
        migrations.RunPython(create_trigram_index, drop_trigram_index, elidable=False),
    ]
