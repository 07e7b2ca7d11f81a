"""Writes of the urging letters: generate and record letters, replace the template.

``letters_generate`` renders one letter per unit, or one letter to all the units with
an appendix per unit, from the scope's Word template; each letter is saved in its own
transaction with its number, its DOCX (and SHA-256), one ``UrgingRecord`` per unit and
task, and its audit event; ``signals.urging_sent`` follows on commit. Letters of one
batch share ``batch``: a batch run again (a retried job) skips the units it already
wrote to, so nobody is urged twice by one request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dondoc.audit.models import Action
from dondoc.audit.services import record
from dondoc.core import officedocs
from dondoc.core.files import storage_name, validate_upload
from dondoc.core.text import fold
from dondoc.organization import scoping
from dondoc.organization.models import Unit
from dondoc.plans.models import Document
from dondoc.urging import letters, selectors
from dondoc.urging.models import LetterMode, UrgingLetter, UrgingRecord, UrgingTemplate
from dondoc.urging.signals import urging_sent

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class LetterOptions:
    """What staff chose on the form: whom to urge, as of when, and what the letter says.

    ``unit_ids`` ``None`` means every unit of the scope with an overdue task."""

    scope_id: int
    as_of: dt.date
    due_soon_days: int
    mode: str
    letter_date: dt.date
    symbol: str
    subject: str
    governing_body: str
    issuer_name: str
    place: str
    signer_authority: str
    signer_position: str
    signer_name: str
    unit_ids: list[int] | None = None
    document_id: int | None = None
    reply_by: dt.date | None = None
    copies_to: list[str] = field(default_factory=list)

    def as_params(self) -> dict[str, Any]:
        values = asdict(self)
        for key in ("as_of", "letter_date", "reply_by"):
            values[key] = values[key].isoformat() if values[key] else None
        return values

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> LetterOptions:
        values: dict[str, Any] = {key: params.get(key) for key in cls.__dataclass_fields__}
        for key in ("as_of", "letter_date", "reply_by"):
            values[key] = dt.date.fromisoformat(str(values[key])) if values[key] else None
        values["copies_to"] = list(values.get("copies_to") or [])
        return cls(**values)


def template_bytes(user: Any) -> tuple[bytes, str]:
    """The Word template letters of ``user``'s scope are made from, and its SHA-256."""
    uploaded = selectors.active_template(user)
    if uploaded is not None:
        with uploaded.file.open("rb") as handle:
            data = handle.read()
    else:
        data = letters.DEFAULT_TEMPLATE.read_bytes()
    return data, hashlib.sha256(data).hexdigest()


def _facts(options: LetterOptions, *, actor: Any, number: str,
           units: list[selectors.UnitPreview], document: Document | None) -> letters.LetterFacts:
    staff_unit = actor.unit
    with translation.override("vi"):  # the letter is Vietnamese whoever generates it
        document_facts = None
        if document is not None:
            document_facts = {
                "kind": str(document.get_kind_display()), "number": document.number,
                "issue_date": document.issue_date.strftime("%d/%m/%Y"),
                "issuer": document.issuer, "title": document.title,
            }
    return letters.LetterFacts(
        governing_body=options.governing_body, issuer_name=options.issuer_name,
        staff_unit_name=staff_unit.name if staff_unit else "",
        staff_unit_code=staff_unit.code if staff_unit else "",
        number=number, place=options.place, letter_date=options.letter_date,
        as_of=options.as_of, subject=options.subject,
        units=tuple(letters.UnitTasks(
            name=item.unit.name, code=item.unit.code,
            tasks=tuple(letters.UrgedTask(
                code=row.task.code, title=row.task.title, deadline=row.deadline,
                urged_as=row.urged_as, days_overdue=row.days_overdue, progress=row.progress,
                document_number=row.task.document.number) for row in item.rows))
            for item in units),
        combined=options.mode == LetterMode.COMBINED,
        due_soon_days=options.due_soon_days,
        signer_authority=options.signer_authority, signer_position=options.signer_position,
        signer_name=options.signer_name, copies_to=tuple(options.copies_to),
        reply_by=options.reply_by, document=document_facts)


def _file_name(letter: UrgingLetter, units: list[selectors.UnitPreview]) -> str:
    who = fold(units[0].unit.code).replace(" ", "-") if len(units) == 1 else "nhieu-don-vi"
    return f"cong-van-don-doc-{letter.sequence}-{letter.year}-{who}.docx"


def _next_sequence(issuing_unit: Unit, year: int) -> int:
    found = UrgingLetter.objects.filter(issuing_unit=issuing_unit, year=year).aggregate(
        top=Max("sequence"))["top"]
    return int(found or 0) + 1


