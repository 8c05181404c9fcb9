"""Admin for committees and meetings.

Committees, memberships and projects are registered in `proposals.admin`: their changes
are saved through `proposals.actions`, which write the audit event, and `pmc` never
imports `proposals`.
"""

from django.contrib import admin

from pmc.models import Meeting, TeamReport


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
