from django.urls import path

from accessctl.webhooks import views as webhooks
from apps import views, views_ops, views_requests

app_name = "apps"

urlpatterns = [
    path("<slug:app>/", views.app_detail, name="detail"),
    path("<slug:app>/access/", views.app_access, name="access"),
    path("<slug:app>/access/add/", views.grant_add, name="grant-add"),
    path("<slug:app>/access/<int:user_id>/row/", views.grant_row, name="grant-row"),
    path("<slug:app>/access/<int:user_id>/edit/", views.grant_edit, name="grant-edit"),
    path("<slug:app>/access/<int:user_id>/remove/", views.grant_remove, name="grant-remove"),
    path("<slug:app>/access/<int:user_id>/extend/", views_requests.temporary_extend, name="temporary-extend"),
    path("<slug:app>/access/<int:user_id>/end/", views_requests.temporary_end, name="temporary-end"),
    path("<slug:app>/access/request/", views_requests.request_access, name="request-access"),
    path(
        "<slug:app>/access/requests/<int:request_id>/approve/",
        views_requests.request_approve,
        name="request-approve",
    ),
    path(
        "<slug:app>/access/requests/<int:request_id>/deny/", views_requests.request_deny, name="request-deny"
    ),
    path(
        "<slug:app>/access/requests/<int:request_id>/cancel/",
        views_requests.request_cancel,
        name="request-cancel",
    ),
    path("<slug:app>/lock/", views.app_lock, name="lock"),
    path("<slug:app>/unlock/", views.app_lock, {"locked": False}, name="unlock"),
    path("<slug:app>/join/", views.app_join, name="join"),
    path("<slug:app>/leave/", views.app_leave, name="leave"),
    path("<slug:app>/settings/", views_ops.app_settings, name="settings"),
    path("<slug:app>/settings/config/", views_ops.config_set, name="config-set"),
    path("<slug:app>/settings/config/<str:key>/unset/", views_ops.config_unset, name="config-unset"),
    path("<slug:app>/settings/rename/", views_ops.app_rename, name="rename"),
    path("<slug:app>/settings/transfer/", views_ops.app_transfer, name="transfer"),
    path("<slug:app>/settings/delete/", views_ops.app_delete, name="delete"),
    path("<slug:app>/settings/webhooks/add/", webhooks.webhook_add, name="webhook-add"),
    path("<slug:app>/settings/webhooks/<uuid:hook>/", webhooks.webhook_edit, name="webhook-edit"),
    path("<slug:app>/settings/webhooks/<uuid:hook>/ping/", webhooks.webhook_ping, name="webhook-ping"),
    path("<slug:app>/settings/webhooks/<uuid:hook>/remove/", webhooks.webhook_remove, name="webhook-remove"),
    path("<slug:app>/scale/", views_ops.app_scale, name="scale"),
    path("<slug:app>/restart/", views_ops.app_restart, name="restart"),
    path("<slug:app>/maintenance/", views_ops.app_maintenance, name="maintenance"),
    path("<slug:app>/deploy/", views_ops.app_deploy, name="deploy"),
    path("<slug:app>/rollback/", views_ops.app_rollback, name="rollback"),
]