def _issue_letter(*, actor: Any, options: LetterOptions, batch: uuid.UUID, scope: Unit,
                  units: list[selectors.UnitPreview], document: Document | None,
                  template: bytes, template_sha: str) -> UrgingLetter:
    """Number, render and record one letter (retrying the number on a concurrent one)."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return _issue_letter_once(actor=actor, options=options, batch=batch,
                                          scope=scope, units=units, document=document,
                                          template=template, template_sha=template_sha)
        except IntegrityError:  # another letter took the number meanwhile
            continue
    raise ValidationError(_("The letter could not be numbered: try again."), code="number")


def _issue_letter_once(*, actor: Any, options: LetterOptions, batch: uuid.UUID, scope: Unit,
                       units: list[selectors.UnitPreview], document: Document | None,
                       template: bytes, template_sha: str) -> UrgingLetter:
    issuing_unit = actor.unit
    year = options.letter_date.year
    sequence = _next_sequence(issuing_unit, year)
    number = f"{sequence}/{options.symbol}" if options.symbol else str(sequence)
    facts = _facts(options, actor=actor, number=number, units=units, document=document)
    try:
        content = letters.render_letter(template, facts)
    except officedocs.TemplateProblem as problem:
        raise ValidationError(
            _("The letter template cannot be used: %(problem)s Replace it or go back to the "
              "default template on the template page."), params={"problem": str(problem)},
            code="template") from problem
    letter = UrgingLetter(
        batch=batch, scope_unit=scope, issuing_unit=issuing_unit, year=year,
        sequence=sequence, number=number, letter_date=options.letter_date,
        as_of=options.as_of, reply_by=options.reply_by, due_soon_days=options.due_soon_days,
        mode=options.mode, document=document, subject=options.subject[:300],
        signer_authority=options.signer_authority, signer_position=options.signer_position,
        signer_name=options.signer_name, template_sha256=template_sha, created_by=actor,
        size=len(content), sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor)
    letter.original_name = _file_name(letter, units)
    letter.file.save(storage_name("urging", letter.original_name), ContentFile(content),
                     save=False)
    letter.save()
    letter.units.set([item.unit for item in units])
    UrgingRecord.objects.bulk_create([
        UrgingRecord(letter=letter, unit=item.unit, task=row.task, urged_as=row.urged_as,
                     deadline=row.deadline, days_overdue=row.days_overdue)
        for item in units for row in item.rows])
    record(actor=actor, action=Action.CREATE, obj=letter, unit_id=issuing_unit.pk,
           changes={"number": [None, number], "units": [None, [i.unit.code for i in units]],
                    "tasks": [None, sum(len(item.rows) for item in units)],
                    "as_of": [None, options.as_of], "sha256": [None, letter.sha256]})
    recipients = [item.unit for item in units]
    transaction.on_commit(lambda: urging_sent.send(sender=UrgingLetter, letter=letter,
                                                   units=recipients))
    return letter


def _check(actor: Any, options: LetterOptions) -> tuple[Unit, Document | None]:
    if not scoping.can_urge(actor):
        raise PermissionDenied
    if actor.unit is None:
        raise ValidationError(_("Your account belongs to no unit: letters are issued by a "
                                "unit."), code="no_unit")
    scope = scoping.units_visible_to(actor).filter(pk=options.scope_id).first()
    if scope is None:
        raise ValidationError(_("Choose a unit of your scope."), code="scope")
    if options.unit_ids is not None:
        inside = set(scoping.units_visible_to(actor).filter(
            pk__in=options.unit_ids, path__startswith=scope.path).values_list("pk", flat=True))
        if inside != set(options.unit_ids):
            raise ValidationError(_("Every unit urged must be in the chosen scope."),
                                  code="units")
    document = None
    if options.document_id is not None:
        document = scoping.documents_titled_for(actor).filter(pk=options.document_id).first()
        if document is None:
            raise ValidationError(_("Choose a document you may see."), code="document")
    return scope, document


def letters_generate(*, actor: Any, options: LetterOptions, batch: uuid.UUID | None = None,
                     progress: Callable[[int, int], None] | None = None,
                     ) -> list[UrgingLetter]:
    """Issue the letters ``options`` describe; returns them (also those of ``batch``
    already issued by an earlier run). Refused with a ``ValidationError`` when no unit
    has anything to urge."""
    scope, document = _check(actor, options)
    batch = batch or uuid.uuid4()
    found = selectors.preview(user=actor, scope=scope, as_of=options.as_of,
                              due_soon_days=options.due_soon_days, unit_ids=options.unit_ids,
                              document_id=options.document_id)
    if not found:
        raise ValidationError(_("No unit chosen has an overdue or due-soon task as of that "
                                "date: there is nothing to urge."), code="nothing")
    template, template_sha = template_bytes(actor)
    groups = ([[item] for item in found] if options.mode == LetterMode.PER_UNIT
              else [found])
    done = {unit_id for unit_id in UrgingLetter.units.through.objects.filter(
        urgingletter__batch=batch).values_list("unit_id", flat=True)}
    issued = list(UrgingLetter.objects.filter(batch=batch))
    for index, group in enumerate(groups, start=1):
        if all(item.unit.pk in done for item in group):
            continue
        issued.append(_issue_letter(actor=actor, options=options, batch=batch, scope=scope,
                                    units=group, document=document, template=template,
                                    template_sha=template_sha))
        if progress is not None:
            progress(index, len(groups))
    return issued


# The background job (kind ``urging.generate``) -----------------------------------------


def run_generate_job(context: Any) -> dict[str, Any]:
    """Job handler: issue the batch's letters, reporting progress letter by letter."""
    from django.urls import reverse

    params = context.params
    owner = context.owner
    if owner is None or not owner.is_active:
        raise ValidationError(_("The account that asked for the letters is no longer "
                                "active."), code="owner")
    options = LetterOptions.from_params(params["options"])
    batch = uuid.UUID(params["batch"])
    context.progress(0, max(1, int(params.get("expected", 1))),
                     _("Generating the letters…"))
    issued = letters_generate(actor=owner, options=options, batch=batch,
                              progress=lambda done, total: context.progress(done, total))
    return {"url": f"{reverse('urging_letter_list')}?batch={batch}",
            "summary": ngettext("%(count)d letter issued.", "%(count)d letters issued.",
                                len(issued)) % {"count": len(issued)},
            "letters": [letter.pk for letter in issued]}


