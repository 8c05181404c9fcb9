"""Admin for committees and meetings.

Memberships and projects are registered in `proposals.admin`: their changes are saved
through `proposals.actions`, which write the audit event, and `pmc` never imports
`proposals`.
"""

from django.contrib import admin

from pmc.models import Committee, Meeting, TeamReport


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "pass_rule", "vote_duration_hours", "quorum_extensions"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "description"]


class TeamReportInline(admin.StackedInline):
    model = TeamReport
    extra = 0
    fields = ["position", "team", "lead", "body"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["date", "committee", "title"]
    list_filter = ["committee"]
    list_select_related = ["committee"]
    date_hierarchy = "date"
    search_fields = ["title", "notes"]
    fields = ["committee", "date", "title", "source", "notes"]
    inlines = [TeamReportInline]
