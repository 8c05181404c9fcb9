from django.urls import path

from proposals import feeds
from proposals.page_cache import public_page
from proposals.views import (
    accounts,
    api_tokens,
    audit_jobs,
    audit_log,
    calendars,
    comments,
    committees,
    concerns,
    invitations,
    link_suggestions,
    meeting_record,
    notes_upload,
    notification_pages,
    pages,
    people,
    profile,
    proposal_actions,
    proposal_filing,
    proposal_pages,
    readings,
    revisions,
    scheduling,
    search,
    seats,
    webhooks,
)
from proposals.views.access import readable

app_name = "proposals"

urlpatterns = [
    path("", pages.home, name="home"),
    path("proposals/", proposal_pages.proposal_list, name="list"),
    path("proposals/new/", proposal_filing.proposal_create, name="create"),
    path("proposals/<int:pk>/", proposal_pages.proposal_detail, name="detail"),
    path(
        "proposals/<int:pk>/feed/",
        readable(public_page(feeds.ProposalFeed())),
        name="proposal_feed",
    ),
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
    path("proposals/<int:pk>/comments/", comments.comment_post, name="comment_post"),
    path(
        "proposals/<int:pk>/comments/<int:comment_pk>/edit/",
        comments.comment_edit,
        name="comment_edit",
    ),
    path(
        "proposals/<int:pk>/comments/<int:comment_pk>/withdraw/",
        comments.comment_withdraw,
        name="comment_withdraw",
    ),
    path(
        "proposals/<int:pk>/comments/<int:comment_pk>/hide/",
        comments.comment_hide,
        name="comment_hide",
    ),
    path(
        "proposals/<int:pk>/comments/<int:comment_pk>/versions/",
        comments.comment_versions,
        name="comment_versions",
    ),
    path("proposals/<int:pk>/vote/", proposal_actions.vote, name="vote"),
    path("proposals/<int:pk>/recuse/", proposal_actions.recuse, name="recuse"),
    path("proposals/<int:pk>/proxy-vote/", meeting_record.record_proxy_vote, name="proxy_vote"),
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
    path("proposals/<int:pk>/concerns/new/", concerns.raise_concern, name="raise_concern"),
    path(
        "proposals/<int:pk>/concerns/<int:concern_pk>/resolve/",
        concerns.resolve_concern,
        name="resolve_concern",
    ),
    path("proposals/<int:pk>/watch/", concerns.watch, name="watch"),
    path("people/<str:username>/", people.person, name="person"),
    path("meetings/", pages.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/", pages.meeting_detail, name="meeting_detail"),
    path("meetings/upload/", notes_upload.notes_upload, name="notes_upload"),
    path("meetings/<int:pk>/attendance/", meeting_record.record_attendance, name="attendance"),
    path(
        "meetings/<int:pk>/minutes/propose/", meeting_record.propose_minutes, name="propose_minutes"
    ),
    path(
        "meetings/<int:pk>/minutes/approve/", meeting_record.approve_minutes, name="approve_minutes"
    ),
    path(
        "meetings/<int:pk>/minutes/change/",
        meeting_record.change_minutes,
        name="change_minutes",
    ),
    path("meetings/<int:pk>/agenda.md", scheduling.agenda_download, name="agenda"),
    path("meetings/<int:pk>/edit/", scheduling.reschedule_meeting, name="reschedule_meeting"),
    path("meetings/<int:pk>/cancel/", scheduling.cancel_meeting, name="cancel_meeting"),
    path("meetings/<int:pk>/agenda/points/", scheduling.add_agenda_point, name="agenda_point"),
    path(
        "meetings/<int:pk>/agenda/proposals/",
        scheduling.put_proposal_on_agenda,
        name="agenda_proposal",
    ),
    path(
        "meetings/suggestions/<int:pk>/<slug:decision>/",
        link_suggestions.decide_link_suggestion,
        name="link_suggestion",
    ),
    path("committees/<slug:slug>/", committees.committee_detail, name="committee"),
    path(
        "committees/<slug:slug>/feed/",
        readable(public_page(feeds.CommitteeFeed())),
        name="committee_feed",
    ),
    path(
        "committees/<slug:slug>/calendar.ics",
        calendars.committee_calendar,
        name="committee_calendar",
    ),
    path(
        "committees/<slug:slug>/meetings/new/", scheduling.schedule_meeting, name="schedule_meeting"
    ),
    path("committees/<slug:slug>/readings/", readings.reading_list, name="readings"),
    path(
        "committees/<slug:slug>/meeting-rules/",
        meeting_record.set_meeting_rules,
        name="meeting_rules",
    ),
    path(
        "committees/<slug:slug>/readings/<int:pk>/<slug:decision>/",
        readings.review_reading,
        name="review_reading",
    ),
    path("committees/<slug:slug>/seats/", seats.add_seat, name="add_seat"),
    path("committees/<slug:slug>/seats/<int:pk>/role/", seats.change_role, name="change_role"),
    path("committees/<slug:slug>/seats/<int:pk>/end/", seats.end_seat, name="end_seat"),
    path("committees/<slug:slug>/invitations/", seats.invite, name="invite"),
    path(
        "committees/<slug:slug>/invitations/<int:pk>/withdraw/",
        seats.withdraw_invitation,
        name="withdraw_invitation",
    ),
    path("committees/<slug:slug>/webhooks/", webhooks.webhook_list, name="webhooks"),
    path("committees/<slug:slug>/webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook"),
    path(
        "committees/<slug:slug>/webhooks/<int:pk>/secret/",
        webhooks.rotate_secret,
        name="webhook_secret",
    ),
    path(
        "committees/<slug:slug>/webhooks/<int:pk>/remove/",
        webhooks.remove_webhook,
        name="webhook_remove",
    ),
    path(
        "committees/<slug:slug>/webhooks/<int:pk>/deliveries/<int:delivery>/resend/",
        webhooks.resend_delivery,
        name="webhook_resend",
    ),
    path("invitations/<str:token>/", invitations.invitation_page, name="invitation"),
    path("projects/", pages.project_list, name="project_list"),
    path("projects/new/", proposal_filing.project_create, name="project_create"),
    path("projects/names/", proposal_pages.project_names, name="project_names"),
    path("projects/<int:pk>/", pages.project_detail, name="project_detail"),
    path(
        "projects/<int:pk>/feed/", readable(public_page(feeds.ProjectFeed())), name="project_feed"
    ),
    path("audit/", audit_log.audit_log, name="audit_log"),
    path("audit/verify/", audit_log.verify_now, name="verify_audit"),
    path("audit/exports/", audit_jobs.jobs, name="audit_jobs"),
    path("audit/exports/new/", audit_jobs.start_export, name="audit_export"),
    path("audit/exports/<int:pk>/download/", audit_jobs.download, name="audit_download"),
    path("audit/checkpoints.json", audit_log.checkpoints_json, name="audit_checkpoints"),
    path(
        "audit/checkpoints.atom",
        readable(public_page(feeds.CheckpointFeed())),
        name="audit_checkpoints_feed",
    ),
    path("feed/", readable(public_page(feeds.SiteFeed())), name="feed"),
    path("calendar.ics", calendars.site_calendar, name="calendar"),
    path("calendar/<str:secret>.ics", calendars.personal_calendar, name="personal_calendar"),
    path("profile/", profile.profile, name="profile"),
    path("profile/calendar/", calendars.reset_calendar_address, name="reset_calendar"),
    path("profile/tokens/", api_tokens.create_token, name="api_token_create"),
    path("profile/tokens/<int:pk>/revoke/", api_tokens.revoke_token, name="api_token_revoke"),
    path("profile/email/<str:token>/", accounts.confirm_email, name="email_confirm"),
    # Django's own password views, with the site's templates (proposals.views.accounts).
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/sent/",
        accounts.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("notifications/", notification_pages.notification_list, name="notifications"),
    path("notifications/read/", notification_pages.mark_all_read, name="notifications_read"),
    path("notifications/<int:pk>/read/", notification_pages.mark_read, name="notification_read"),
    path("search/", search.search_page, name="search"),
]
