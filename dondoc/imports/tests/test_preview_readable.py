"""Issue 9, item 20: the import preview of a collective phrase stays short (the units it
names are folded in a closed <details> with their count), and "only rows with warnings"
filters the preview rows through a query parameter (no JavaScript needed)."""

from __future__ import annotations

import re

import pytest

from dondoc.imports.tests.test_import_flow import make_plan, upload, xlsx
from dondoc.organization.models import UnitKind
from dondoc.organization.tests.factories import make_unit
from dondoc.plans.models import Task

DISTRICTS = ["Hải Châu", "Thanh Khê", "Sơn Trà", "Ngũ Hành Sơn", "Liên Chiểu", "Cẩm Lệ",
             "Hòa Vang", "Hoàng Sa"]


@pytest.fixture
def preview_url(org, people, login):  # type: ignore[no-untyped-def]
    for index, name in enumerate(DISTRICTS, start=1):
        make_unit(org.catp, f"CAQ-{index}", f"Công an quận {name}", kind=UnitKind.DISTRICT)
    plan = make_plan(org, people)
    client = login(people.staff)
    rows = [
        ("I", "Quán triệt, tuyên truyền"),
        ("1", "Quán triệt Nghị quyết 12 đến toàn thể cán bộ", "PC08",
         "Công an các quận, huyện", "Quý IV/2030", "Báo cáo kết quả"),
        ("2", "Rà soát thực trạng trụ sở", "PC06", "PV01", "30/06/2030", "Báo cáo"),
        ("3", "Một việc với đơn vị không rõ", "PC06", "Phòng Không Tồn Tại", "30/06/2030", ""),
    ]
    response = upload(client, plan, xlsx(*rows))
    assert response.status_code == 302, response.content[:300]
    return client, response["Location"]


def test_a_collective_phrase_is_folded_with_its_count(preview_url) -> None:
    client, url = preview_url
    html = client.get(url).content.decode()
    folded = re.search(r'<details class="unit-list"><summary>(.*?)</summary>(.*?)</details>',
                       html, re.S)
    assert folded is not None
    assert folded.group(1) == "Công an các quận, huyện — 8 đơn vị"
    # Every unit is there, inside the closed <details>, and nowhere else on the page.
    for name in DISTRICTS:
        assert f"Công an quận {name}" in folded.group(2)
        assert html.count(f"Công an quận {name}") == 1
    assert "<details class=\"unit-list\" open" not in html
    # A short list is written out as before.
    assert "Phòng Tham mưu (PV01)" in html


def test_only_rows_with_warnings(preview_url) -> None:
    client, url = preview_url
    everything = client.get(url).content.decode()
    assert "Rà soát thực trạng trụ sở" in everything
    assert 'href="?only=warnings"' in everything
    only = client.get(url, {"only": "warnings"})
    assert only.status_code == 200
    html = only.content.decode()
    assert "Một việc với đơn vị không rõ" in html  # the unknown coordinating unit
    assert "Rà soát thực trạng trụ sở" not in html  # a row without a problem
    assert "Quán triệt Nghị quyết 12" not in html
    rows = re.findall(r'<tr id="row-\d+"', html)
    assert len(rows) == 1
    assert 'aria-current="true"><i class="bi bi-flag"' in html
    # Confirming from the filtered preview still imports every row.
    done = client.post(url, {"action": "confirm"})
    assert done.status_code == 302
    assert Task.objects.count() == 3
