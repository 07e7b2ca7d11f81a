"""Bulk inserts whose SQL parameters are prepared before the write transaction.

``QuerySet.bulk_create`` compiles every value of every row while the transaction is open:
for a 9,000-task import that was most of the time the database stayed locked (on SQLite,
the whole database: every other writer waited). Here the values are converted first
(:func:`prepare_rows`, outside any transaction), and the transaction only runs one
prepared ``INSERT`` per batch (:func:`insert_rows`). The rows get their ids from the
database as usual; the caller reads them back by a unique key.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db import connections, models, router
from django.db.models.fields import AutoFieldMixin


@dataclass
class PreparedRows:
    """Rows of ``model`` as database parameters, one list per object, in field order."""

    model: type[models.Model]
    fields: list[Any]
    rows: list[list[Any]]

    def column_index(self, attname: str) -> int:
        return [field.attname for field in self.fields].index(attname)


def prepare_rows(model: type[models.Model], objs: list[Any]) -> PreparedRows:
    """Convert ``objs`` (unsaved, with every value set) to parameters; no query."""
    connection = connections[router.db_for_write(model)]
    fields = [field for field in model._meta.concrete_fields
              if not isinstance(field, AutoFieldMixin)]
    rows = [[field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
            for obj in objs]
    return PreparedRows(model, fields, rows)


def insert_rows(prepared: PreparedRows, *, batch_size: int = 1000) -> None:
    """INSERT the prepared rows (inside the caller's transaction)."""
    model = prepared.model
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in prepared.fields)
    marks = ", ".join(["%s"] * len(prepared.fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the model
    rows = iter(prepared.rows)
    with connection.cursor() as cursor:
        while batch := list(islice(rows, batch_size)):
            cursor.executemany(sql, batch)
