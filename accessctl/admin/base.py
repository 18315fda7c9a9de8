"""What every support-console ModelAdmin shares: changes go through services as the staff user."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from accessctl.access.backend import acting_as_staff
from accessctl.access.errors import DomainError
from accessctl.audit.log import Origin
from accessctl.models import AuditSource


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose writes call services. A refused change shows its message; nothing is saved."""

    def actor(self, request):
        return acting_as_staff(request.user)

    def origin(self, request):
        return Origin.from_request(request, AuditSource.ADMIN)

    def _guard(self, view, request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, *args, **kwargs):
        return self._guard(super().changeform_view, request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._guard(super().delete_view, request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._guard(super().changelist_view, request, *args, **kwargs)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyInline(admin.TabularInline):
    """An inline that shows related rows; changes happen on their own admin pages, through services."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """A changelist and change page to read: nothing is added, changed or deleted from the console."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