def generate_back_url(job: Any) -> str:
    from django.urls import reverse

    return reverse("urging_new")


# The template ------------------------------------------------------------------------


@transaction.atomic
def template_upload(*, actor: Any, upload: UploadedFile) -> UrgingTemplate:
    """Put ``upload`` in use as the scope's letter template once it renders the sample
    letters; the template it replaces is kept (not in use)."""
    if not scoping.can_urge(actor):
        raise PermissionDenied
    scope = selectors.template_scope(actor)
    if scope is None:
        raise ValidationError(_("Your account belongs to no unit."), code="no_unit")
    validate_upload(upload, allowed=(".docx",))
    data = upload.read()
    upload.seek(0)
    try:
        letters.check_template(data)
    except officedocs.TemplateProblem as problem:
        raise ValidationError(
            _("This template cannot be used: %(problem)s See the list of variables below."),
            params={"problem": str(problem)}, code="template") from problem
    UrgingTemplate.objects.filter(scope_unit=scope, is_active=True).update(is_active=False)
    name = (upload.name or "template.docx")[:255]
    template = UrgingTemplate(scope_unit=scope, original_name=name, size=len(data),
                              sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor)
    template.file.save(storage_name("urging", name), ContentFile(data), save=False)
    template.save()
    record(actor=actor, action=Action.CREATE, obj=template, unit_id=scope.pk,
           changes={"file": [None, name], "sha256": [None, template.sha256]})
    return template


@transaction.atomic
def template_reset(*, actor: Any) -> None:
    """Go back to the default template for the scope."""
    if not scoping.can_urge(actor):
        raise PermissionDenied
    scope = selectors.template_scope(actor)
    current = UrgingTemplate.objects.filter(scope_unit=scope, is_active=True).first()
    if current is None:
        return
    UrgingTemplate.objects.filter(pk=current.pk).update(is_active=False)
    record(actor=actor, action=Action.UPDATE, obj=current, unit_id=getattr(scope, "pk", None),
           changes={"is_active": [True, False]}, message="reset to the default template")


def default_symbol(actor: Any) -> str:
    """"CATP-PV01": the agency's code and the issuing unit's (as in "Số: 15/CATP-PV01")."""
    root = selectors.template_scope(actor)
    unit = getattr(actor, "unit", None)
    if unit is None:
        return ""
    if root is None or root.pk == unit.pk:
        return unit.code
    return f"{root.code}-{unit.code}"


def default_governing_body() -> str:
    return str(getattr(settings, "DONDOC_URGING_GOVERNING_BODY", "Bộ Công an"))


def default_place() -> str:
    return str(getattr(settings, "DONDOC_URGING_PLACE", "Đà Nẵng"))
