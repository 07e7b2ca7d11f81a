from django.urls import path

from dondoc.inspections import views

urlpatterns = [
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/edit/", views.inspection_edit, name="inspection_edit"),
    path("inspections/<int:pk>/start/", views.inspection_start, name="inspection_start"),
    path("inspections/<int:pk>/findings/new/", views.finding_add, name="finding_add"),
    path("inspections/<int:pk>/recommendations/new/", views.recommendation_add,
         name="recommendation_add"),
    path("inspections/<int:pk>/conclude/", views.inspection_conclude,
         name="inspection_conclude"),
    path("inspections/<int:pk>/recommendations.xlsx", views.inspection_export,
         name="inspection_export"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/conclusions/new/", views.conclusion_add, name="conclusion_add"),
    path("meetings/<int:pk>/notice/", views.meeting_notice, name="meeting_notice"),
    path("meetings/conclusions/<int:pk>/task/", views.conclusion_task, name="conclusion_task"),
]
