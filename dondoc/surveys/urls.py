"""Survey pages: forms, campaigns, submissions; the Excel and consolidation routes follow."""

from django.urls import URLPattern, URLResolver, path

from dondoc.surveys import views

urlpatterns: list[URLPattern | URLResolver] = [
    # Forms, campaigns and submissions (surveys core).
    path("surveys/", views.campaign_list, name="survey_campaigns"),
    path("surveys/new/", views.campaign_create, name="survey_campaign_create"),
    path("surveys/campaigns/<int:pk>/", views.campaign_detail, name="survey_campaign"),
    path("surveys/campaigns/<int:pk>/open/", views.campaign_step, {"step": "open"},
         name="survey_campaign_open"),
    path("surveys/campaigns/<int:pk>/close/", views.campaign_step, {"step": "close"},
         name="survey_campaign_close"),
    path("surveys/submissions/<int:pk>/", views.submission_detail, name="survey_submission"),
    path("surveys/submissions/<int:pk>/review/", views.submission_review,
         name="survey_submission_review"),
    path("surveys/files/<int:pk>/", views.submission_file, name="survey_file"),
    path("surveys/forms/", views.form_list, name="survey_forms"),
    path("surveys/forms/import/", views.form_import, name="survey_form_import"),
    path("surveys/forms/<int:pk>/", views.form_detail, name="survey_form"),
    path("surveys/forms/<int:pk>/export/", views.form_export, name="survey_form_export"),
]

# The Excel round trip and the consolidation append their routes below.

# The Excel round trip of a submission (dondoc.surveys.views_excel).
from dondoc.surveys import views_excel  # noqa: E402 — appended block, kept apart to merge cleanly

urlpatterns += [
    path("surveys/submissions/<int:pk>/excel/", views_excel.submission_workbook,
         name="survey_workbook"),
    path("surveys/submissions/<int:pk>/excel/upload/", views_excel.submission_workbook_upload,
         name="survey_workbook_upload"),
    path("surveys/submissions/<int:pk>/excel/upload/<str:token>/",
         views_excel.submission_workbook_preview, name="survey_workbook_preview"),
]

# Consolidation, comparison with a baseline and the campaign's Excel export (surveys-cons).
from dondoc.surveys import views_consolidation  # noqa: E402

urlpatterns += [
    path("surveys/campaigns/<int:pk>/consolidation/",
         views_consolidation.campaign_consolidation, name="survey_consolidation"),
    path("surveys/campaigns/<int:pk>/export.xlsx", views_consolidation.campaign_export,
         name="survey_campaign_export"),
    path("surveys/campaigns/<int:pk>/comparison/", views_consolidation.campaign_comparison,
         name="survey_comparison"),
    path("surveys/campaigns/<int:pk>/comparison.xlsx",
         views_consolidation.campaign_comparison_export, name="survey_comparison_export"),
]
