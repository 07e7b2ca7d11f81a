from django.urls import path

from dondoc.dashboards import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", views.dashboard_export, name="dashboard_export"),
    path("documents/<int:pk>/roadmap/", views.roadmap, name="roadmap"),
    path("calendar/", views.deadline_calendar, name="deadline_calendar"),
]
