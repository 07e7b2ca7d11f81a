from django.urls import path

from dondoc.reports import views

urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/templates/", views.template_list, name="report_template_list"),
    path("reports/templates/default.docx", views.template_default,
         name="report_template_default"),
    path("reports/templates/<int:pk>/file/", views.template_file, name="report_template_file"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/regenerate/", views.report_regenerate, name="report_regenerate"),
    path("reports/<int:pk>/issue/", views.report_issue, name="report_issue"),
    path("reports/<int:pk>/<str:kind>/", views.report_download, name="report_download"),
]
