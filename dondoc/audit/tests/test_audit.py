"""The audit chain: what an edit records, tampering detection, concurrency, scoping."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from dondoc.audit.models import AuditEvent
from dondoc.audit.services import record, verify
from dondoc.organization import services
from dondoc.organization.models import Unit


def test_an_edit_records_actor_fields_before_and_after_and_address(org, people, login) -> None:
    client = login(people.staff)
    client.post(f"/units/{org.pc06.pk}/edit/", {
        "code": "PC06", "name": "Tên mới", "short_name": "CSQLHC", "kind": "department",
        "order": 100, "email": "", "valid_from": "", "version": org.pc06.version,
    }, REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.filter(action="update").latest("seq")
    assert event.actor_id == people.staff.pk
    assert event.object_repr == "Tên mới"
    assert event.changes == {
        "name": ["Phòng Cảnh sát quản lý hành chính", "Tên mới"],
        "short_name": ["", "CSQLHC"],
    }
    assert event.ip_address == "10.1.2.3"
    assert event.unit_id == org.pc06.pk


def test_events_cannot_be_changed_or_deleted_through_the_application(people) -> None:
    event = record(actor=people.staff, action="other", message="x")
    event.message = "y"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_verify_accepts_an_untouched_chain(org, people) -> None:
    for index in range(5):
        services.unit_create(actor=people.staff, parent=org.pc06, code=f"T{index}",
                             name=f"Tổ {index}", kind="team")
    result = verify()
    assert result.ok
    assert result.checked == AuditEvent.objects.count()


def test_editing_a_stored_event_breaks_the_chain_at_that_event(org, people) -> None:
    events = [record(actor=people.staff, action="other", message=f"event {n}") for n in range(4)]
    target = events[2]
    AuditEvent.objects.filter(pk=target.pk).update(message="rewritten history")
    result = verify()
    assert not result.ok
    assert result.broken_seq == target.seq
    with pytest.raises(CommandError, match=f"#{target.seq}"):
        call_command("audit", "verify")


def test_deleting_an_event_is_detected(people) -> None:
    events = [record(actor=people.staff, action="other", message=f"event {n}") for n in range(4)]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    result = verify()
    assert not result.ok
    assert result.broken_seq == events[1].seq


def test_deleting_the_latest_events_is_detected(people) -> None:
    events = [record(actor=people.staff, action="other", message=f"event {n}") for n in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    assert not verify().ok


def test_a_forged_event_with_a_recomputed_unkeyed_hash_breaks_at_that_event(people) -> None:
    from dondoc.audit.services import sha256_hash

    events = [record(actor=people.staff, action="other", message=f"event {n}") for n in range(3)]
    forged = AuditEvent.objects.get(pk=events[0].pk)
    forged.message = "forged"
    forged_hash = sha256_hash(forged)
    AuditEvent.objects.filter(pk=forged.pk).update(message="forged", hash=forged_hash)
    result = verify()
    assert not result.ok
    assert result.broken_seq == events[0].seq


def test_verify_command_reports_an_intact_chain(people, capsys) -> None:
    record(actor=people.staff, action="other")
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="concurrent writers need a server database")
def test_the_chain_holds_under_concurrent_writes(people) -> None:
    errors: list[Exception] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                record(actor=None, action="other", message=f"writer {n} event {i}")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = verify()
    assert result.ok, result
    assert AuditEvent.objects.filter(message__startswith="writer").count() == 60


def test_audit_page_is_scoped_to_the_readers_units(org, people, login) -> None:
    services.unit_update(actor=people.staff, unit=Unit.objects.get(pk=org.pc06.pk),
                         expected_version=1, name="Đổi tên PC06")
    services.unit_update(actor=people.staff, unit=Unit.objects.get(pk=org.pc08_d1.pk),
                         expected_version=1, name="Đổi tên đội")
    manager_page = login(people.manager).get("/audit/?action=update")
    seen = {event.object_repr for event in manager_page.context["page"]}
    assert seen == {"Đổi tên đội"}
    staff_page = login(people.staff).get("/audit/?action=update")
    assert {event.object_repr for event in staff_page.context["page"]} == {
        "Đổi tên đội", "Đổi tên PC06"}
    outside = AuditEvent.objects.get(object_repr="Đổi tên PC06")
    assert login(people.manager).get(f"/audit/{outside.seq}/").status_code == 404


def test_officers_cannot_read_the_audit_log(people, login) -> None:
    assert login(people.officer).get("/audit/").status_code == 403


def test_audit_filters_by_action_and_date(people, login) -> None:
    record(actor=people.staff, action="export", message="x", unit_id=people.staff.unit_id)
    page = login(people.staff).get("/audit/?action=export&since=01/01/2020&until=31/12/2999")
    assert [event.action for event in page.context["page"]] == ["export"]
    bad = login(people.staff).get("/audit/?since=not-a-date")
    assert bad.status_code == 200


def test_the_menu_offers_the_audit_log_only_to_its_readers(people, login) -> None:
    assert 'href="/audit/"' not in login(people.officer).get("/").content.decode()
    assert 'href="/audit/"' in login(people.manager).get("/").content.decode()
