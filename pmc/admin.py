"""Admin for committees and meetings.

Committees, memberships and projects are registered in `proposals.admin`: their changes
are saved through `proposals.actions`, which write the audit event, and `pmc` never
imports `proposals`. Meetings are shown here but not changed: they come from notes files
(`import_notes`, or a chair's upload), which record every change in the audit log; an
edited file imported again updates its meeting.
"""

from django.contrib import admin

from pmc.models import Meeting, TeamReport


class ReadOnly:
    """View only, for staff: the rows change only through audited code (the import, the
    actions)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TeamReportInline(ReadOnly, admin.StackedInline):
    model = TeamReport
    extra = 0
    fields = ["position", "team", "lead", "body"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["date", "committee", "title"]
    list_filter = ["committee"]
    list_select_related = ["committee"]
    date_hierarchy = "date"
    search_fields = ["title", "notes"]
    fields = ["committee", "date", "title", "source", "source_sha256", "imported_at", "notes"]
    inlines = [TeamReportInline]
