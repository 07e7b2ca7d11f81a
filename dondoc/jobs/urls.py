"""URLs of the background jobs' pages."""

from django.urls import URLPattern, path

from dondoc.jobs import views

urlpatterns: list[URLPattern] = [
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="job_retry"),
]
