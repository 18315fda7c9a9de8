"""The dashboard's URLs (the Platform API's are in ``accessctl.api.urls``, chosen by the Accept header)."""

from django.contrib import admin
from django.urls import include, path

from accessctl.identity import views as account_views
from accessctl.web import views
from apps import views as app_views
from apps import views_transfers as transfers
from teams import views_invitations as invitations

urlpatterns = [
    path("", views.home, name="home"),
    path("help/permissions/", views.permissions_help, name="permissions-help"),
    path("account/", account_views.account, name="account"),
    path("account/tokens/", account_views.token_create, name="token-create"),
    path("account/tokens/<int:token_id>/revoke/", account_views.token_revoke, name="token-revoke"),
    path("new-app/", app_views.app_create, name="app-create"),
    path("transfers/<uuid:transfer>/accept/", transfers.transfer_accept, name="transfer-accept"),
    path("transfers/<uuid:transfer>/decline/", transfers.transfer_decline, name="transfer-decline"),
    path("transfers/<uuid:transfer>/cancel/", transfers.transfer_cancel, name="transfer-cancel"),
    path("invitations/<str:token>/", invitations.invitation_page, name="invitation"),
    path("invitations/<str:token>/signup/", invitations.invitation_signup, name="invitation-signup"),
    path("teams/", include("teams.urls")),
    path("teams/", include("reviews.urls")),
    path("apps/", include("apps.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "accessctl.web.views.permission_denied"
handler404 = "accessctl.web.views.page_not_found"
handler500 = "accessctl.web.views.server_error"
