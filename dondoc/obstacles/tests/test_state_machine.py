"""The obstacle's road: every step from every state, legal or refused, and who may take it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dondoc.audit.models import AuditEvent
from dondoc.core.concurrency import ConflictError
from dondoc.obstacles import services, signals
from dondoc.obstacles.models import EventKind, Obstacle, ObstacleState

S = ObstacleState
ARGUMENT = {"escalate": "note", "reject": "reason", "direct": "text", "resolve": "resolution"}
# Every (state, step) pair: the state it leads to, or None when refused.
TABLE = [
    (S.OPEN, "escalate", S.ESCALATED), (S.OPEN, "reject", S.REJECTED),
    (S.OPEN, "resolve", S.RESOLVED), (S.OPEN, "direct", None),
    (S.ESCALATED, "escalate", None), (S.ESCALATED, "reject", S.REJECTED),
    (S.ESCALATED, "resolve", S.RESOLVED), (S.ESCALATED, "direct", S.ESCALATED),
    (S.RESOLVED, "escalate", None), (S.RESOLVED, "reject", None),
    (S.RESOLVED, "resolve", None), (S.RESOLVED, "direct", None),
    (S.REJECTED, "escalate", None), (S.REJECTED, "reject", None),
    (S.REJECTED, "resolve", None), (S.REJECTED, "direct", None),
]


def bring_to(obstacle: Obstacle, state: str) -> Obstacle:
    """The obstacle moved to ``state`` by the system (no person: rights are not checked)."""
    if state in {S.ESCALATED}:
        return services.obstacle_escalate(actor=None, obstacle=obstacle)
    if state == S.RESOLVED:
        return services.obstacle_resolve(actor=None, obstacle=obstacle, resolution="Đã bố trí")
    if state == S.REJECTED:
        return services.obstacle_reject(actor=None, obstacle=obstacle, reason="Không thuộc")
    return obstacle


@pytest.mark.parametrize(("state", "step", "target"), TABLE,
                         ids=[f"{state}-{step}" for state, step, _t in TABLE])
def test_every_step_from_every_state(raise_on: Any, state: str, step: str,
                                     target: str | None) -> None:
    obstacle = bring_to(raise_on(), state)
    act = services.STEP_SERVICES[step]
    before = AuditEvent.objects.count()
    if target is None:
        with pytest.raises(services.TransitionRefused) as refused:
            act(actor=None, obstacle=obstacle, **{ARGUMENT[step]: "Nội dung"})
        assert str(S(state).label).lower() in refused.value.message
        assert Obstacle.objects.get(pk=obstacle.pk).state == state
        assert AuditEvent.objects.count() == before
    else:
        act(actor=None, obstacle=obstacle, **{ARGUMENT[step]: "Nội dung"})
        fresh = Obstacle.objects.get(pk=obstacle.pk)
        assert fresh.state == target
        assert AuditEvent.objects.count() == before + 1
        assert fresh.events.last().kind == {"escalate": EventKind.ESCALATED,
                                            "reject": EventKind.REJECTED,
                                            "resolve": EventKind.RESOLVED,
                                            "direct": EventKind.DIRECTED}[step]
        assert (fresh.closed_on is not None) == (target in {S.RESOLVED, S.REJECTED})


def test_allowed_steps_match_the_table() -> None:
    for state in S.values:
        legal = {step for s, step, target in TABLE if s == state and target is not None}
        assert set(services.allowed_steps(state)) == legal


@pytest.mark.parametrize("step", ["reject", "resolve", "direct"])
def test_a_step_that_needs_a_text_refuses_an_empty_one(raise_on: Any, step: str) -> None:
    obstacle = raise_on()
    if step == "direct":
        obstacle = bring_to(obstacle, S.ESCALATED)
    with pytest.raises(ValidationError) as error:
        services.STEP_SERVICES[step](actor=None, obstacle=obstacle, **{ARGUMENT[step]: "  "})
    assert "text" in error.value.message_dict


def test_a_stale_version_is_refused(raise_on: Any, people: Any) -> None:
    obstacle = raise_on()
    services.obstacle_escalate(actor=people.staff, obstacle=obstacle)
    with pytest.raises(ConflictError):
        services.obstacle_reject(actor=people.staff, obstacle=obstacle, reason="Trùng",
                                 expected_version=obstacle.version)


def test_the_whole_road_by_the_right_people(raise_on: Any, people: Any, org: Any) -> None:
    obstacle = raise_on(actor=people.officer)
    assert obstacle.unit == org.pc08 and obstacle.raised_by == people.officer
    with pytest.raises(PermissionDenied):
        services.obstacle_escalate(actor=people.officer, obstacle=obstacle)
    with pytest.raises(PermissionDenied):
        services.obstacle_escalate(actor=people.leader, obstacle=obstacle)
    obstacle = services.obstacle_escalate(actor=people.staff, obstacle=obstacle,
                                          note="Đề nghị Ban Giám đốc cho ý kiến")
    with pytest.raises(PermissionDenied):
        services.obstacle_direct(actor=people.staff, obstacle=obstacle, text="Chỉ đạo")
    obstacle = services.obstacle_direct(actor=people.leader, obstacle=obstacle,
                                        text="Phòng Tham mưu tham mưu bố trí kinh phí")
    assert obstacle.direction_by == people.leader and obstacle.direction_at is not None
    with pytest.raises(PermissionDenied):
        services.obstacle_resolve(actor=people.manager, obstacle=obstacle, resolution="Xong")
    obstacle = services.obstacle_resolve(actor=people.staff, obstacle=obstacle,
                                         resolution="Đã bố trí kinh phí năm 2025")
    assert obstacle.state == S.RESOLVED and obstacle.resolved_by == people.staff
    assert obstacle.closed_on == dt.date(2025, 5, 15)
    kinds = list(obstacle.events.values_list("kind", flat=True))
    assert kinds == ["raised", "escalated", "directed", "resolved"]
    assert AuditEvent.objects.filter(object_type="obstacles.obstacle",
                                     object_id=str(obstacle.pk)).count() == 4


def test_a_resolver_unit_resolves_and_staff_resolve_for_outside_agencies(
        raise_on: Any, people: Any, org: Any) -> None:
    to_pc06 = raise_on(resolver_unit=org.pc06)
    with pytest.raises(PermissionDenied):  # a unit of dondoc resolves its own obstacles
        services.obstacle_resolve(actor=people.staff, obstacle=to_pc06, resolution="Xong")
    services.obstacle_resolve(actor=people.outsider, obstacle=to_pc06, resolution="Đã phối hợp")
    outside = raise_on(resolver_unit=None, resolver_agency="Sở Tài chính thành phố Đà Nẵng")
    with pytest.raises(PermissionDenied):
        services.obstacle_resolve(actor=people.manager, obstacle=outside, resolution="Xong")
    services.obstacle_resolve(actor=people.staff, obstacle=outside,
                              resolution="Sở Tài chính đã thẩm định dự toán")


def test_raising_needs_a_task_of_ones_own_unit(raise_on: Any, people: Any, work: Any) -> None:
    with pytest.raises(PermissionDenied):
        raise_on(task=work.admin_task, actor=people.manager)  # led by PC06, not PC08
    with pytest.raises(PermissionDenied):
        raise_on(task=work.traffic, actor=people.viewer)


@pytest.mark.parametrize(("fields", "field"), [
    ({"description": "  "}, "description"),
    ({"resolver_unit": None}, "resolver_unit"),
    ({"resolver_agency": "Sở Tài chính"}, "resolver_agency"),
    ({"category": "weather"}, "category"),
])
def test_bad_content_is_refused_with_the_field(raise_on: Any, fields: dict[str, Any],
                                               field: str) -> None:
    with pytest.raises(ValidationError) as error:
        raise_on(**fields)
    assert field in error.value.message_dict
    assert not Obstacle.objects.exists()


def test_signals_are_sent_once_committed(raise_on: Any, people: Any,
                                         django_capture_on_commit_callbacks: Any) -> None:
    heard: list[tuple[str, int, Any]] = []

    def listener(name: str) -> Any:
        def receive(sender: Any, obstacle: Obstacle, actor: Any, **kwargs: Any) -> None:
            heard.append((name, obstacle.pk, actor))
        return receive

    receivers = {name: listener(name) for name in ("raised", "escalated", "directed",
                                                   "resolved", "rejected")}
    for name, receiver in receivers.items():
        getattr(signals, f"obstacle_{name}").connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            obstacle = raise_on()
        assert heard == []  # not before the commit
        for callback in callbacks:
            callback()
        with django_capture_on_commit_callbacks(execute=True):
            services.obstacle_escalate(actor=people.staff, obstacle=obstacle)
            services.obstacle_direct(actor=people.leader, obstacle=obstacle, text="Xử lý ngay")
            services.obstacle_resolve(actor=people.staff, obstacle=obstacle, resolution="Xong")
    finally:
        for name, receiver in receivers.items():
            getattr(signals, f"obstacle_{name}").disconnect(receiver)
    assert [(name, actor) for name, _pk, actor in heard] == [
        ("raised", people.manager), ("escalated", people.staff), ("directed", people.leader),
        ("resolved", people.staff)]


def test_an_open_obstacle_can_be_corrected_and_then_no_more(raise_on: Any,
                                                            people: Any) -> None:
    obstacle = raise_on()
    services.obstacle_update(actor=people.manager, obstacle=obstacle,
                             expected_version=obstacle.version, description="Thiếu kinh phí")
    with pytest.raises(ConflictError):
        services.obstacle_update(actor=people.manager, obstacle=obstacle,
                                 expected_version=obstacle.version, description="Cũ")
    services.obstacle_escalate(actor=people.staff, obstacle=obstacle)
    fresh = Obstacle.objects.get(pk=obstacle.pk)
    with pytest.raises(services.TransitionRefused):
        services.obstacle_update(actor=people.manager, obstacle=fresh,
                                 expected_version=fresh.version, description="Mới")


def test_each_step_tells_the_people_concerned(raise_on: Any, people: Any, org: Any,
                                              django_capture_on_commit_callbacks: Any) -> None:
    from dondoc.notifications.models import Notification

    def told(kind: str) -> set[str]:
        return set(Notification.objects.filter(kind=kind).values_list(
            "recipient__username", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        obstacle = raise_on(actor=people.officer, resolver_unit=org.pc06)
    assert told("obstacle_raised") == {"staff", "outsider"}  # the agency's staff, the resolver
    with django_capture_on_commit_callbacks(execute=True):
        services.obstacle_escalate(actor=people.staff, obstacle=obstacle)
    assert told("obstacle_escalated") == {"leader"}
    with django_capture_on_commit_callbacks(execute=True):
        services.obstacle_direct(actor=people.leader, obstacle=obstacle, text="Phối hợp ngay")
    assert told("obstacle_directed") == {"manager", "officer", "outsider"}
    with django_capture_on_commit_callbacks(execute=True):
        services.obstacle_resolve(actor=people.outsider, obstacle=obstacle, resolution="Xong")
    assert told("obstacle_resolved") == {"manager", "officer"}
    assert not Notification.objects.filter(recipient__username="other_staff").exists()
    notice = Notification.objects.get(kind="obstacle_resolved", recipient=people.manager)
    assert "Phòng CSGT" in notice.summary and "Xong" in notice.summary
