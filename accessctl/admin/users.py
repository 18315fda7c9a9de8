"""Support console: users (with their roles and grants) and API tokens; changes go through services."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accessctl.admin.base import ReadOnlyInline, ServiceAdmin
from accessctl.identity import accounts as services
from accessctl.identity.models import ApiToken, User
from accessctl.identity.tokens import api_token_revoke
from apps.models import Grant
from teams.models import Membership


class MembershipOfUserInline(ReadOnlyInline):
    model = Membership
    fields = ("team", "role", "created_at")
    readonly_fields = fields
    verbose_name_plural = "team roles"


class GrantOfUserInline(ReadOnlyInline):
    model = Grant
    fk_name = "user"
    fields = ("app", "permission_list", "granted_by", "created_at", "updated_at")
    readonly_fields = fields
    verbose_name_plural = "app grants"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("app", "granted_by")

    @admin.display(description="permissions")
    def permission_list(self, grant):
        return ", ".join(grant.perm_list)  # "view, deploy", in display order: never the frozenset


@admin.register(User)
class UserAdmin(ServiceAdmin):
    list_display = ("email", "name", "is_active", "is_staff", "team_count", "grant_count", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups")
    search_fields = ("email", "name")
    ordering = ("email",)
    inlines = (MembershipOfUserInline, GrantOfUserInline)
    fields = (
        "email",
        "name",
        "password_link",
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "last_login",
        "date_joined",
    )
    readonly_fields = ("email", "password_link", "last_login", "date_joined")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(teams=Count("memberships", distinct=True), app_grants=Count("grants", distinct=True))
        )

    @admin.display(description="teams", ordering="teams")
    def team_count(self, user):
        return user.teams

    @admin.display(description="grants", ordering="app_grants")
    def grant_count(self, user):
        return user.app_grants

    def has_add_permission(self, request):
        return False  # accounts come from sign-up, SSO, or being added to a team

    @admin.display(description="password")
    def password_link(self, user):
        url = reverse("admin:accessctl_user_password", args=[user.pk])
        return format_html(
            '<a href="{}">Set a new password</a> (signs them out, revokes their API tokens)', url
        )

    def get_urls(self):
        password = self.admin_site.admin_view(self.password_view)
        return [
            path("<path:object_id>/password/", password, name="accessctl_user_password"),
            *super().get_urls(),
        ]

    def password_view(self, request, object_id):
        """Set the user's password through ``user_password_set`` (sessions end, tokens revoked, user e-mailed)."""
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404("Couldn't find that user.")
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                services.user_password_set(
                    actor=self.actor(request),
                    user=user,
                    password=form.cleaned_data["new_password1"],
                    origin=self.origin(request),
                    change="set by support staff",
                )
            except PermissionDenied as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    f"Set a new password for {user.email}: their sessions ended and their API tokens were "
                    "revoked; they were e-mailed.",
                )
            return HttpResponseRedirect(reverse("admin:accessctl_user_change", args=[user.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Set the password of {user.email}",
            "form": form,
            "original": user,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/accessctl/user/set_password.html", context)

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if not request.user.is_superuser or (obj is not None and obj.pk == request.user.pk):
            fields += ["is_staff", "is_superuser", "groups"]
        return fields

    def save_model(self, request, obj, form, change):
        actor, origin = self.actor(request), self.origin(request)
        if "name" in form.changed_data:
            User.objects.filter(pk=obj.pk).update(name=obj.name)
        if "is_active" in form.changed_data:
            current = User.objects.get(pk=obj.pk)  # the form has already changed ``obj``
            services.user_set_active(actor=actor, user=current, active=obj.is_active, origin=origin)

    def save_related(self, request, form, formsets, change):
        # Not super(): it would save groups directly. The inlines are read-only, so nothing else is saved.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        flags = {
            f: form.cleaned_data[f] for f in ("is_staff", "is_superuser", "groups") if f in form.changed_data
        }
        if flags:
            current = User.objects.get(pk=form.instance.pk)
            services.user_set_flags(
                actor=self.actor(request), user=current, origin=self.origin(request), **flags
            )

    def delete_model(self, request, obj):
        services.user_delete(actor=self.actor(request), user=obj, origin=self.origin(request))


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__email", "name", "prefix")
    fields = ("user", "name", "prefix", "created_at", "last_used_at")
    readonly_fields = fields
    actions = ("revoke",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        api_token_revoke(actor=self.actor(request), token_id=obj.pk, origin=self.origin(request))

    @admin.action(description="Revoke selected tokens", permissions=["delete"])
    def revoke(self, request, queryset):
        for token in queryset:
            self.delete_model(request, token)
        self.message_user(request, "Revoked the selected tokens. Scripts using them can no longer sign in.")
