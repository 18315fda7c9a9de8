"""Support console: access reviews are evidence, so the admin only reads them (changes go through the pages)."""

from django.contrib import admin

from reviews.models import AccessReview, ReviewItem


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewItemInline(admin.TabularInline):
    model = ReviewItem
    fields = (
        "kind",
        "email",
        "app_name",
        "role",
        "permissions",
        "decision",
        "decided_by_email",
        "change_applied",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AccessReview)
class AccessReviewAdmin(_ReadOnly):
    list_display = ("pk", "team", "status", "due_date", "started_by_email", "created_at", "closed_at")
    list_filter = ("status", "team")
    search_fields = ("team__name", "started_by_email")
    list_select_related = ("team",)
    inlines = (ReviewItemInline,)


@admin.register(ReviewItem)
class ReviewItemAdmin(_ReadOnly):
    list_display = ("review", "kind", "email", "app_name", "decision", "decided_by_email", "change_applied")
    list_filter = ("kind", "decision")
    search_fields = ("email", "app_name", "decided_by_email")
    list_select_related = ("review__team",)
