"""Directive documents, their task groups, tasks and the task workflow records."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dondoc.core.models import SearchTextMixin, VersionedModel
from dondoc.core.text import fold


class DocumentKind(models.TextChoices):
    RESOLUTION = "resolution", _("Resolution")  # Nghị quyết
    DIRECTIVE = "directive", _("Directive")  # Chỉ thị
    DECISION = "decision", _("Decision")  # Quyết định
    CONCLUSION = "conclusion", _("Conclusion")  # Kết luận
    PLAN = "plan", _("Plan")  # Kế hoạch
    PROGRAMME = "programme", _("Programme")  # Chương trình
    PROJECT = "project", _("Project (Đề án)")  # Đề án
    COMPONENT_PROJECT = "component_project", _("Component project")  # Đề án thành phần
    INVESTMENT = "investment", _("Investment project (Dự án)")  # Dự án
    NOTICE = "notice", _("Notice of conclusions")  # Thông báo kết luận
    # Registered by dondoc.inspections: they own the follow-up tasks of an inspection and
    # of a steering-committee meeting.
    INSPECTION = "inspection", _("Inspection conclusion")  # Kết luận kiểm tra
    # Thông báo kết luận của Ban Chỉ đạo
    MEETING_NOTICE = "meeting_notice", _("Steering-committee conclusion notice")
    OTHER = "other", _("Other document")


class AccessLevel(models.TextChoices):
    """Who may read a document's content (summary, files): see ``scoping.documents_visible_to``."""

    PUBLIC = "public", _("Public (also on the public portal)")
    INTERNAL = "internal", _("Internal (the agency's own units)")
    RESTRICTED = "restricted", _("Restricted (the units it is shared with)")


class Document(SearchTextMixin, VersionedModel):
    """A directive or plan: a node of the tree Resolution → Plan → Programme → Project.

    ``owner_unit`` is the unit that registered and manages the document in dondoc;
    ``access_level`` (and ``shared_with_units``) say who else may read its content.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    number = models.CharField(_("number/symbol"), max_length=60,
                              help_text=_("As written on the document, e.g. 12-NQ/TW."))
    title = models.CharField(_("title"), max_length=500)
    issuer = models.CharField(_("issuing body"), max_length=255)
    issue_date = models.DateField(_("issue date"))
    summary = models.TextField(_("summary"), blank=True)
    parent = models.ForeignKey("self", verbose_name=_("implements"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    owner_unit = models.ForeignKey("organization.Unit", verbose_name=_("managing unit"),
                                   on_delete=models.PROTECT, related_name="documents")
    code_prefix = models.CharField(
        _("task code prefix"), max_length=20,
        help_text=_("Prefix of the codes of its tasks, e.g. KH118 gives KH118-III.2."),
    )
    access_level = models.CharField(
        _("access level"), max_length=10, choices=AccessLevel.choices,
        default=AccessLevel.INTERNAL,
        help_text=_("Public: anyone, also on the public portal. Internal: every account of "
                    "the agency's own units, not external agencies. Restricted: only the "
                    "units it is shared with, and the managing unit's scope."),
    )
    shared_with_units = models.ManyToManyField(
        "organization.Unit", verbose_name=_("shared with"), blank=True,
        related_name="shared_documents",
        help_text=_("For a restricted document: the units (with their sub-units) that may "
                    "read it."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    search_text = models.CharField(max_length=800, blank=True, editable=False, db_index=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["issue_date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["code_prefix"], name="plans_document_code_prefix")
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    def compute_search_text(self) -> str:
        return fold(f"{self.number} {self.title} {self.issuer}")[:800]

    def clean(self) -> None:
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A document cannot implement itself.")})


class StoredFile(models.Model):
    """An uploaded file kept outside the web root under a random name (the services choose
    it, see ``dondoc.core.files.storage_name``), with its original name and content hash."""

    file = models.FileField(_("file"), upload_to="", max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class DocumentAttachment(StoredFile):
    """A file of a document (the signed PDF, the DOCX)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")

    class Meta(StoredFile.Meta):
        verbose_name = _("document file")
        verbose_name_plural = _("document files")


