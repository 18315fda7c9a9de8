"""Support console: the audit log, read-only, with the same CSV export as the team's audit page."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse

from accessctl.admin.base import ReadOnlyAdmin
from accessctl.audit.export import audit_csv_response
from accessctl.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "actor_label",
        "action",
        "team_name",
        "app_name",
        "target_email",
        "source",
        "ip",
    )
    list_filter = ("action", "source", "team")
    search_fields = ("actor_label", "target_email", "app_name", "team_name")
    date_hierarchy = "created_at"
    list_select_related = ("team",)
    actions = ("export_csv",)

    @admin.action(description="Export selected events as CSV", permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> StreamingHttpResponse:
        return audit_csv_response(queryset, "audit-events.csv")
