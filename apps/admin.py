"""Support console for apps and grants: lock/unlock, rename, maintenance and access changes via services."""

from django.contrib import admin
from django.db.models import Count

from accessctl.admin.base import ReadOnlyAdmin, ReadOnlyInline, ServiceAdmin
from apps import operations, services
from apps.models import App, AppTransfer, Grant
from apps.temporary import temporary_grant_end, temporary_grant_give


class OwnershipFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return (("team", "team apps"), ("personal", "personal apps"))

    def queryset(self, request, queryset):
        if self.value() == "team":
            return queryset.filter(team__isnull=False)
        if self.value() == "personal":
            return queryset.filter(team__isnull=True)
        return queryset


class GrantOfAppInline(ReadOnlyInline):
    model = Grant
    fk_name = "app"
    fields = ("user", "permission_list", "expires_at", "reason", "granted_by", "created_at", "updated_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "granted_by")

    @admin.display(description="permissions")
    def permission_list(self, grant):
        return ", ".join(grant.perm_list)  # "view, deploy", in display order: never the frozenset


@admin.register(App)
class AppAdmin(ServiceAdmin):
    list_display = ("name", "team", "owner", "locked", "maintenance", "grant_count", "created_at")
    list_filter = ("locked", OwnershipFilter, "team")
    search_fields = ("name", "team__name", "owner__email")
    list_select_related = ("team", "owner")
    fields = (
        "name",
        "team",
        "owner",
        "locked",
        "locked_by",
        "locked_at",
        "maintenance",
        "region",
        "stack",
        "created_by",
        "created_at",
    )
    readonly_fields = (
        "team",
        "owner",
        "locked_by",
        "locked_at",
        "region",
        "stack",
        "created_by",
        "created_at",
    )
    inlines = (GrantOfAppInline,)
    actions = ("lock_selected", "unlock_selected")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(grant_total=Count("grants"))

    @admin.display(description="grants", ordering="grant_total")
    def grant_count(self, app):
        return app.grant_total

    def has_add_permission(self, request):
        return False  # apps are created from the dashboard, the API or the CLI

    def has_lock_permission(self, request):
        return request.user.has_perm("apps.lock_app")

    def save_model(self, request, obj, form, change):
        actor, origin = self.actor(request), self.origin(request)
        current = App.objects.get(pk=obj.pk)
        if "locked" in form.changed_data:
            services.app_set_locked(actor=actor, app=current, locked=obj.locked, origin=origin)
        if "maintenance" in form.changed_data:
            operations.app_maintenance_set(actor=actor, app=current, enabled=obj.maintenance, origin=origin)
        if "name" in form.changed_data:
            services.app_rename(actor=actor, app=current, name=obj.name, origin=origin)

    def delete_model(self, request, obj):
        services.app_delete(actor=self.actor(request), app=obj, origin=self.origin(request))

    def _set_locked(self, request, queryset, locked):
        changed = 0
        for app in queryset.filter(team__isnull=False, locked=not locked):
            services.app_set_locked(
                actor=self.actor(request), app=app, locked=locked, origin=self.origin(request)
            )
            changed += 1
        verb = "Locked" if locked else "Unlocked"
        self.message_user(
            request, f"{verb} {changed} app(s). Personal apps and apps already in that state were skipped."
        )

    @admin.action(description="Lock selected team apps", permissions=["lock"])
    def lock_selected(self, request, queryset):
        self._set_locked(request, queryset, True)

    @admin.action(description="Unlock selected team apps", permissions=["lock"])
    def unlock_selected(self, request, queryset):
        self._set_locked(request, queryset, False)


@admin.register(Grant)
class GrantAdmin(ServiceAdmin):
    list_display = (
        "user",
        "app",
        "permissions_display",
        "expires_at",
        "granted_by",
        "created_at",
        "updated_at",
    )
    list_filter = ("app__team",)
    search_fields = ("user__email", "app__name")
    list_select_related = ("user", "app", "granted_by")
    raw_id_fields = ("user", "app")
    fields = ("app", "user", "permissions", "expires_at", "reason", "granted_by", "created_at", "updated_at")

    @admin.display(description="permissions")
    def permissions_display(self, grant):
        return ", ".join(grant.perm_list)

    def get_readonly_fields(self, request, obj=None):
        readonly = ("expires_at", "reason", "granted_by", "created_at", "updated_at")
        return ("app", "user", *readonly) if obj is not None else readonly

    def save_model(self, request, obj, form, change):
        actor, origin = self.actor(request), self.origin(request)
        if change and obj.expires_at is not None:  # a temporary grant keeps its end and reason
            temporary_grant_give(
                actor=actor,
                app=obj.app,
                user=obj.user,
                permissions=obj.permissions,
                expires_at=obj.expires_at,
                reason=obj.reason,
                origin=origin,
            )
        elif change:
            services.app_grant_update(
                actor=actor, app=obj.app, user=obj.user, permissions=obj.permissions, origin=origin
            )
        else:
            grant = services.app_grant_add(
                actor=actor, app=obj.app, user=obj.user, permissions=obj.permissions, origin=origin
            )
            obj.pk = grant.pk

    def delete_model(self, request, obj):
        if obj.expires_at is not None:
            temporary_grant_end(
                actor=self.actor(request), app=obj.app, user=obj.user, origin=self.origin(request)
            )
            return
        services.app_grant_remove(
            actor=self.actor(request), app=obj.app, user=obj.user, origin=self.origin(request)
        )


@admin.register(AppTransfer)
class AppTransferAdmin(ReadOnlyAdmin):
    """App transfers, read-only: only the recipient answers an offer and only the sender withdraws it (SPEC 9);
    support staff see who offered which app to whom and how it ended, and the audit log has each step."""

    list_display = ("app", "sender", "recipient_label", "state", "created_at", "updated_at")
    list_filter = ("state",)
    search_fields = ("app__name", "sender__email", "recipient__email", "recipient_team__name")
    list_select_related = ("app", "sender", "recipient", "recipient_team")
    fields = (
        "app",
        "sender",
        "previous_team",
        "recipient",
        "recipient_team",
        "state",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description="recipient")
    def recipient_label(self, transfer: AppTransfer) -> str:
        if transfer.recipient is not None:
            return transfer.recipient.email
        return f"team {transfer.recipient_team.name}" if transfer.recipient_team else ""
