"""The agencies coordinating a task led by another agency (issue 15, docs/performance.md).

``AgencyCoordination`` holds, for each task, the agencies of its coordinating units other
than the task's own agency. A province's staff read the tasks its units coordinate for
other agencies from these few rows, instead of every coordination of the province's units
(at 1 M tasks a province's units coordinate 57,450 tasks, 55,710 of them led in the
province itself). The backfill derives the rows from the coordinations, the stored
agencies of the tasks and the unit tree, as ``plans.services.agency_coordinations_refresh``
keeps them afterwards; it runs on SQLite and PostgreSQL.
"""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 5000


def backfill(apps, schema_editor):
    Task = apps.get_model("plans", "Task")
    Unit = apps.get_model("organization", "Unit")
    AgencyCoordination = apps.get_model("plans", "AgencyCoordination")
    through = Task.coordinating_units.through
    roots = dict(Unit.objects.filter(is_scope_root=True).values_list("path", "pk"))
    step = 4  # treebeard's steplen for Unit
    agency_of_unit = {}
    for pk, path in Unit.objects.values_list("pk", "path").iterator(chunk_size=BATCH):
        agency_of_unit[pk] = next((roots[path[:end]] for end in range(len(path), 0, -step)
                                   if path[:end] in roots), None)
    last = 0
    while True:
        ids = list(Task.objects.filter(pk__gt=last).order_by("pk")
                   .values_list("pk", "agency_id")[:BATCH])
        if not ids:
            break
        last = ids[-1][0]
        lead_agency = dict(ids)
        rows = {(agency, task) for task, unit in through.objects.filter(
                    task_id__in=list(lead_agency)).values_list("task_id", "unit_id")
                if (agency := agency_of_unit.get(unit)) is not None
                and agency != lead_agency[task]}
        AgencyCoordination.objects.bulk_create(
            [AgencyCoordination(agency_id=agency, task_id=task) for agency, task in sorted(rows)],
            batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("organization", "0004_unit_tops_roots_index"),
        ("plans", "0010_task_agency"),
    ]

    operations = [
        migrations.CreateModel(
            name="AgencyCoordination",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("agency", models.ForeignKey(db_index=False,
                                             on_delete=django.db.models.deletion.CASCADE,
                                             related_name="+", to="organization.unit")),
                ("task", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                           related_name="+", to="plans.task")),
            ],
            options={
                "verbose_name": "coordination by another agency",
                "verbose_name_plural": "coordinations by other agencies",
                "ordering": ["agency_id", "task_id"],
                "constraints": [models.UniqueConstraint(
                    fields=("agency", "task"), name="plans_agencycoordination_unique")],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
