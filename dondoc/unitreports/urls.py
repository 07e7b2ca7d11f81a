from django.urls import path

from dondoc.unitreports import views

urlpatterns = [
    path("unit-reports/", views.index, name="unit_reports"),
    path("unit-reports/matrix/", views.matrix, name="unit_report_matrix"),
    path("unit-reports/matrix/export/", views.matrix_export, name="unit_report_matrix_export"),
    path("unit-reports/obligations/new/", views.obligation_create,
         name="unit_report_obligation_create"),
    path("unit-reports/start/", views.report_start, name="unit_report_start"),
    path("unit-reports/<int:pk>/", views.report_detail, name="unit_report_detail"),
    path("unit-reports/<int:pk>/submit/", views.report_submit, name="unit_report_submit"),
    path("unit-reports/<int:pk>/accept/", views.report_accept, name="unit_report_accept"),
    path("unit-reports/<int:pk>/return/", views.report_return, name="unit_report_return"),
    path("unit-reports/<int:pk>/attach/", views.report_attach, name="unit_report_attach"),
    path("unit-reports/files/<int:pk>/", views.report_file, name="unit_report_file"),
]
