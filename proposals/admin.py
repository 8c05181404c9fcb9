"""Admin for proposals, votes, checklists and the event log; also memberships and projects.

Changes made here go through `proposals.actions`, as they do on the site, so each one is
checked and leaves an audit event: a proposal's state moves only by its transitions (the
list actions and the buttons on its page), edits of its text use `do_edit_proposal`,
seats use `do_add_member` and `do_end_membership`, projects `do_create_project` and
`do_update_project`. Votes are cast on the site and the event log is never changed, so
both are read-only here. A decision taken in a meeting needs the meeting, and is
recorded on the proposal's page on the site. People and groups keep Django's own admin;
`proposals.account_events` writes the events of their changes.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from pmc.admin import ReadOnly
from pmc.models import Committee, Membership, Project
from proposals import account_events, actions, lifecycle, permissions
from proposals.errors import LifecycleError
from proposals.forms import renderable_markdown
from proposals.models import (
    AuditCheck,
    ChecklistItem,
    Checkpoint,
    EligibleVoter,
    Event,
    Invitation,
    JobFailure,
    LinkSuggestion,
    Notification,
    NotificationPreference,
    OutboxMessage,
    Proposal,
    ProposalMeeting,
    Reading,
    ScheduledRun,
    Vote,
)
from proposals.states import EDITABLE_STATES

# Transitions offered in the admin: all but recording a meeting's decision, which the
# proposal page and the notes import do with the meeting it was taken in.
TRANSITIONS = {
    name: (lifecycle.LABELS[name], do)
    for name, do in actions.TRANSITIONS.items()
    if name != "decide"
}


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    """Rows that only actions write: listed and shown, never added, changed or deleted."""


class ActionSavingAdmin(admin.ModelAdmin):
    """Saves through an action in `save_model`. A refused action rolls the whole save
    back (the admin runs it in one transaction) and shows the refusal's message."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except LifecycleError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# Proposals


class ProposalMeetingInline(admin.TabularInline):
    """Meetings the proposal came up in; a new one is linked through `do_link_meeting`."""

    model = ProposalMeeting
    extra = 0
    fields = ["meeting", "section", "excerpt"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ChecklistItemInline(ReadOnly, admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["position", "text", "owner", "by_system", "done", "done_at", "done_by"]
    readonly_fields = fields


def _transition_action(name: str, label: str):
    def run(modeladmin, request, queryset) -> None:
        for proposal in queryset:
            modeladmin.run_transition(request, proposal, name)

    run.__name__ = f"{name}_selected"
    return admin.action(description=f"{label} selected proposals", permissions=["change"])(run)


class ProposalAdminForm(forms.ModelForm):
    def clean_body(self) -> str:
        return renderable_markdown(self.cleaned_data.get("body") or "")


@admin.register(Proposal)
class ProposalAdmin(ActionSavingAdmin):
    form = ProposalAdminForm
    list_display = ["title", "committee", "kind", "state", "project", "proposer", "closes_at"]
    list_filter = ["state", "kind", "committee"]
    list_select_related = ["committee", "project", "proposer"]
    search_fields = ["title", "body", "project__name", "proposing_team"]
    inlines = [ProposalMeetingInline, ChecklistItemInline]
    actions = [_transition_action(name, label) for name, (label, _) in TRANSITIONS.items()]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "committee",
                    "kind",
                    "project",
                    "title",
                    "body",
                    "proposer",
                    "proposing_team",
                    "condition",
                    "new_name",
                    "new_lead",
                ]
            },
        ),
        ("State", {"fields": ["state", "revision", "created_at", "updated_at"]}),
        (
            "Vote and decision",
            {
                "fields": [
                    "vote_round",
                    "vote_rules",
                    "vote_started_at",
                    "closes_at",
                    "vote_extensions",
                    "vote_closed_at",
                    "decided_at",
                    "decided_in",
                ]
            },
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        buttons = self.transition_buttons(request, obj)
        return [("Transitions", {"fields": [], "description": buttons}), *fieldsets]

    def get_readonly_fields(self, request, obj=None):
        every = [field for _, options in self.fieldsets for field in options["fields"]]
        if obj is not None and self.may_edit(request, obj):
            return [field for field in every if field not in actions.TYPED_FIELDS]
        return every

    def has_add_permission(self, request) -> bool:
        # Proposals are filed by committee members on the site.
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="proposals_proposal_transition",
            ),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change) -> None:
        typed = actions.TYPED_FIELDS
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in typed}
        if changes:
            actions.do_edit_proposal(proposal=obj.pk, actor=request.user, **changes)

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not ProposalMeeting:
            return super().save_formset(request, form, formset, change)
        for mention in formset.save(commit=False):
            actions.do_link_meeting(
                proposal=form.instance.pk,
                meeting=mention.meeting,
                actor=request.user,
                section=mention.section,
                excerpt=mention.excerpt,
            )

    def may_edit(self, request, obj: Proposal) -> bool:
        return obj.state in EDITABLE_STATES and permissions.has_perm(
            "proposals.edit_proposal", request.user, obj
        )

    def transition_buttons(self, request, obj: Proposal) -> str:
        names = [
            transition.name
            for transition in obj.get_available_user_state_transitions(request.user)
            if transition.name in TRANSITIONS
        ]
        if not names:
            return "No transition is open to you in this state."
        buttons = format_html_join(
            " ",
            '<button type="submit" class="button" formmethod="post" formaction="{}" '
            "formnovalidate>{}</button>",
            (
                (reverse("admin:proposals_proposal_transition", args=[obj.pk, name]), label)
                for name, (label, _) in TRANSITIONS.items()
                if name in names
            ),
        )
        # Enter in a text field presses the form's first submit button: keep that Save.
        return format_html('<button type="submit" name="_save" hidden></button>{}', buttons)

    def transition_view(self, request, pk: int, name: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        proposal = get_object_or_404(Proposal, pk=pk)
        if name in TRANSITIONS and self.has_change_permission(request, proposal):
            self.run_transition(request, proposal, name)
        return redirect("admin:proposals_proposal_change", pk)

    def run_transition(self, request, proposal: Proposal, name: str) -> None:
        label, do = TRANSITIONS[name]
        try:
            proposal = do(proposal=proposal, actor=request.user, expected_state=proposal.state)
        except LifecycleError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            state = proposal.get_state_display().lower()
            self.message_user(request, f"{label}: “{proposal}” is now {state}.", messages.SUCCESS)


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "round", "voter", "value", "recused", "binding", "cast_at"]
    list_filter = ["binding", "recused", "value"]
    list_select_related = ["proposal", "voter"]
    search_fields = ["proposal__title", "voter__username", "reason"]


