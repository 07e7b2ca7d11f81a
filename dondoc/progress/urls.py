from django.urls import path

from dondoc.progress import views

urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
]
