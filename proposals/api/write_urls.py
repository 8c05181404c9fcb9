"""The API's write endpoints (filing and editing a proposal, and commenting, are on the
read endpoints' URLs)."""

from django.urls import path

from proposals.api import writing

urlpatterns = [
    path(
        "proposals/<int:pk>/transitions/<str:name>/",
        writing.TransitionView.as_view(),
        name="proposal-transition",
    ),
    path("proposals/<int:pk>/vote/", writing.VoteView.as_view(), name="proposal-vote"),
    path("proposals/<int:pk>/recuse/", writing.RecuseView.as_view(), name="proposal-recuse"),
]
