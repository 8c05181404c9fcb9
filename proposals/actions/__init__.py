"""Every change to proposals, votes, checklists and memberships goes through here.

Each `do_*` function runs in one database transaction: it locks the row it changes,
checks the actor's permission and the transition's conditions, changes the row, saves
it and appends the audit event. A refused action raises a `LifecycleError` whose message
says what to do instead, and writes nothing. Views, tasks and commands call these;
they never set states or save proposals themselves.

Callers import this package (`from proposals import actions`); each module holds one
kind of change: `proposals` (create, edit, link a meeting), `transitions` (submit to
resume, and what completing does to the project), `votes`, `checklists`, `comments`
(the discussion), `concerns` (blocking concerns), `watching` (who follows a proposal),
`memberships` (seats and their roles), `invitations` (to a seat, by e-mail), `accounts`
(deactivating one), `projects`, `committees`, `meetings` (the notes import),
`attendance` and `minutes` (who attended a meeting, its minutes), `proxy_votes` and
`link_suggestions` (a chair's notes that mention another committee's proposal) and
`readings` (a chair confirms, corrects, merges or dismisses what an import read). What
they share (locking, the transition runner, the common checks and their messages) is in
`_base`. A person's preferences (notifications, time zone) are in `preferences`, the secret
address of their calendar in `calendars`, their API tokens in `api_tokens`.
Meetings scheduled ahead and their agendas are in `scheduling`. A committee's outgoing
webhooks are in `webhooks`.
"""

from proposals.actions._base import chaired_committee_ids
from proposals.actions.accounts import do_deactivate_user
from proposals.actions.api_tokens import do_create_api_token, do_revoke_api_token
from proposals.actions.attendance import do_record_attendance
from proposals.actions.calendars import do_set_calendar_address
from proposals.actions.checklists import do_set_checklist_item
from proposals.actions.comments import (
    do_edit_comment,
    do_hide_comment,
    do_post_comment,
    do_withdraw_comment,
)
from proposals.actions.committees import (
    COMMITTEE_FIELDS,
    MEETING_RULE_FIELDS,
    do_create_committee,
    do_set_meeting_rules,
    do_update_committee,
)
from proposals.actions.concerns import do_raise_concern, do_resolve_concern, raise_refusal
from proposals.actions.invitations import (
    do_accept_invitation,
    do_invite,
    do_mark_invitation_sent,
    do_withdraw_invitation,
)
from proposals.actions.link_suggestions import (
    do_decide_link_suggestion,
    do_suggest_meeting_link,
    do_withdraw_link_suggestions,
)
from proposals.actions.meetings import MEETING_IMPORT_FIELDS, do_import_meeting
from proposals.actions.memberships import do_add_member, do_change_role, do_end_membership
from proposals.actions.minutes import do_approve_minutes, do_propose_minutes
from proposals.actions.preferences import do_set_notification_preferences, do_set_time_zone
from proposals.actions.projects import PROJECT_FIELDS, do_create_project, do_update_project
from proposals.actions.proposals import (
    EDITABLE_FIELDS,
    TEXT_FIELDS,
    TYPED_FIELDS,
    MeetingLink,
    do_create_proposal,
    do_edit_proposal,
    do_link_meeting,
    do_link_meetings,
    do_unlink_meeting_notes,
)
from proposals.actions.proxy_votes import do_record_proxy_vote
from proposals.actions.readings import (
    do_confirm_reading,
    do_correct_reading,
    do_dismiss_reading,
    do_merge_reading,
)
from proposals.actions.scheduling import (
    do_add_agenda_item,
    do_cancel_meeting,
    do_put_proposal_on_agenda,
    do_reschedule_meeting,
    do_schedule_meeting,
)
from proposals.actions.transitions import (
    TRANSITIONS,
    do_close_vote,
    do_complete,
    do_decide,
    do_defer,
    do_resume,
    do_return_to_discussion,
    do_start_vote,
    do_submit,
    do_withdraw,
)
from proposals.actions.votes import do_cast_vote, do_recuse
from proposals.actions.watching import do_watch
from proposals.actions.webhooks import (
    do_change_webhook,
    do_create_webhook,
    do_remove_webhook,
    do_resend_webhook_delivery,
    do_rotate_webhook_secret,
)

__all__ = [
    # API tokens
    "do_create_api_token",
    "do_revoke_api_token",
    "do_add_agenda_item",
    "do_cancel_meeting",
    "do_put_proposal_on_agenda",
    "do_reschedule_meeting",
    "do_schedule_meeting",
    # proposals
    "EDITABLE_FIELDS",
    "TEXT_FIELDS",
    "TYPED_FIELDS",
    "MeetingLink",
    "do_create_proposal",
    "do_edit_proposal",
    "do_link_meeting",
    "do_link_meetings",
    "do_unlink_meeting_notes",
    "chaired_committee_ids",
    # link suggestions
    "do_suggest_meeting_link",
    "do_decide_link_suggestion",
    "do_withdraw_link_suggestions",
    # transitions
    "TRANSITIONS",
    "do_submit",
    "do_start_vote",
    "do_close_vote",
    "do_return_to_discussion",
    "do_decide",
    "do_complete",
    "do_withdraw",
    "do_defer",
    "do_resume",
    # votes
    "do_cast_vote",
    "do_recuse",
    # checklists
    "do_set_checklist_item",
    # discussion
    "do_post_comment",
    "do_edit_comment",
    "do_withdraw_comment",
    "do_hide_comment",
    "do_raise_concern",
    "do_resolve_concern",
    "raise_refusal",
    "do_watch",
    # memberships
    "do_add_member",
    "do_end_membership",
    "do_change_role",
    # invitations
    "do_invite",
    "do_mark_invitation_sent",
    "do_withdraw_invitation",
    "do_accept_invitation",
    # accounts
    "do_deactivate_user",
    # projects
    "PROJECT_FIELDS",
    "do_create_project",
    "do_update_project",
    # committees
    "COMMITTEE_FIELDS",
    "MEETING_RULE_FIELDS",
    "do_record_attendance",
    "do_set_calendar_address",
    "do_set_meeting_rules",
    "do_propose_minutes",
    "do_approve_minutes",
    "do_record_proxy_vote",
    "do_create_committee",
    "do_update_committee",
    # meetings
    "MEETING_IMPORT_FIELDS",
    "do_import_meeting",
    # readings
    "do_confirm_reading",
    "do_correct_reading",
    "do_merge_reading",
    "do_dismiss_reading",
    # preferences
    "do_set_notification_preferences",
    "do_set_time_zone",
    # webhooks
    "do_create_webhook",
    "do_change_webhook",
    "do_rotate_webhook_secret",
    "do_remove_webhook",
    "do_resend_webhook_delivery",
]
