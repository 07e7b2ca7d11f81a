"""Documents (directives, plans, projects) and their task groups."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import P, Query, Router
from ninja.params import HeaderEx
from ninja.responses import Status
from pydantic import Field

from dondoc.api.common import PageQuery, paginate, responses, unit_ref, user
from dondoc.api.errors import ApiError, invalid
from dondoc.api.schemas import (
    DocumentCreateIn,
    DocumentOut,
    DocumentPage,
    DocumentUpdateIn,
    GroupIn,
    GroupOut,
    GroupPage,
    ObjectId,
    QueryId,
    SearchText,
)
from dondoc.core.text import containing_words
from dondoc.organization import scoping
from dondoc.organization.models import Unit
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
        "access_level": doc.access_level,
        "shared_with_units": [unit_ref(unit) for unit in doc.shared_with_units.all()],
        "version": doc.version,
    } for doc in documents]


def present_group(group: TaskGroup) -> dict[str, Any]:
    return {"id": group.pk, "document": group.document_id, "number": group.number,
            "title": group.title, "order": group.order}


def _readable(documents: Any) -> Any:
    return documents.select_related("owner_unit").prefetch_related("shared_with_units")


def _visible_document(request: HttpRequest, document_id: int) -> Document:
    return scoping.get_visible_or_404(_readable(scoping.documents_visible_to(user(request))),
                                      pk=document_id)


@router.get("/documents", response=responses({200: DocumentPage}), summary="List documents")
def document_list(request: HttpRequest, query: Query[DocumentQuery]) -> dict[str, Any]:
    """Documents managed in your scope, and the directives above it that you implement."""
    caller = user(request)
    documents = _readable(scoping.documents_visible_to(caller))
    documents = containing_words(documents, query.q)
    if query.kind:
        documents = documents.filter(kind=query.kind)
    if query.parent:
        documents = documents.filter(parent_id=query.parent)
    documents = documents.order_by(*DOCUMENT_ORDERING[query.ordering])
    return paginate(documents, query, lambda page: present_documents(caller, page))


def document_etag(document: Document) -> str:
    return f'"{document.pk}-{document.version}"'


def _etag_header(status: int) -> dict[str, Any]:
    return {"responses": {status: {"headers": {"ETag": {
        "description": "The document's version; send it back as If-Match to change it.",
        "schema": {"type": "string"}}}}}}


def _present_with_etag(caller: Any, document: Document,
                       response: HttpResponse) -> dict[str, Any]:
    response["ETag"] = document_etag(document)
    return present_documents(caller, [document])[0]


def _owner_unit(caller: Any, unit_id: int | None) -> Unit:
    """A unit the caller manages (as on the document form); default: the scope's top."""
    if unit_id is None:
        root = scoping.scope_root(caller)
        if root is None:  # administrators see several trees: say which
            raise invalid("owner_unit", _("Give the managing unit."))
        return root
    unit = scoping.units_manageable_by(caller).filter(is_active=True, pk=unit_id).first()
    if unit is None:
        raise invalid("owner_unit", _("Unknown unit, or one you may not assign to: %(ids)s")
                      % {"ids": unit_id})
    return unit


def _shared_units(caller: Any, unit_ids: list[int]) -> list[Unit]:
    """Units of the caller's scope to share a restricted document with."""
    units = list(scoping.units_visible_to(caller).filter(is_active=True, pk__in=unit_ids))
    unknown = sorted(set(unit_ids) - {unit.pk for unit in units})
    if unknown:
        raise invalid("shared_with_units", _("Unknown units, or outside your scope: %(ids)s")
                      % {"ids": ", ".join(str(pk) for pk in unknown)})
    return units


def _parent_document(caller: Any, document_id: int) -> Document:
    parent = scoping.documents_visible_to(caller).filter(pk=document_id).first()
    if parent is None:
        raise invalid("parent", _("Unknown document: %(id)s") % {"id": document_id})
    return parent


