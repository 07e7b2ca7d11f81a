"""Pagination with a bounded page size, the same for every list."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZES = (25, 50, 100)
MAX_PAGE = 10_000_000  # far beyond any list; keeps OFFSET within 64 bits


def page_size(request: HttpRequest, default_size: int = 25) -> int:
    try:
        size = int(request.GET.get("size", default_size))
    except ValueError:
        return default_size
    return size if size in PAGE_SIZES else default_size


def paginate(request: HttpRequest, queryset: Any, *, default_size: int = 25) -> Page[Any]:
    paginator = Paginator(queryset, page_size(request, default_size))
    return paginator.get_page(request.GET.get("page"))


class _CountedSlice:
    """A sequence whose length and one slice are already known (see ``paginate_counted``)."""

    def __init__(self, total: int, start: int, items: list[Any]) -> None:
        self.total, self.start, self.items = total, start, items

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, key: slice) -> list[Any]:
        assert key.start == self.start, "only the precomputed page can be read"
        return self.items


def paginate_counted(request: HttpRequest, fetch: Any, *, default_size: int = 25
                     ) -> Page[Any]:
    """Pagination over ``fetch(start, stop) -> (items, total)``, which loads one page and
    the total its own way; out-of-range pages show the last one, as ``get_page`` does."""
    size = page_size(request, default_size)
    try:
        number = max(int(request.GET.get("page") or 1), 1)
    except ValueError:
        number = 1
    number = min(number, MAX_PAGE)  # an offset every database accepts
    items, total = fetch((number - 1) * size, number * size)
    if not items and number > 1:
        number = (total - 1) // size + 1 if total else 1
        items, total = fetch((number - 1) * size, number * size)
    known: Any = _CountedSlice(total, (number - 1) * size, items)
    paginator: Paginator[Any] = Paginator(known, size)
    return paginator.page(number)


def querystring_without(request: HttpRequest, *keys: str) -> str:
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()
