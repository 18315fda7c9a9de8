"""The dashboard shell: home page per role, help page from the rules, error pages."""

from http import HTTPStatus

import pytest

from tests.factories import AppFactory, GrantFactory, MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_home_needs_login(client):
    response = client.get("/")
    assert response.status_code == HTTPStatus.FOUND and "/accounts/login/" in response["Location"]


def test_home_lists_my_teams_and_apps_with_reasons(client_as, member, app, locked_app):
    GrantFactory(app=app, user=member, permissions="view,deploy")
    html = client_as(member).get("/").content.decode()
    assert 'id="team-acme"' in html
    assert 'id="app-myapp"' in html and "grant" in html
    assert 'id="app-website-prod"' in html and "team member view" in html
    assert "(locked)" in html


def test_collaborator_sees_only_granted_apps(client_as, collaborator, app, locked_app):
    html = client_as(collaborator).get("/").content.decode()
    assert 'id="app-myapp"' in html and 'id="app-website-prod"' not in html
    assert "collaborator" in html


@pytest.mark.parametrize("size", [5, 300])
def test_home_query_count_is_flat(client_as, django_assert_num_queries, size):
    team = TeamFactory()
    user = MembershipFactory(team=team, role="member").user
    for app in AppFactory.create_batch(size, team=team):
        GrantFactory(app=app, user=user, permissions="view,operate")
    client = client_as(user)
    # user, access (with "your temporary access"), teams, apps, transfers; the session comes from the cache
    with django_assert_num_queries(5):
        assert client.get("/").status_code == HTTPStatus.OK


def test_help_page_renders_catalog_from_rules(client):
    html = client.get("/help/permissions/").content.decode()
    assert 'id="action-lock_app"' in html and 'id="team-action-manage_members"' in html


def test_unknown_page_is_404_in_product_look(client_as, member):
    response = client_as(member).get("/no/such/page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
