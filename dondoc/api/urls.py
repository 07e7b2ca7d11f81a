"""The API under /api/v1/ and the page of personal tokens."""

from django.urls import path

from dondoc.api import views
from dondoc.api.v1 import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", views.api_not_found),
    path("accounts/tokens/", views.token_list, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke, name="api_token_revoke"),
]
