"""What the portal reads: published news, and public progress as aggregates only.

Nothing here returns a task: the public progress of a document is counts by status,
the on-time rate and date ranges per task group — never a title, unit, name, comment or
obstacle of a task.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet

from dondoc.core.text import containing_words
from dondoc.plans.models import AccessLevel, Document, Task, TaskGroup
from dondoc.portal.models import Article, Category, Tag, WebLink

PAGE_SIZE = 10
RELATED_COUNT = 5


def public_articles() -> QuerySet[Article]:
    return Article.objects.public().select_related("category")


def search_articles(query: str) -> QuerySet[Article]:
    articles = public_articles()
    articles = containing_words(articles, query)
    return articles


def related_articles(article: Article) -> list[Article]:
    """Other published news of the same category (tin cùng chuyên mục), newest first."""
    return list(public_articles().filter(category_id=article.category_id)
                .exclude(pk=article.pk)[:RELATED_COUNT])


def categories_with_counts() -> list[Category]:
    from django.utils import timezone

    published = Q(articles__status="published", articles__published_at__lte=timezone.now())
    return list(Category.objects.annotate(published=Count("articles", filter=published)))


def tags_of(article: Article) -> list[Tag]:
    return list(article.tags.all())


def web_links() -> list[WebLink]:
    return list(WebLink.objects.filter(active=True))


def public_documents() -> QuerySet[Document]:
    return Document.objects.filter(access_level=AccessLevel.PUBLIC).order_by("-issue_date", "pk")


@dataclass(frozen=True)
class GroupProgress:
    number: str
    title: str
    total: int
    completed: int
    in_progress_on_time: int
    overdue: int
    other: int
    first_day: dt.date | None
    last_day: dt.date | None

    @property
    def done_percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0


@dataclass(frozen=True)
class PublicProgress:
    document: Document
    as_of: dt.date
    total: int
    completed: int
    in_progress_on_time: int
    overdue: int
    other: int
    rate: Decimal | None
    groups: list[GroupProgress]
    start: dt.date | None
    end: dt.date | None


def _split(counts: Any) -> tuple[int, int, int, int]:
    completed = counts.completed_on_time + counts.completed_late
    on_time = counts.in_progress_on_time + counts.awaiting_confirmation
    overdue = counts.in_progress_overdue
    other = counts.total - completed - on_time - overdue
    return completed, on_time, overdue, other


def public_progress(document: Document, as_of: dt.date) -> PublicProgress:
    """Aggregates of a public document's tasks (with its descendants' tasks) as of D.

    The plans that implement a document usually repeat its sections: groups with the same
    number and title are one row (one bar), not the same label twice with other figures.
    """
    from dondoc.dashboards.figures import live_figures
    from dondoc.progress.engine import Counts
    from dondoc.progress.rates import percent

    documents = document_tree_ids(document)
    tasks = Task.objects.filter(document_id__in=documents)
    per_group = live_figures(tasks, as_of, keys=("group",))
    rows = tasks.values("group").annotate(first=Min("starts_on"), assigned=Min("assigned_on"),
                                          last=Max("deadline"))
    spans: dict[Any, dict[str, Any]] = {row["group"]: dict(row) for row in rows}
    groups_by_id = {g.pk: g for g in TaskGroup.objects.filter(document_id__in=documents)}
    merged: dict[tuple[str, str], _MergedGroup] = {}
    for (group_id,), figures in per_group.items():
        group = groups_by_id.get(group_id)
        key = (group.number, group.title) if group else ("", "")
        span: dict[str, Any] = spans.get(group_id, {})
        row = merged.setdefault(key, _MergedGroup(
            counts=Counts(), order=(group.order, group.number) if group else (10**6, "")))
        row.counts = row.counts + figures.counts
        if first := span.get("first") or span.get("assigned"):
            row.firsts.append(first)
        if last := span.get("last"):
            row.lasts.append(last)
    groups = []
    for (number, title), row in sorted(merged.items(),
                                       key=lambda item: (item[0] == ("", ""), item[1].order)):
        completed, on_time, overdue, other = _split(row.counts)
        groups.append(GroupProgress(
            number=number, title=title, total=row.counts.total, completed=completed,
            in_progress_on_time=on_time, overdue=overdue, other=other,
            first_day=min(row.firsts, default=None), last_day=max(row.lasts, default=None),
        ))
    totals = Counts()
    for row in merged.values():
        totals = totals + row.counts
    completed, on_time, overdue, other = _split(totals)
    days = [d for g in groups for d in (g.first_day, g.last_day) if d]
    return PublicProgress(
        document=document, as_of=as_of, total=totals.total, completed=completed,
        in_progress_on_time=on_time, overdue=overdue, other=other,
        rate=percent(totals.on_time_rate), groups=groups,
        start=min(days) if days else None, end=max(days) if days else None,
    )


@dataclass
class _MergedGroup:
    counts: Any
    order: tuple[int, str]
    firsts: list[dt.date] = field(default_factory=list)
    lasts: list[dt.date] = field(default_factory=list)


def document_tree_ids(document: Document) -> list[int]:
    """The document and its descendants (plans implementing it), by breadth."""
    ids = [document.pk]
    frontier = [document.pk]
    while frontier:
        frontier = list(Document.objects.filter(parent_id__in=frontier)
                        .values_list("pk", flat=True))
        frontier = [pk for pk in frontier if pk not in ids]
        ids.extend(frontier)
    return ids


@dataclass(frozen=True)
class PublicTarget:
    """A target of a public document as the portal shows it: the whole target only (no
    unit's figure), its latest standing and the chart of actual against plan."""

    pk: int
    name: str
    measure_unit: str
    target_value: Decimal
    target_date: dt.date
    standing: Any
    chart: dict[str, Any]


def public_targets(document_ids: list[int]) -> list[PublicTarget]:
    """The targets of these (public) documents, with their whole-target measurements, in
    two queries whatever their number."""
    from collections import defaultdict

    from dondoc.targets.models import Measurement, Target
    from dondoc.targets.selectors import current_points, line_of
    from dondoc.targets.trajectory import chart, standing

    targets = list(Target.objects.filter(document_id__in=document_ids).order_by("pk"))
    overall: dict[int, list[Any]] = defaultdict(list)
    for item in Measurement.objects.filter(target__in=targets, unit__isnull=True):
        overall[item.target_id].append(item)
    result = []
    for target in targets:
        line = line_of(target)
        points = current_points(overall[target.pk])
        result.append(PublicTarget(
            pk=target.pk, name=target.name, measure_unit=target.measure_unit,
            target_value=target.target_value, target_date=target.target_date,
            standing=standing(line, points), chart=chart(line, points)))
    return result
