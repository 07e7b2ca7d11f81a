from django.urls import include, path

urlpatterns = [
    path("", include("dondoc.plans.urls_import")),
]
