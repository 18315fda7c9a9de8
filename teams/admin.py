"""Support console for teams and memberships: every change goes through the team services."""

from django import forms
from django.contrib import admin
from django.db.models import Count

from accessctl.admin.base import ServiceAdmin
from accessctl.identity.people import user_for_email
from teams import services
from teams.models import Membership, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role")
    raw_id_fields = ("user",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class TeamAddForm(forms.ModelForm):
    first_admin = forms.EmailField(help_text="The team's first admin (a pending account is created if new).")

    class Meta:
        model = Team
        fields = ("name",)


@admin.register(Team)
class TeamAdmin(ServiceAdmin):
    list_display = ("name", "member_count", "app_count", "require_mfa", "sso_enforced", "created_at")
    list_filter = ("require_mfa", "sso_enforced")
    search_fields = ("name",)
    fields = ("name", "join_permissions", "require_mfa", "sso_enforced", "created_at")
    readonly_fields = ("created_at",)
    inlines = (MembershipInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(members=Count("memberships", distinct=True), app_total=Count("apps", distinct=True))
        )

    @admin.display(description="members", ordering="members")
    def member_count(self, team):
        return team.members

    @admin.display(description="apps", ordering="app_total")
    def app_count(self, team):
        return team.app_total

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = TeamAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        return ("name", "first_admin") if obj is None else self.fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False  # a team with apps and an audit trail is not deleted from the console

    def save_model(self, request, obj, form, change):
        actor, origin = self.actor(request), self.origin(request)
        if not change:
            admin_user = user_for_email(form.cleaned_data["first_admin"], create=True)
            created = services.team_create(actor=actor, name=obj.name, admin=admin_user, origin=origin)
            obj.pk = created.pk
            return
        changes = {field: form.cleaned_data[field] for field in form.changed_data if field in self.fields}
        if changes:
            services.team_settings_update(actor=actor, team=obj, origin=origin, **changes)

    def save_formset(self, request, form, formset, change):
        """Membership rows from the inline: adds and role changes first, removals last, all through services."""
        actor, origin, team = self.actor(request), self.origin(request), form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() or inline_form in formset.deleted_forms:
                continue
            data = inline_form.cleaned_data
            if data.get("user") is not None:
                services.team_member_add(
                    actor=actor, team=team, user=data["user"], role=data["role"], origin=origin
                )
        for inline_form in formset.deleted_forms:
            membership = inline_form.instance
            if membership.pk:
                services.team_member_remove(actor=actor, team=team, user=membership.user, origin=origin)


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    list_display = ("user", "team", "role", "created_at")
    list_filter = ("role", "team")
    search_fields = ("user__email", "team__name")
    list_select_related = ("user", "team")
    raw_id_fields = ("user", "team")

    def get_readonly_fields(self, request, obj=None):
        return ("user", "team", "created_at") if obj is not None else ("created_at",)

    def save_model(self, request, obj, form, change):
        membership = services.team_member_add(
            actor=self.actor(request),
            team=obj.team,
            user=obj.user,
            role=obj.role,
            origin=self.origin(request),
        )
        obj.pk = membership.pk

    def delete_model(self, request, obj):
        services.team_member_remove(
            actor=self.actor(request), team=obj.team, user=obj.user, origin=self.origin(request)
        )