@admin.register(EligibleVoter)
class EligibleVoterAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "round", "user"]
    list_select_related = ["proposal", "user"]
    search_fields = ["proposal__title", "user__username"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ReadOnlyAdmin):
    list_display = ["text", "proposal", "owner", "by_system", "done", "done_at", "done_by"]
    list_filter = ["done", "by_system"]
    list_select_related = ["proposal", "owner", "done_by"]
    search_fields = ["text", "proposal__title"]
    actions = ["tick_selected", "reopen_selected"]

    @admin.action(description="Tick selected items", permissions=["view"])
    def tick_selected(self, request, queryset) -> None:
        self.set_done(request, queryset, done=True)

    @admin.action(description="Reopen selected items", permissions=["view"])
    def reopen_selected(self, request, queryset) -> None:
        self.set_done(request, queryset, done=False)

    def set_done(self, request, queryset, *, done: bool) -> None:
        for item in queryset:
            try:
                actions.do_set_checklist_item(item=item, actor=request.user, done=done)
            except LifecycleError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, f"{'Ticked' if done else 'Reopened'}: {item.text}.")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "action", "actor_name", "committee", "proposal", "to_state"]
    list_filter = ["action", "committee"]
    list_select_related = ["committee", "proposal"]
    search_fields = ["action", "actor_name", "reason", "proposal__title"]
    date_hierarchy = "at"


# Memberships and projects (pmc's models, saved through proposals.actions)


@admin.register(Committee)
class CommitteeAdmin(ActionSavingAdmin):
    list_display = ["name", "slug", "pass_rule", "vote_duration_hours", "quorum_extensions"]
    search_fields = ["name", "description"]
    # The meeting rules are set on the committee's page, by its chair or an administrator
    # (`do_set_meeting_rules`, which checks the quorum against the committee's size).
    readonly_fields = ["slug", *actions.MEETING_RULE_FIELDS]

    def save_model(self, request, obj, form, change) -> None:
        changes = {
            field: form.cleaned_data[field]
            for field in form.changed_data
            if field in actions.COMMITTEE_FIELDS
        }
        if not change:
            created = actions.do_create_committee(actor=request.user, name=changes.pop("name"))
            obj.pk, obj.slug = created.pk, created.slug
            obj._state.adding = False
        if changes:
            actions.do_update_committee(committee=obj.pk, actor=request.user, **changes)


@admin.register(AuditCheck)
class AuditCheckAdmin(ReadOnlyAdmin):
    list_display = ["checked_at", "ok", "events", "broken_at", "key_id"]


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["sequence", "signed_at", "events", "head", "key_id"]


