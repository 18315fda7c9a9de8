from django.urls import path

from accessctl.webhooks import views as webhooks
from apps.views_requests import team_requests_page
from teams import views, views_settings
from teams import views_invitations as invitations

app_name = "teams"

urlpatterns = [
    path("<slug:team>/apps/", views.team_apps, name="apps"),
    path("<slug:team>/access/", views.team_access, name="access"),
    path("<slug:team>/access/add-member/", views.member_add, name="member-add"),
    path("<slug:team>/access/add-collaborator/", views.collaborator_add, name="collaborator-add"),
    path("<slug:team>/access/app-search/", views.app_search, name="app-search"),
    path("<slug:team>/access/<int:user_id>/row/", views.member_row, name="member-row"),
    path("<slug:team>/access/<int:user_id>/edit/", views.member_edit, name="member-edit"),
    path("<slug:team>/access/<int:user_id>/remove/", views.member_remove, name="member-remove"),
    path("<slug:team>/access/invitations/", invitations.team_invitations, name="invitations"),
    path(
        "<slug:team>/access/invitations/<uuid:public_id>/resend/",
        invitations.invitation_resend_view,
        name="invitation-resend",
    ),
    path(
        "<slug:team>/access/invitations/<uuid:public_id>/revoke/",
        invitations.invitation_revoke_view,
        name="invitation-revoke",
    ),
    path("<slug:team>/leave/", views.team_leave, name="leave"),
    path("<slug:team>/settings/", views_settings.team_settings, name="settings"),
    path("<slug:team>/settings/sso/", views_settings.team_sso, name="sso"),
    path("<slug:team>/settings/webhooks/add/", webhooks.webhook_add, name="webhook-add"),
    path("<slug:team>/settings/webhooks/<uuid:hook>/", webhooks.webhook_edit, name="webhook-edit"),
    path("<slug:team>/settings/webhooks/<uuid:hook>/ping/", webhooks.webhook_ping, name="webhook-ping"),
    path("<slug:team>/settings/webhooks/<uuid:hook>/remove/", webhooks.webhook_remove, name="webhook-remove"),
    path("<slug:team>/audit/", views.team_audit, name="audit"),
    path("<slug:team>/requests/", team_requests_page, name="requests"),
]
