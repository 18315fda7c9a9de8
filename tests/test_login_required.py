"""Every page needs a signed-in user (``LoginRequiredMiddleware``) except the few that say they are public."""

from http import HTTPStatus

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


def named_routes(resolver=None, prefix=""):
    """(name, view) of every named dashboard route, allauth's and the admin's included."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            yield from named_routes(entry, prefix + namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name, entry.callback


def test_only_the_declared_pages_of_our_own_are_public():
    ours = {
        name: view
        for name, view in named_routes()
        if view.__module__.startswith(("accessctl.", "teams.", "apps."))
    }
    public = {name for name, view in ours.items() if not getattr(view, "login_required", True)}
    # An invitation link is opened before its person has an account or is signed in.
    assert public == {
        "permissions-help",
        "team_sso_login",
        "team_sso_callback",
        "invitation",
        "invitation-signup",
    }


@pytest.mark.parametrize("path", ["/", "/account/", "/teams/acme/access/", "/apps/myapp/", "/new-app/"])
def test_a_signed_out_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_help_page_and_sign_in_need_no_account(client):
    assert client.get("/help/permissions/").status_code == HTTPStatus.OK
    assert client.get("/accounts/login/").status_code == HTTPStatus.OK
