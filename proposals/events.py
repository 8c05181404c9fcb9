"""The names of the actions that events in the log record: each written once, here.

Every event the application writes takes its `action` from this module. A transition's
event is named after the transition (`proposal.submit`, `proposal.close_vote`, ...).
"""

from __future__ import annotations

# Proposals
PROPOSAL_CREATED = "proposal.created"
PROPOSAL_EDITED = "proposal.edited"
PROPOSAL_MEETING_LINKED = "proposal.meeting_linked"
PROPOSAL_MEETING_LINK_UPDATED = "proposal.meeting_link_updated"
PROPOSAL_MEETING_UNLINKED = "proposal.meeting_unlinked"
PROPOSAL_LINK_SUGGESTION_CONFIRMED = "proposal.link_suggestion_confirmed"
PROPOSAL_LINK_SUGGESTION_DISMISSED = "proposal.link_suggestion_dismissed"

# Votes and checklists
VOTE_CAST = "vote.cast"
VOTE_CHANGED = "vote.changed"
VOTE_RECUSED = "vote.recused"
VOTE_PROXY_RECORDED = "vote.proxy_recorded"
CHECKLIST_DONE = "checklist.done"
CHECKLIST_REOPENED = "checklist.reopened"

# Discussion
COMMENT_POSTED = "comment.posted"
COMMENT_EDITED = "comment.edited"
COMMENT_WITHDRAWN = "comment.withdrawn"
COMMENT_HIDDEN = "comment.hidden"
CONCERN_RAISED = "concern.raised"
CONCERN_RESOLVED = "concern.resolved"

# Meetings
MEETING_IMPORTED = "meeting.imported"
MEETING_UPDATED = "meeting.updated"
MEETING_LINK_SUGGESTED = "meeting.link_suggested"
MEETING_LINK_SUGGESTION_UPDATED = "meeting.link_suggestion_updated"
MEETING_LINK_SUGGESTION_WITHDRAWN = "meeting.link_suggestion_withdrawn"
MEETING_SCHEDULED = "meeting.scheduled"
MEETING_RESCHEDULED = "meeting.rescheduled"
MEETING_CANCELLED = "meeting.cancelled"
AGENDA_ITEM_ADDED = "agenda.item_added"
AGENDA_PROPOSAL_ADDED = "agenda.proposal_added"
# Attendance and minutes
MEETING_ATTENDANCE_RECORDED = "meeting.attendance_recorded"
MINUTES_PROPOSED = "minutes.proposed"
MINUTES_APPROVED = "minutes.approved"
MINUTES_CHANGED = "minutes.changed"

# Readings of meeting notes, as a chair reviews them
READING_CONFIRMED = "reading.confirmed"
READING_CORRECTED = "reading.corrected"
READING_MERGED = "reading.merged"
READING_DISMISSED = "reading.dismissed"

# Projects
PROJECT_CREATED = "project.created"
PROJECT_UPDATED = "project.updated"
PROJECT_STATUS_CHANGED = "project.status_changed"
PROJECT_RENAMED = "project.renamed"
PROJECT_LEAD_CHANGED = "project.lead_changed"

# Committees and their seats
COMMITTEE_CREATED = "committee.created"
COMMITTEE_UPDATED = "committee.updated"
MEMBERSHIP_STARTED = "membership.started"
MEMBERSHIP_ENDED = "membership.ended"

# People: accounts and their powers, whichever way they change (the site, the admin,
# a management command, code); written by `proposals.account_events`
ACCOUNT_CREATED = "account.created"
ACCOUNT_DELETED = "account.deleted"
ACCOUNT_DETAILS_CHANGED = "account.details_changed"
ACCOUNT_DEACTIVATED = "account.deactivated"
ACCOUNT_REACTIVATED = "account.reactivated"
ACCOUNT_STAFF_GRANTED = "account.staff_granted"
ACCOUNT_STAFF_REMOVED = "account.staff_removed"
ACCOUNT_SUPERUSER_GRANTED = "account.superuser_granted"
ACCOUNT_SUPERUSER_REMOVED = "account.superuser_removed"
ACCOUNT_GROUPS_CHANGED = "account.groups_changed"
ACCOUNT_PERMISSIONS_CHANGED = "account.permissions_changed"
ACCOUNT_PASSWORD_CHANGED = "account.password_changed"  # noqa: S105 (an event name)
ACCOUNT_PASSWORD_RESET = "account.password_reset"  # noqa: S105 (an event name)
ACCOUNT_PREFERENCES_CHANGED = "account.preferences_changed"
ACCOUNT_LOCKED_OUT = "account.locked_out"
ACCOUNT_UNLOCKED = "account.unlocked"
ACCOUNT_SECOND_FACTOR_SET = "account.second_factor_set"
ACCOUNT_SECOND_FACTOR_REMOVED = "account.second_factor_removed"
ACCOUNT_RECOVERY_CODES_RENEWED = "account.recovery_codes_renewed"
ACCOUNT_RECOVERY_CODE_USED = "account.recovery_code_used"
ACCOUNT_CALENDAR_ADDRESS_SET = "account.calendar_address_set"
GROUP_PERMISSIONS_CHANGED = "group.permissions_changed"
# Invitations to a seat, sent by a committee's chair to an e-mail address
INVITATION_SENT = "invitation.sent"
INVITATION_WITHDRAWN = "invitation.withdrawn"
INVITATION_ACCEPTED = "invitation.accepted"


def transition(name: str) -> str:
    """The action of the event a transition writes: `proposal.<transition name>`."""
    return f"proposal.{name}"


# The API's personal tokens and committees' outgoing webhooks
API_TOKEN_CREATED = "api_token.created"  # noqa: S105 (an event name)
API_TOKEN_REVOKED = "api_token.revoked"  # noqa: S105 (an event name)
WEBHOOK_CREATED = "webhook.created"
WEBHOOK_CHANGED = "webhook.changed"
WEBHOOK_REMOVED = "webhook.removed"
WEBHOOK_DELIVERY_RESENT = "webhook.delivery_resent"