@admin.register(Membership)
class MembershipAdmin(ActionSavingAdmin):
    list_display = ["user", "committee", "role", "started_on", "ended_on"]
    list_filter = ["committee", "role"]
    list_select_related = ["user", "committee"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    fields = ["user", "committee", "role", "started_on", "ended_on"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A seat only ends; a new role is a new seat.
        return self.fields if obj.ended_on else ["user", "committee", "role", "started_on"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            membership = actions.do_add_member(
                committee=obj.committee,
                user=obj.user,
                actor=request.user,
                role=obj.role,
                started_on=obj.started_on,
            )
            obj.pk = membership.pk
            obj._state.adding = False
        if obj.ended_on and (not change or "ended_on" in form.changed_data):
            actions.do_end_membership(membership=obj.pk, actor=request.user, ended_on=obj.ended_on)


@admin.register(Project)
class ProjectAdmin(ActionSavingAdmin):
    list_display = ["name", "committee", "status", "lead"]
    list_filter = ["committee", "status"]
    list_select_related = ["committee"]
    search_fields = ["name", "former_names", "lead"]
    fields = ["name", "committee", "status", "lead", "repository_urls", "former_names"]

    def get_readonly_fields(self, request, obj=None):
        # The status moves when a proposal about the project is completed.
        return [] if obj is None else ["committee", "status"]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            changes = {
                field: form.cleaned_data[field]
                for field in form.changed_data
                if field in actions.PROJECT_FIELDS
            }
            if changes:
                actions.do_update_project(project=obj.pk, actor=request.user, **changes)
            return
        project = actions.do_create_project(
            committee=obj.committee,
            actor=request.user,
            **{field: getattr(obj, field) for field in actions.PROJECT_FIELDS},
        )
        obj.pk = project.pk
        obj._state.adding = False


# Background work: shown to operators, written only by the jobs and the profile page.


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "created_at", "processed_at"]
    list_filter = ["kind"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["key", "user", "kind", "due_at", "sent_at", "failed_at", "attempts"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    search_fields = ["key", "user__username", "subject"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "enabled"]
    list_select_related = ["user"]


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    list_display = ["name", "last_run_at"]


@admin.register(LinkSuggestion)
class LinkSuggestionAdmin(ReadOnlyAdmin):
    """Decided on the proposal page by its committee's chair, so the decision is audited."""

    list_display = ["proposal", "meeting", "suggested_by", "suggested_at", "accepted"]
    list_filter = [("decided_at", admin.EmptyFieldListFilter)]
    list_select_related = ["proposal", "meeting__committee", "suggested_by"]


@admin.register(Reading)
class ReadingAdmin(ReadOnlyAdmin):
    """Reviewed on the committee's Readings to review page, so each review is audited."""

    list_display = ["subject", "kind", "meeting", "confidence", "rule", "status", "proposal"]
    list_filter = ["status", "confidence", "kind"]
    list_select_related = ["meeting__committee", "proposal"]
    search_fields = ["subject", "quote"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Sent and withdrawn on the committee's page by its chair, so each is audited."""

    list_display = ["email", "committee", "role", "invited_by", "created_at", "expires_at",
                    "sent_at", "accepted_at", "withdrawn_at"]  # fmt: skip
    list_filter = ["committee", "role"]
    list_select_related = ["committee", "invited_by"]
    search_fields = ["email"]
    exclude = ["nonce"]


@admin.register(JobFailure)
class JobFailureAdmin(ReadOnlyAdmin):
    list_display = ["job", "item", "failures", "first_failed_at", "last_failed_at", "resolved_at"]
    list_filter = ["job", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["item", "last_error"]


# People: Django's own admin for users and groups. Their changes are events written by
# `proposals.account_events`; a form's save sets the groups and permissions by removing
# and adding, and `together()` makes that one event per person. Deactivating an account
# ends its seats and its sessions.


class AccountChangesTogether:
    def save_related(self, request, form, formsets, change) -> None:
        with account_events.together():
            super().save_related(request, form, formsets, change)


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class PowersGroupAdmin(AccountChangesTogether, GroupAdmin):
    pass


@admin.register(User)
class AccountAdmin(AccountChangesTogether, UserAdmin):
    """Django's user admin. Deactivating an account, by the list action or by unticking
    *active* on its page, goes through `do_deactivate_user`: its seats end (with their
    events) and its sessions are deleted. Only administrators may; others are refused
    and nothing is saved."""

    actions = ["deactivate_selected"]

    @admin.action(
        description="Deactivate selected accounts (ends their seats)", permissions=["deactivate"]
    )
    def deactivate_selected(self, request, queryset) -> None:
        for user in queryset:
            try:
                ended = actions.do_deactivate_user(user=user, actor=request.user)
            except LifecycleError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request, f"{user} is deactivated; {len(ended)} seat(s) ended.", messages.SUCCESS
                )

    def has_deactivate_permission(self, request) -> bool:
        return permissions.has_perm("proposals.deactivate_user", request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except LifecycleError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change) -> None:
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True  # saved as it was; the action deactivates it
        super().save_model(request, obj, form, change)
        if deactivating:
            actions.do_deactivate_user(user=obj, actor=request.user)
            obj.is_active = False
