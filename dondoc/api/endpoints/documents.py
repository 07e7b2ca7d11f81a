"""Documents (directives, plans, projects) and their task groups."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status
from pydantic import Field

from dondoc.api.common import PageQuery, paginate, responses, unit_ref, user
from dondoc.api.schemas import (
    DocumentOut,
    DocumentPage,
    GroupIn,
    GroupOut,
    GroupPage,
    ObjectId,
    QueryId,
    SearchText,
)
from dondoc.core.text import fold
from dondoc.organization import scoping
from dondoc.plans import services
from dondoc.plans.models import Document, DocumentKind, TaskGroup

router = Router(tags=["documents"])

DOCUMENT_ORDERING = {
    "issue_date": ("issue_date", "number"), "-issue_date": ("-issue_date", "number"),
    "number": ("number",), "title": ("title",),
}


class DocumentQuery(PageQuery):
    q: SearchText = Field("", description="Words of the number, title or issuer.")
    kind: DocumentKind | None = None
    parent: QueryId | None = Field(None, description="Documents implementing this one.")
    ordering: Literal["issue_date", "-issue_date", "number", "title"] = "issue_date"


def present_documents(caller: Any, documents: list[Document]) -> list[dict[str, Any]]:
    parent_ids = {doc.parent_id for doc in documents if doc.parent_id}
    visible_parents = set(scoping.documents_visible_to(caller).filter(pk__in=parent_ids)
                          .values_list("pk", flat=True)) if parent_ids else set()
    return [{
        "id": doc.pk, "kind": doc.kind, "kind_label": doc.get_kind_display(),
        "number": doc.number, "title": doc.title, "issuer": doc.issuer,
        "issue_date": doc.issue_date, "summary": doc.summary,
        "parent": doc.parent_id if doc.parent_id in visible_parents else None,
        "owner_unit": unit_ref(doc.owner_unit), "code_prefix": doc.code_prefix,
        "is_public": doc.is_public, "version": doc.version,
    } for doc in documents]


def present_group(group: TaskGroup) -> dict[str, Any]:
    return {"id": group.pk, "document": group.document_id, "number": group.number,
            "title": group.title, "order": group.order}


def _visible_document(request: HttpRequest, document_id: int) -> Document:
    return scoping.get_visible_or_404(
        scoping.documents_visible_to(user(request)).select_related("owner_unit"),
        pk=document_id)


@router.get("/documents", response=responses({200: DocumentPage}), summary="List documents")
def document_list(request: HttpRequest, query: Query[DocumentQuery]) -> dict[str, Any]:
    """Documents managed in your scope, and the directives above it that you implement."""
    caller = user(request)
    documents = scoping.documents_visible_to(caller).select_related("owner_unit")
    for word in fold(query.q).split():
        documents = documents.filter(search_text__contains=word)
    if query.kind:
        documents = documents.filter(kind=query.kind)
    if query.parent:
        documents = documents.filter(parent_id=query.parent)
    documents = documents.order_by(*DOCUMENT_ORDERING[query.ordering])
    return paginate(documents, query, lambda page: present_documents(caller, page))


@router.get("/documents/{document_id}", response=responses({200: DocumentOut}),
            summary="One document")
def document_detail(request: HttpRequest,
                    document_id: ObjectId) -> dict[str, Any]:
    return present_documents(user(request), [_visible_document(request, document_id)])[0]


@router.get("/documents/{document_id}/groups", response=responses({200: GroupPage}),
            summary="A document's task groups")
def group_list(request: HttpRequest, query: Query[PageQuery],
               document_id: ObjectId) -> dict[str, Any]:
    document = _visible_document(request, document_id)
    groups = document.groups.order_by("order", "id")
    return paginate(groups, query, lambda page: [present_group(group) for group in page])


@router.post("/documents/{document_id}/groups", response=responses({201: GroupOut}),
             summary="Add a task group")
def group_create(request: HttpRequest, payload: GroupIn,
                 document_id: ObjectId) -> Status[dict[str, Any]]:
    """Staff of the managing unit only. Numbers are unique within the document."""
    caller = user(request)
    document = scoping.get_editable_or_403(scoping.documents_visible_to(caller),
                                           scoping.documents_editable_by(caller),
                                           pk=document_id)
    group = services.group_create(actor=caller, document=document, number=payload.number,
                                  title=payload.title, order=payload.order)
    return Status(201, present_group(group))
