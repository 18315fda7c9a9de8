"""The Platform API's URLs: Heroku's paths, no trailing slashes (selected by the Accept header)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from accessctl.api import views_apps as apps
from accessctl.api import views_invitations as invitations
from accessctl.api import views_requests as requests
from accessctl.api import views_reviews as reviews
from accessctl.api import views_runtime as runtime
from accessctl.api import views_teams as teams
from accessctl.api import views_webhooks as hooks
from accessctl.api.http import error_response


def unrouted(request, *args, **kwargs):
    """No API route: a JSON 404 for any method (never Django's CSRF page for a POST, PUT or PATCH)."""
    return handler404(request)


urlpatterns = [
    path("account", teams.account),
    path("account/app-transfers", apps.app_transfers),
    path("teams", teams.teams),
    path("teams/permissions", teams.team_permissions),
    path("teams/apps", apps.team_apps_create),
    path("teams/apps/<str:app>", apps.team_app),
    path("teams/apps/<str:app>/collaborators", apps.team_app_collaborators),
    path("teams/apps/<str:app>/collaborators/<str:email>", apps.team_app_collaborator),
    path("teams/invitations/<str:token>", invitations.invitation_detail),
    path("teams/invitations/<str:token>/accept", invitations.invitation_accept_view),
    path("teams/<str:team>", teams.team_detail),
    path("teams/<str:team>/invitations", invitations.team_invitations),
    path("teams/<str:team>/invitations/<str:email>", invitations.team_invitation),
    path("teams/<str:team>/features", teams.team_features),
    path("teams/<str:team>/members", teams.team_members),
    path("teams/<str:team>/members/<str:email>", teams.team_member),
    path("teams/<str:team>/apps", teams.team_apps),
    path("teams/<str:team>/access-reviews", reviews.access_reviews),
    path("teams/<str:team>/access-reviews/<int:review_id>", reviews.access_review),
    path("teams/<str:team>/access-reviews/<int:review_id>/items", reviews.access_review_items),
    path("teams/<str:team>/access-reviews/<int:review_id>/items/<int:item_id>", reviews.access_review_item),
    path("teams/<str:team>/webhooks", hooks.team_webhooks),
    path("teams/<str:team>/webhooks/<str:hook>", hooks.team_webhook),
    path("teams/<str:team>/webhook-deliveries", hooks.team_deliveries),
    path("teams/<str:team>/webhook-deliveries/<str:delivery>", hooks.team_deliveries),
    path("teams/<str:team>/webhook-events", hooks.team_events),
    path("teams/<str:team>/webhook-events/<str:event>", hooks.team_events),
    path("teams/<str:team>/access-requests", requests.team_access_requests),
    path("users/~/apps", apps.user_apps),
    path("apps", apps.personal_apps),
    path("apps/<str:app>", apps.app_detail),
    path("apps/<str:app>/collaborators", apps.app_collaborators),
    path("apps/<str:app>/collaborators/<str:email>", apps.app_collaborator),
    path("apps/<str:app>/access-requests", requests.app_access_requests),
    path("apps/<str:app>/access-requests/<str:request_id>", requests.app_access_request),
    path("apps/<str:app>/addons", apps.app_addons),
    path("apps/<str:app>/pipeline-couplings", apps.app_pipeline_couplings),
    path("apps/<str:app>/config-vars", runtime.config_vars),
    path("apps/<str:app>/releases", runtime.releases),
    path("apps/<str:app>/releases/<str:release>", runtime.release_detail),
    path("apps/<str:app>/formation", runtime.formation),
    path("apps/<str:app>/formations/<str:process_type>", runtime.formation_type),
    path("apps/<str:app>/dynos", runtime.dynos),
    path("apps/<str:app>/dynos/<str:dyno>", runtime.dyno),
    path("apps/<str:app>/webhooks", hooks.app_webhooks),
    path("apps/<str:app>/webhooks/<str:hook>", hooks.app_webhook),
    path("apps/<str:app>/webhook-deliveries", hooks.app_deliveries),
    path("apps/<str:app>/webhook-deliveries/<str:delivery>", hooks.app_deliveries),
    path("apps/<str:app>/webhook-events", hooks.app_events),
    path("apps/<str:app>/webhook-events/<str:event>", hooks.app_events),
    re_path(r"", login_not_required(csrf_exempt(unrouted))),  # JSON for every method, DEBUG or not
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
