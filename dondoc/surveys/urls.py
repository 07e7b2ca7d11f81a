"""Survey pages: forms, campaigns, submissions; the Excel and consolidation routes follow."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = [
    # Forms, campaigns and submissions (surveys core).
]

# The Excel round trip and the consolidation append their routes below.
