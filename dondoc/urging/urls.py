"""URLs of the urging letters."""

from django.urls import URLPattern, path

from dondoc.urging import views

urlpatterns: list[URLPattern] = [
    path("urging/", views.letter_list, name="urging_letter_list"),
    path("urging/new/", views.urging_new, name="urging_new"),
    path("urging/<int:pk>/", views.letter_detail, name="urging_letter_detail"),
    path("urging/<int:pk>/download/", views.letter_download, name="urging_letter_download"),
    path("urging/template/", views.template_settings, name="urging_template"),
    path("urging/template/reset/", views.template_reset, name="urging_template_reset"),
    path("urging/template/<str:which>.docx", views.template_download,
         name="urging_template_download"),
]
