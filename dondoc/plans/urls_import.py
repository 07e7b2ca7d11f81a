"""URLs of the Excel import and export (filled in by the import module)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
