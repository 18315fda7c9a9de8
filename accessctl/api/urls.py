"""The Platform API's URLs: Heroku's paths, no trailing slashes (selected by the Accept header)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from accessctl.api import views_account as account
from accessctl.api import views_apps as apps
from accessctl.api import views_invitations as invitations
from accessctl.api import views_links as links
from accessctl.api import views_requests as requests
from accessctl.api import views_reviews as reviews
from accessctl.api import views_runtime as runtime
from accessctl.api import views_teams as teams
from accessctl.api import views_transfers as transfers
from accessctl.api import views_unsupported as unsupported
from accessctl.api import views_webhooks as hooks
from accessctl.api.http import error_response


def unrouted(request, *args, **kwargs):
    """No API route: a JSON 404 for any method (never Django's CSRF page for a POST, PUT or PATCH)."""
    return handler404(request)


urlpatterns = [
    path("account", teams.account, name="account"),
    path("account/app-transfers", transfers.app_transfers, name="app-transfers"),
    path("account/app-transfers/<str:transfer>", transfers.app_transfer, name="app-transfer"),
    path("account/rate-limits", account.rate_limits, name="rate-limits"),
    path("oauth/authorizations", account.authorizations, name="oauth-authorizations"),
    path("oauth/authorizations/<str:token_id>", account.authorization_detail, name="oauth-authorization"),
    path("oauth/sessions", account.sessions, name="oauth-sessions"),
    path("oauth/sessions/<str:session_id>", account.session_detail, name="oauth-session"),
    path("teams", teams.teams, name="teams"),
    path("teams/permissions", teams.team_permissions, name="team-permissions"),
    path("teams/apps", apps.team_apps_create, name="team-apps-create"),
    path("teams/apps/<str:app>", apps.team_app, name="team-app"),
    path("teams/apps/<str:app>/collaborators", apps.team_app_collaborators, name="team-app-collaborators"),
    path(
        "teams/apps/<str:app>/collaborators/<str:email>",
        apps.team_app_collaborator,
        name="team-app-collaborator",
    ),
    path("teams/invitations/<str:token>", invitations.invitation_detail, name="invitation"),
    path(
        "teams/invitations/<str:token>/accept", invitations.invitation_accept_view, name="invitation-accept"
    ),
    path("teams/<str:team>", teams.team_detail, name="team"),
    path("teams/<str:team>/invitations", invitations.team_invitations, name="team-invitations"),
    path("teams/<str:team>/invitations/<str:email>", invitations.team_invitation, name="team-invitation"),
    path("teams/<str:team>/features", teams.team_features, name="team-features"),
    path("teams/<str:team>/members", teams.team_members, name="team-members"),
    path("teams/<str:team>/members/<str:email>", teams.team_member, name="team-member"),
    path("teams/<str:team>/members/<str:email>/apps", links.team_member_apps, name="team-member-apps"),
    path("teams/<str:team>/permissions", links.team_access, name="team-access"),
    path("teams/<str:team>/apps", teams.team_apps, name="team-apps"),
    path("teams/<str:team>/access-reviews", reviews.access_reviews, name="team-access-reviews"),
    path("teams/<str:team>/access-reviews/<int:review_id>", reviews.access_review, name="team-access-review"),
    path(
        "teams/<str:team>/access-reviews/<int:review_id>/items",
        reviews.access_review_items,
        name="team-access-review-items",
    ),
    path(
        "teams/<str:team>/access-reviews/<int:review_id>/items/<int:item_id>",
        reviews.access_review_item,
        name="team-access-review-item",
    ),
    path("teams/<str:team>/webhooks", hooks.team_webhooks, name="team-webhooks"),
    path("teams/<str:team>/webhooks/<str:hook>", hooks.team_webhook, name="team-webhook"),
    path("teams/<str:team>/webhook-deliveries", hooks.team_deliveries, name="team-webhook-deliveries"),
    path(
        "teams/<str:team>/webhook-deliveries/<str:delivery>",
        hooks.team_deliveries,
        name="team-webhook-delivery",
    ),
    path("teams/<str:team>/webhook-events", hooks.team_events, name="team-webhook-events"),
    path("teams/<str:team>/webhook-events/<str:event>", hooks.team_events, name="team-webhook-event"),
    path("teams/<str:team>/access-requests", requests.team_access_requests, name="team-access-requests"),
    path("users/~/apps", apps.user_apps, name="user-apps"),
    path("apps", apps.personal_apps, name="apps"),
    path("apps/<str:app>", apps.app_detail, name="app"),
    path("apps/<str:app>/collaborators", apps.app_collaborators, name="app-collaborators"),
    path("apps/<str:app>/collaborators/<str:email>", apps.app_collaborator, name="app-collaborator"),
    path("apps/<str:app>/access-requests", requests.app_access_requests, name="app-access-requests"),
    path(
        "apps/<str:app>/access-requests/<str:request_id>",
        requests.app_access_request,
        name="app-access-request",
    ),
    path("apps/<str:app>/addons", apps.app_addons, name="app-addons"),
    path("apps/<str:app>/pipeline-couplings", apps.app_pipeline_couplings, name="app-pipeline-couplings"),
    path("apps/<str:app>/config-vars", runtime.config_vars, name="config-vars"),
    path("apps/<str:app>/releases", runtime.releases, name="releases"),
    path("apps/<str:app>/releases/<str:release>", runtime.release_detail, name="release"),
    path(
        "apps/<str:app>/releases/<str:release>/config-vars",
        runtime.release_config_vars,
        name="release-config-vars",
    ),
    path("apps/<str:app>/formation", runtime.formation, name="formation"),
    path("apps/<str:app>/formation/<str:process_type>", runtime.formation_info, name="formation-info"),
    path("apps/<str:app>/formations/<str:process_type>", runtime.formation_type, name="formation-type"),
    path(
        "apps/<str:app>/formations/<str:process_type>/actions/stop",
        runtime.formation_stop,
        name="formation-stop",
    ),
    path("apps/<str:app>/dynos", runtime.dynos, name="dynos"),
    path("apps/<str:app>/dynos/<str:dyno>", runtime.dyno, name="dyno"),
    path("apps/<str:app>/dynos/<str:dyno>/actions/stop", runtime.dyno_stop, name="dyno-stop"),
    path("apps/<str:app>/webhooks", hooks.app_webhooks, name="app-webhooks"),
    path("apps/<str:app>/webhooks/<str:hook>", hooks.app_webhook, name="app-webhook"),
    path("apps/<str:app>/webhook-deliveries", hooks.app_deliveries, name="app-webhook-deliveries"),
    path(
        "apps/<str:app>/webhook-deliveries/<str:delivery>", hooks.app_deliveries, name="app-webhook-delivery"
    ),
    path("apps/<str:app>/webhook-events", hooks.app_events, name="app-webhook-events"),
    path("apps/<str:app>/webhook-events/<str:event>", hooks.app_events, name="app-webhook-event"),
    *unsupported.urlpatterns,  # Heroku's runtime features: a 501 naming the feature
    re_path(r"", login_not_required(csrf_exempt(unrouted)), name="not-found"),  # JSON for every method
]


def handler404(request, exception=None):
    return error_response(404, "not_found", "Couldn't find that resource.")


def handler400(request, exception=None):
    return error_response(400, "bad_request", "The request could not be understood.")


def handler403(request, exception=None):
    return error_response(403, "forbidden", "You do not have access to do this.")


def handler500(request):
    return error_response(
        500, "internal_server_error", "Internal server error. The error was logged; try again later."
    )
