"""Survey pages: forms, campaigns, submissions; the Excel and consolidation routes follow."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = [
    # Forms, campaigns and submissions (surveys core).
]

# The Excel round trip and the consolidation append their routes below.

# The Excel round trip of a submission (dondoc.surveys.views_excel).
from django.urls import path  # noqa: E402 — appended block, kept apart to merge cleanly

from dondoc.surveys import views_excel  # noqa: E402

urlpatterns += [
    path("surveys/submissions/<int:pk>/excel/", views_excel.submission_workbook,
         name="survey_workbook"),
    path("surveys/submissions/<int:pk>/excel/upload/", views_excel.submission_workbook_upload,
         name="survey_workbook_upload"),
    path("surveys/submissions/<int:pk>/excel/upload/<str:token>/",
         views_excel.submission_workbook_preview, name="survey_workbook_preview"),
]
