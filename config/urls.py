"""URL map: each app owns its own urls module."""

from django.urls import include, path

from dondoc.core import views as core_views
from dondoc.dashboards import views as dashboard_views

urlpatterns = [
    # The home page: attention cards (core) with the leadership picture under them.
    path("", dashboard_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("dondoc.organization.urls")),
    path("", include("dondoc.audit.urls")),
    path("", include("dondoc.plans.urls")),
    path("", include("dondoc.imports.urls_import")),
    path("", include("dondoc.progress.urls")),
    path("", include("dondoc.dashboards.urls")),
    path("", include("dondoc.api.urls")),  # /api/v1/ and /accounts/tokens/
    path("", include("dondoc.jobs.urls")),
    path("", include("dondoc.reports.urls")),
    path("", include("dondoc.inspections.urls")),
    path("", include("dondoc.urging.urls")),
    path("", include("dondoc.notifications.urls")),
    path("", include("dondoc.portal.urls")),
    path("", include("dondoc.unitreports.urls")),
    path("", include("dondoc.obstacles.urls")),
    path("", include("dondoc.targets.urls")),
    path("", include("dondoc.surveys.urls")),
]

handler500 = "dondoc.core.busy.server_error"
