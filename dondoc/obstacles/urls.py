from django.urls import path

from dondoc.obstacles import views

urlpatterns = [
    path("obstacles/", views.obstacle_list, name="obstacle_list"),
    path("obstacles/ageing/", views.obstacle_ageing, name="obstacle_ageing"),
    path("obstacles/export/", views.obstacle_export, name="obstacle_export"),
    path("obstacles/new/", views.obstacle_create, name="obstacle_create"),
    path("obstacles/<int:pk>/", views.obstacle_detail, name="obstacle_detail"),
    path("obstacles/<int:pk>/edit/", views.obstacle_edit, name="obstacle_edit"),
    path("obstacles/<int:pk>/escalate/", views.obstacle_escalate, name="obstacle_escalate"),
    path("obstacles/<int:pk>/reject/", views.obstacle_reject, name="obstacle_reject"),
    path("obstacles/<int:pk>/direct/", views.obstacle_direct, name="obstacle_direct"),
    path("obstacles/<int:pk>/resolve/", views.obstacle_resolve, name="obstacle_resolve"),
]
