from django.urls import path

from dondoc.targets import views

urlpatterns = [
    path("targets/", views.target_list, name="target_list"),
    path("targets/new/", views.target_create, name="target_create"),
    path("targets/<int:pk>/", views.target_detail, name="target_detail"),
    path("targets/<int:pk>/edit/", views.target_update, name="target_update"),
    path("targets/<int:pk>/export/", views.target_export, name="target_export"),
    path("targets/<int:pk>/measure/", views.measurement_create, name="measurement_create"),
    path("targets/measurements/<int:pk>/file/", views.measurement_file,
         name="measurement_file"),
    path("targets/<int:pk>/survey/", views.target_survey_link, name="target_survey_link"),
]
