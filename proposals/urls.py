from django.urls import path

from proposals.views import (
    audit_log,
    committees,
    link_suggestions,
    notes_upload,
    notification_pages,
    pages,
    profile,
    proposal_actions,
    proposal_filing,
    proposal_pages,
    readings,
    revisions,
    search,
)

app_name = "proposals"

urlpatterns = [
    path("", pages.home, name="home"),
    path("proposals/", proposal_pages.proposal_list, name="list"),
    path("proposals/new/", proposal_filing.proposal_create, name="create"),
    path("proposals/<int:pk>/", proposal_pages.proposal_detail, name="detail"),
    path("proposals/<int:pk>/edit/", proposal_actions.proposal_edit, name="edit"),
    path("proposals/<int:pk>/revisions/", revisions.revision_list, name="revision_list"),
    path(
        "proposals/<int:pk>/revisions/<int:number>/",
        revisions.revision_detail,
        name="revision_detail",
    ),
    path(
        "proposals/<int:pk>/revisions/<int:number>/changes/",
        revisions.revision_changes,
        name="revision_changes",
    ),
    path("proposals/<int:pk>/vote/", proposal_actions.vote, name="vote"),
    path("proposals/<int:pk>/recuse/", proposal_actions.recuse, name="recuse"),
    path(
        "proposals/<int:pk>/transition/<slug:name>/",
        proposal_actions.transition,
        name="transition",
    ),
    path(
        "proposals/<int:pk>/checklist/<int:item_pk>/",
        proposal_actions.checklist_item,
        name="checklist_item",
    ),
    path("meetings/", pages.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/", pages.meeting_detail, name="meeting_detail"),
    path("meetings/upload/", notes_upload.notes_upload, name="notes_upload"),
    path(
        "meetings/suggestions/<int:pk>/<slug:decision>/",
        link_suggestions.decide_link_suggestion,
        name="link_suggestion",
    ),
    path("committees/<slug:slug>/", committees.committee_detail, name="committee"),
    path("committees/<slug:slug>/readings/", readings.reading_list, name="readings"),
    path(
        "committees/<slug:slug>/readings/<int:pk>/<slug:decision>/",
        readings.review_reading,
        name="review_reading",
    ),
    path("projects/", pages.project_list, name="project_list"),
    path("projects/new/", proposal_filing.project_create, name="project_create"),
    path("projects/<int:pk>/", pages.project_detail, name="project_detail"),
    path("audit/", audit_log.audit_log, name="audit_log"),
    path("audit/verify/", audit_log.verify_now, name="verify_audit"),
    path("audit/checkpoints.json", audit_log.checkpoints_json, name="audit_checkpoints"),
    path("profile/", profile.profile, name="profile"),
    path("notifications/", notification_pages.notification_list, name="notifications"),
    path("notifications/read/", notification_pages.mark_all_read, name="notifications_read"),
    path("notifications/<int:pk>/read/", notification_pages.mark_read, name="notification_read"),
    path("search/", search.search_page, name="search"),
]