class TaskGroup(models.Model):
    """A numbered group of tasks inside a document ("08 nhóm nhiệm vụ, giải pháp")."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="groups")
    number = models.CharField(_("number"), max_length=10, help_text=_("I, II, … or 1, 2, …"))
    title = models.CharField(_("title"), max_length=500)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("task group")
        verbose_name_plural = _("task groups")
        ordering = ["document", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["document", "number"],
                                               name="plans_taskgroup_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class DeadlineKind(models.TextChoices):
    FIXED = "fixed", _("Fixed date")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    STANDING = "standing", _("Standing (ongoing)")
    NONE = "none", _("Deadline to set")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class TaskState(models.TextChoices):
    """The workflow state, set by actions. Timeliness is derived separately (status engine)."""

    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Completion requested")
    RETURNED = "returned", _("Returned for rework")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.RETURNED,
               TaskState.SUBMITTED, TaskState.SUSPENDED)


class Task(SearchTextMixin, VersionedModel):
    """One assigned task: exactly one lead unit, any coordinating units.

    The ``deadline``, ``completed_on``, ``completion_late``, ``pending_since`` and
    ``last_progress_on`` fields are maintained by the services so that today's status
    is one indexed expression; history lives in the workflow records below, from which
    the status as of any past date is derived.
    """

    document = models.ForeignKey(Document, verbose_name=_("document"), on_delete=models.PROTECT,
                                 related_name="tasks")
    group = models.ForeignKey(TaskGroup, verbose_name=_("task group"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="tasks")
    parent = models.ForeignKey("self", verbose_name=_("parent task"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    code = models.CharField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("task"), max_length=1000)
    description = models.TextField(_("description"), blank=True)
    lead_unit = models.ForeignKey("organization.Unit", verbose_name=_("lead unit"),
                                  on_delete=models.PROTECT, related_name="led_tasks")
    coordinating_units = models.ManyToManyField(
        "organization.Unit", verbose_name=_("coordinating units"), blank=True,
        related_name="coordinated_tasks",
    )
    assigning_unit = models.ForeignKey("organization.Unit", verbose_name=_("assigning unit"),
                                       on_delete=models.PROTECT, related_name="assigned_tasks")
    # The lead unit's agency: the nearest unit at or above it flagged ``is_scope_root``
    # (None when there is none). Kept by the services (``task_create``, ``task_update``,
    # ``tasks_bulk_prepare``, ``tasks_transfer``, and ``task_agencies_refresh`` when the
    # unit tree changes) so that an agency's tasks are one indexed read in
    # ``scoping.tasks_visible_to`` instead of a test of unit paths on every task.
    agency = models.ForeignKey("organization.Unit", verbose_name=_("agency"), null=True,
                               blank=True, editable=False, db_index=False,
                               on_delete=models.PROTECT, related_name="+")
    deadline_kind = models.CharField(_("deadline kind"), max_length=10,
                                     choices=DeadlineKind.choices, default=DeadlineKind.FIXED)
    due_date = models.DateField(_("original due date"), null=True, blank=True)
    deadline = models.DateField(_("deadline in force"), null=True, blank=True, db_index=True)
    expected_product = models.CharField(_("expected product"), max_length=500, blank=True)
    # As an imported appendix wrote them: the deadline cell ("Sau khi Luật được thông
    # qua"), the start of a range ("2022-2030") and the columns the importer did not know.
    deadline_text = models.CharField(_("deadline as written"), max_length=500, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    extra_columns = models.JSONField(_("other columns"), default=dict, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices,
                                                default=Priority.NORMAL)
    tags = models.CharField(_("tags"), max_length=200, blank=True,
                            help_text=_("Comma-separated keywords."))
    state = models.CharField(_("state"), max_length=12, choices=TaskState.choices,
                             default=TaskState.ASSIGNED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0,
                                                validators=[MaxValueValidator(100)])
    assigned_on = models.DateField(_("assigned on"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    accepted_on = models.DateField(_("completion confirmed on"), null=True, blank=True)
    completion_late = models.BooleanField(default=False)
    pending_since = models.DateField(_("completion requested on"), null=True, blank=True)
    pending_late = models.BooleanField(default=False)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    last_progress_on = models.DateField(_("last progress report"), null=True, blank=True)
    is_public = models.BooleanField(_("shown on the public portal"), default=False)
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("officers assigned"), blank=True,
        related_name="personal_tasks",
        help_text=_("Officers of the unit responsible for the task (cán bộ được giao)."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    search_text = models.CharField(max_length=1200, blank=True, editable=False)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["document_id", "code"]
        indexes = [
            models.Index(fields=["lead_unit", "state", "deadline"], name="plans_task_lead_state"),
            models.Index(fields=["state", "deadline"], name="plans_task_state_deadline"),
            models.Index(fields=["document", "group"], name="plans_task_doc_group"),
            # tasks_visible_to: an agency's tasks, and those its units assigned to another.
            models.Index(fields=["agency", "id"], name="plans_task_agency"),
            models.Index(fields=["assigning_unit", "agency", "id"],
                         name="plans_task_assigning_agency"),
            # plans_task_counted_on (assigned_on, cancelled_on): PostgreSQL only, created by
            # migration 0010 (SQLite's planner walks it for nearly every row).
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100),
                                   name="plans_task_progress_lte_100"),
            models.CheckConstraint(
                condition=Q(deadline_kind="fixed", due_date__isnull=False)
                | ~Q(deadline_kind="fixed"),
                name="plans_task_fixed_has_due_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:80]}"

    def compute_search_text(self) -> str:
        return fold(f"{self.code} {self.title} {self.expected_product} {self.tags}")[:1200]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def clean(self) -> None:
        if self.deadline_kind == DeadlineKind.FIXED and self.due_date is None:
            raise ValidationError({"due_date": _("A task with a fixed deadline needs a due date.")})
        if self.deadline_kind != DeadlineKind.FIXED and self.due_date is not None:
            raise ValidationError({"due_date": _("Only fixed-date tasks have a due date.")})


class AgencyCoordination(models.Model):
    """An agency whose units coordinate a task led by another agency (derived data).

    One row per task and per agency of its coordinating units, other than the task's own
    agency (``Task.agency``); coordinating units outside every scope root give no row. A
    province's staff see the tasks its units coordinate for other agencies through one
    index read of these rows (``scoping.tasks_visible_to``), where the coordinating units
    themselves would mean reading every coordination of the province's units, nearly all
    of them on tasks the province leads itself. Kept by
    ``plans.services.agency_coordinations_refresh``, which the services call wherever a
    task's coordinating units, its lead unit or the unit tree change."""

    agency = models.ForeignKey("organization.Unit", on_delete=models.CASCADE,
                               db_index=False, related_name="+")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("coordination by another agency")
        verbose_name_plural = _("coordinations by other agencies")
        ordering = ["agency_id", "task_id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "task"],
                                    name="plans_agencycoordination_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} → {self.task_id}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    # The requester took the request back: ``decided_on`` is the withdrawal day, so that the
    # request still counts as pending on the days before it (like any other decision).
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DecidedRequest(models.Model):
    """A unit's request that the assigning side decides on (``services._record_decision``)
    or the requesting side withdraws (``services.request_withdraw``)."""

    status = models.CharField(_("decision"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class DeadlineExtension(DecidedRequest):
    """A request to move a deadline; the assigner approves or refuses it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_on = models.DateField(_("requested on"))
    # Empty when the record sets the first deadline of a task assigned without one
    # (kind "none"): that date is recorded like an approved extension.
    current_due = models.DateField(_("deadline when requested"), null=True, blank=True)
    proposed_due = models.DateField(_("proposed deadline"))
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["requested_on", "id"]
        indexes = [models.Index(fields=["task", "status", "decided_on"], name="plans_ext_task")]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.current_due or '—'} → {self.proposed_due}"

    @property
    def sets_deadline(self) -> bool:
        """Whether this record set the first deadline of a task assigned without one."""
        return self.current_due is None


class CompletionRequest(DecidedRequest):
    """A unit reports the task done; the assigner accepts it or returns it with a reason."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="completion_requests")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_on = models.DateField(_("submitted on"))
    deadline_at_submission = models.DateField(null=True, blank=True)
    late = models.BooleanField(_("after the deadline"), default=False)
    note = models.TextField(_("results and product"))

    class Meta:
        verbose_name = _("completion request")
        verbose_name_plural = _("completion requests")
        ordering = ["submitted_on", "id"]
        indexes = [models.Index(fields=["task", "status"], name="plans_completion_task")]

    def __str__(self) -> str:
        return f"{self.task_id} @ {self.submitted_on}"


class Suspension(models.Model):
    """A period during which a task is suspended (tạm hoãn): from ``start`` until ``end``."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="suspensions")
    start = models.DateField(_("suspended from"))
    end = models.DateField(_("resumed on"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                           related_name="+")

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.start} – {self.end or '…'}"


class LeadUnitChange(models.Model):
    """The lead unit changed on ``changed_on`` (transfer after a reorganisation)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="lead_changes")
    old_unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+")
    new_unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+")
    changed_on = models.DateField()

    class Meta:
        verbose_name = _("lead unit change")
        verbose_name_plural = _("lead unit changes")
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.old_unit_id} → {self.new_unit_id}"


class Direction(models.Model):
    """A leader's instruction or comment on a task (ý kiến chỉ đạo)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="directions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    text = models.TextField(_("direction"))
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("direction")
        verbose_name_plural = _("directions")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["task", "acknowledged_at"], name="plans_direction_ack")]

    def __str__(self) -> str:
        return self.text[:80]


class TaskEventKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    EDITED = "edited", _("Edited")
    STATE = "state", _("State changed")
    TRANSFERRED = "transferred", _("Transferred to another unit")
    EXTENSION = "extension", _("Deadline extension")
    COMPLETION = "completion", _("Completion")
    CASCADED = "cascaded", _("Sub-task created")
    PEOPLE = "people", _("Officers assigned")


class TaskEvent(models.Model):
    """A line of the task's timeline that is not a progress update or a direction."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=TaskEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now)
    summary = models.CharField(max_length=500)

    class Meta:
        verbose_name = _("task event")
        verbose_name_plural = _("task events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.summary


class TaskComment(models.Model):
    """A short message on a task between the units concerned and the assigning side: talk
    without filing a progress report. Append-only, like the rest of the timeline."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class TaskFile(StoredFile):
    """Evidence or product files of a task, attached to the step that brought them: a
    progress update, a completion or extension request, or a direction."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="files")
    progress_update = models.ForeignKey("progress.ProgressUpdate", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="files")
    completion_request = models.ForeignKey(CompletionRequest, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="files")
    extension = models.ForeignKey(DeadlineExtension, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="files")
    direction = models.ForeignKey(Direction, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="files")

    class Meta(StoredFile.Meta):
        verbose_name = _("task file")
        verbose_name_plural = _("task files")
