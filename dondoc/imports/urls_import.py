"""URLs of the Excel import and export."""

from django.urls import URLPattern, path

from dondoc.imports import views as review_views
from dondoc.imports import views_import

urlpatterns: list[URLPattern] = [
    path("documents/<int:pk>/import/", views_import.task_import, name="task_import"),
    path("documents/<int:pk>/import/<str:token>/", views_import.task_import_preview,
         name="task_import_preview"),
    path("tasks/import-template.xlsx", views_import.task_import_template,
         name="task_import_template"),
    path("tasks/import-sample.xlsx", views_import.task_import_sample, name="task_import_sample"),
    path("tasks/export.xlsx", views_import.task_export, name="task_export"),
]

urlpatterns += [
    path("documents/<int:pk>/review/", review_views.document_review, name="document_review"),
    path("review-flags/<int:pk>/clear/", review_views.review_flag_clear,
         name="review_flag_clear"),
    path("unit-groups/", review_views.unit_group_list, name="unit_group_list"),
    path("unit-groups/new/", review_views.unit_group_edit, name="unit_group_create"),
    path("unit-groups/<int:pk>/edit/", review_views.unit_group_edit, name="unit_group_edit"),
]
