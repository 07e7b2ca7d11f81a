"""SQLite only: a trigram full-text index of the tasks' ``search_text`` (issue 15).

The task list's search keeps every task whose folded ``search_text`` contains each word
typed. SQLite answered it with ``LIKE '%word%'`` on every task of the city (the bench
city's search: 9 ms of SQL per page). ``plans_task_search`` is an FTS5 table with the
``trigram`` tokenizer over that column (external content: it stores the index, not a
copy of the text), so a word of three or more characters is found as a substring from
the index, with the same matches as ``LIKE``. Triggers keep it in step with every insert,
change of ``search_text`` and delete, whatever writes the row (the ORM, bulk writes, a
restore); a save that writes the same text again (most saves) costs the index nothing.
PostgreSQL has its trigram index since 0010; nothing changes there.

When SQLite is built without FTS5 the migration creates nothing and the search keeps
``LIKE`` (``plans.selectors.tasks_containing_words`` checks the table is there).
"""

from django.db import migrations
from django.db.utils import OperationalError

TABLE = "plans_task_search"
CREATE = [
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(search_text, content='plans_task', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON plans_task BEGIN "
    f"INSERT INTO {TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON plans_task BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF search_text ON plans_task "
    "WHEN old.search_text IS NOT new.search_text BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
]
DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {TABLE}_update",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        try:
            cursor.execute("CREATE VIRTUAL TABLE temp.dondoc_fts5_probe USING fts5(x, "
                           "tokenize='trigram')")
        except OperationalError:  # no FTS5, or no trigram tokenizer (SQLite < 3.34)
            return
        cursor.execute("DROP TABLE temp.dondoc_fts5_probe")
    for statement in CREATE:
        schema_editor.execute(statement)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("plans", "0011_agency_coordination")]

    operations = [migrations.RunPython(create_search_index, drop_search_index)]
