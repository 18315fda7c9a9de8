"""The support console (Django admin): site look, allauth login, and the ModelAdmins of this app."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin

from accessctl.admin import audit, users

__all__ = ["audit", "users"]

admin.site.site_header = "accessctl support console"
admin.site.site_title = "accessctl support"
admin.site.index_title = "Who has what access, and who changed it"
admin.site.site_url = "/"
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