@router.get("/documents/{document_id}", response=responses({200: DocumentOut}),
            summary="One document", openapi_extra=_etag_header(200))
def document_detail(request: HttpRequest, response: HttpResponse,
                    document_id: ObjectId) -> dict[str, Any]:
    """The document; the ``ETag`` header is what ``If-Match`` expects."""
    return _present_with_etag(user(request), _visible_document(request, document_id), response)


@router.post("/documents", response=responses({201: DocumentOut}), summary="Register a document",
             openapi_extra=_etag_header(201))
def document_create(request: HttpRequest, payload: DocumentCreateIn,
                    response: HttpResponse) -> Status[dict[str, Any]]:
    """Staff (for a unit of their agency) and administrators only."""
    caller = user(request)
    if not scoping.has_role(caller, "staff"):
        raise PermissionDenied
    owner = _owner_unit(caller, payload.owner_unit)
    parent = _parent_document(caller, payload.parent) if payload.parent is not None else None
    document = services.document_create(
        actor=caller, kind=payload.kind, number=payload.number.strip(),
        title=payload.title.strip(), issuer=payload.issuer.strip(),
        issue_date=payload.issue_date, summary=payload.summary, parent=parent,
        owner_unit=owner, code_prefix=payload.code_prefix.strip(),
        access_level=payload.access_level,
        shared_with_units=_shared_units(caller, payload.shared_with_units))
    return Status(201, _present_with_etag(caller, _readable(Document.objects).get(
        pk=document.pk), response))


@router.patch("/documents/{document_id}",
              response=responses({200: DocumentOut}, 412, 428), summary="Change a document",
              openapi_extra=_etag_header(200))
def document_update(request: HttpRequest, payload: DocumentUpdateIn, response: HttpResponse,
                    document_id: ObjectId,
                    if_match: HeaderEx[str | None, P(alias="If-Match", description=(
                        "The ETag of the version you changed; a stale one gets 412."))] = None,
                    ) -> dict[str, Any]:
    """Change the fields sent (staff of the managing unit's agency, administrators). Send
    the document's ``ETag`` as ``If-Match``: if someone changed it since, the answer is 412
    and nothing is saved."""
    caller = user(request)
    document = scoping.get_editable_or_403(
        _readable(scoping.documents_visible_to(caller)),
        scoping.documents_editable_by(caller), pk=document_id)
    if not if_match:
        raise ApiError(428, "precondition_required", _(
            "Send the document's ETag in the If-Match header."))
    current = document_etag(document)
    if current not in {tag.strip() for tag in if_match.split(",")} and if_match.strip() != "*":
        raise ApiError(412, "precondition_failed", _(
            "The document has changed since you read it. Read it again, then resend your "
            "change."), headers={"ETag": current})
    sent = payload.model_fields_set
    fields: dict[str, Any] = {name: getattr(payload, name) for name in sent
                              if name not in {"parent", "owner_unit", "shared_with_units"}}
    for name in ("number", "title", "issuer", "code_prefix"):
        if name in fields:
            fields[name] = fields[name].strip()
    if "owner_unit" in sent:
        fields["owner_unit"] = _owner_unit(caller, payload.owner_unit)
    if "parent" in sent:
        fields["parent"] = (_parent_document(caller, payload.parent)
                            if payload.parent is not None else None)
    if "shared_with_units" in sent:
        fields["shared_with_units"] = _shared_units(caller, payload.shared_with_units)
    if fields:
        services.document_update(actor=caller, document=document,
                                 expected_version=document.version, **fields)
    return _present_with_etag(caller, _readable(Document.objects).get(pk=document.pk),
                              response)


@router.get("/documents/{document_id}/groups", response=responses({200: GroupPage}),
            summary="A document's task groups")
def group_list(request: HttpRequest, query: Query[PageQuery],
               document_id: ObjectId) -> dict[str, Any]:
    """The task groups of a document you may see, in their order."""
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
