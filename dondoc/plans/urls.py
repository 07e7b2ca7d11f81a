from django.urls import include, path

from dondoc.plans import views

urlpatterns = [
    path("documents/", views.document_list, name="document_list"),
    path("documents/new/", views.document_create, name="document_create"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("documents/<int:pk>/attach/", views.document_attach, name="document_attach"),
    path("documents/<int:pk>/groups/new/", views.group_create, name="group_create"),
    path("documents/files/<int:pk>/", views.document_file, name="document_file"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/mine/", views.my_tasks, name="my_tasks"),
    path("tasks/print/", views.task_print, name="task_print"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/cascade/", views.task_cascade, name="task_cascade"),
    path("tasks/<int:pk>/progress/", views.task_progress, name="task_progress"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/extend/", views.task_extend, name="task_extend"),
    path("tasks/<int:pk>/suspend/", views.task_suspend, name="task_suspend"),
    path("tasks/<int:pk>/resume/", views.task_resume, name="task_resume"),
    path("tasks/<int:pk>/cancel/", views.task_cancel, name="task_cancel"),
    path("tasks/<int:pk>/direction/", views.task_direction, name="task_direction"),
    path("tasks/files/<int:pk>/", views.task_file, name="task_file"),
    path("directions/<int:pk>/acknowledge/", views.direction_acknowledge,
         name="direction_acknowledge"),
    path("completions/<int:pk>/decide/", views.completion_decide, name="completion_decide"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("units/<int:pk>/transfer/", views.unit_transfer, name="unit_transfer"),
    path("", include("dondoc.plans.urls_import")),
]
