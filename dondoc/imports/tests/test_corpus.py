"""The corpus of real appendices: each imports with --commit, no workbook edits, and gives
the counts, deadlines, leads and flags written in its YAML."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from dondoc.imports.models import ReviewFlag, UnitGroup
from dondoc.imports.services import unit_group_save
from dondoc.imports.tests.corpus.build import HERE, layout, load, names, workbook
from dondoc.organization.models import Unit
from dondoc.plans.models import Task


def run_corpus_file(name: str, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Load the units, then import the workbook from the console as a deployment would;
    the JSON the command prints and the spec."""
    spec = load(name)
    out = io.StringIO()
    call_command("import_units", str(HERE / spec["units"]), "--commit", stdout=out)
    for group_name, aliases in spec.get("unit_group_aliases", {}).items():
        group = UnitGroup.objects.get(name=group_name)
        unit_group_save(actor=None, group=group, name=group.name, aliases="\n".join(aliases))
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(workbook(spec))
    document = spec["document"]
    out = io.StringIO()
    with translation.override("vi"):
        call_command("import_tasks", str(path), "--new-document", document["number"],
                     "--title", document["title"], "--issuer", document["issuer"],
                     "--issued", document["issued"], "--owner", document["owner"],
                     "--commit", "--json", stdout=out)
    return json.loads(out.getvalue()), spec


def test_the_corpus_has_six_files_each_with_its_units_and_source() -> None:
    assert len(names()) >= 6
    for name in names():
        spec = load(name)
        assert (HERE / spec["units"]).is_file()
        assert spec["source"]["url"].startswith("https://")
        assert (HERE / f"{name}.xlsx").is_file(), "run python -m dondoc.imports.tests.corpus.build"


@pytest.mark.parametrize("name", names())
def test_a_real_appendix_imports_as_it_is(db, tmp_path, name) -> None:
    result, spec = run_corpus_file(name, tmp_path)
    expected = spec["expect"]
    assert result["summary"] == {**expected["summary"], "saved": True}
    rows = {row["row"]: row for row in result["rows"]}
    placed, _header = layout(spec)
    index_to_row = {index: row for index, (row, _item) in enumerate(placed, start=1)}
    for row_number, item in placed:
        want = item.get("expect")
        if want is None:
            assert row_number not in rows or rows[row_number]["kind"] == "skipped"
            continue
        got = rows[row_number]
        where = f"{name} row {row_number}"
        assert got["kind"] == want["kind"], where
        if want["kind"] in ("group", "skipped"):
            continue
        assert got["lead"] == want["lead"], where
        if "coordinators" in want:
            assert sorted(got["coordinators"]) == sorted(want["coordinators"]), where
        if "coordinator_count" in want:
            assert len(got["coordinators"]) == want["coordinator_count"], where
        kind, due, start = want["deadline"]
        deadline = got["deadline"]
        assert (deadline["kind"], deadline["due"], deadline["start"]) == (
            kind, str(due) if due else None, str(start) if start else None), where
        assert deadline["text"] == str(item["cells"][_deadline_column(spec)] or "") or \
            want["kind"] == "output", where
        assert [flag["code"] for flag in got["flags"]] == want["flags"], where
        assert got["errors"] == []
        if want["kind"] == "output":
            assert got["parent_row"] == index_to_row[want["parent"]], where
    # What was saved is what the preview said, flags included.
    tasks = Task.objects.filter(document__number=spec["document"]["number"])
    summary = expected["summary"]
    assert tasks.filter(parent__isnull=True).count() == summary["tasks"]
    assert tasks.filter(parent__isnull=False).count() == summary["outputs"]
    assert ReviewFlag.objects.filter(task__in=tasks).count() == summary["flags"]
    first = tasks.order_by("code").first()
    assert first is not None and first.assigned_on.strftime("%d/%m/%Y") == \
        spec["document"]["issued"]
    for unknown in expected.get("unknown_columns", []):
        assert tasks.filter(extra_columns__has_key=unknown).exists()


def _deadline_column(spec: dict[str, Any]) -> int:
    header = spec["sheet"]["header"]
    for cells in header:
        for index, label in enumerate(cells):
            if label and str(label).startswith(("Thời", "Tiến")):
                return index
    raise AssertionError("no deadline column")


def test_units_load_idempotently(db) -> None:
    path = str(HERE / "national_units.csv")
    call_command("import_units", path, "--commit", stdout=io.StringIO())
    count = Unit.objects.count()
    out = io.StringIO()
    call_command("import_units", path, "--commit", stdout=out)
    assert Unit.objects.count() == count
    assert "0 created" in out.getvalue()
