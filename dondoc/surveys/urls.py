"""Survey pages: forms, campaigns, submissions; the Excel and consolidation routes follow."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = [
    # Forms, campaigns and submissions (surveys core).
]

# The Excel round trip and the consolidation append their routes below.

# Consolidation, comparison with a baseline and the campaign's Excel export (surveys-cons).
from django.urls import path  # noqa: E402

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
