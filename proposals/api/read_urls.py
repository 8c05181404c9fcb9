"""The API's read endpoints (the proposals and their comments take writes too)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from proposals.api import reading, resources

router = DefaultRouter()
router.include_root_view = False
router.include_format_suffixes = False
router.register("committees", reading.CommitteeViewSet, basename="committee")
router.register("members", reading.MemberViewSet, basename="member")
router.register("projects", reading.ProjectViewSet, basename="project")
router.register("meetings", reading.MeetingViewSet, basename="meeting")
router.register("proposals", resources.ProposalViewSet, basename="proposal")
router.register("events", reading.EventViewSet, basename="event")

urlpatterns = [
    *router.urls,
    path("proposals/<int:pk>/votes/", reading.ProposalVotes.as_view(), name="proposal-votes"),
    path(
        "proposals/<int:pk>/checklist/",
        reading.ProposalChecklist.as_view(),
        name="proposal-checklist",
    ),
    path(
        "proposals/<int:pk>/comments/",
        resources.ProposalComments.as_view(),
        name="proposal-comments",
    ),
    path("proposals/<int:pk>/history/", reading.ProposalHistory.as_view(), name="proposal-history"),
]
