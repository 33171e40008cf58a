from django.urls import path

from . import api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("auth/tokens/", api.TokensView.as_view(), name="api-tokens"),
    path("auth/tokens/<str:key>/", api.TokenDetailView.as_view(), name="api-token-detail"),
]
