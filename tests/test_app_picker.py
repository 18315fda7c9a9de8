"""The team Access page's app picker: search-as-you-type suggestions, and a typed name without JavaScript."""

from http import HTTPStatus

import pytest

from apps.models import Grant
from tests.factories import AppFactory, TeamFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def test_the_access_page_lists_no_team_app(client_as, team, team_admin):
    AppFactory.create_batch(30, team=team)
    html = client_as(team_admin).get("/teams/acme/access/").content.decode()
    assert 'id="id_app"' in html and 'list="app-options"' in html
    assert "<select" not in html.split('id="add-collaborator-heading"')[1].split("</section>")[0]
    assert "<option" not in html.split('id="app-options"')[1].split("</datalist>")[0]


def test_search_answers_at_most_twenty_matches_prefix_first(client_as, team, team_admin):
    for n in range(30):
        AppFactory(team=team, name=f"shop-{n:02d}")
    AppFactory(team=team, name="my-shop")
    AppFactory(team=TeamFactory(name="other"), name="shop-elsewhere")
    response = client_as(team_admin).get("/teams/acme/access/app-search/", {"q": "Shop"}, **HX)
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK and "<html" not in html
    assert html.startswith('<datalist id="app-options">')
    assert html.count("<option") == 20 and 'value="shop-00"' in html and 'value="shop-19"' in html
    assert "shop-elsewhere" not in html and "my-shop" not in html


def test_search_fills_up_with_names_containing_the_text(client_as, team, team_admin):
    AppFactory(team=team, name="shop-api")
    AppFactory(team=team, name="my-shop")
    html = client_as(team_admin).get("/teams/acme/access/app-search/", {"app": "shop"}).content.decode()
    assert html.index('value="shop-api"') < html.index('value="my-shop"')


def test_search_with_no_text_suggests_nothing(client_as, team, team_admin, app):
    html = client_as(team_admin).get("/teams/acme/access/app-search/").content.decode()
    assert "<option" not in html


@pytest.mark.parametrize("size", [5, 200])
def test_search_costs_flat_queries(client_as, django_assert_num_queries, team, team_admin, size):
    for n in range(size):
        AppFactory(team=team, name=f"svc-{n:03d}")
    client = client_as(team_admin)
    with django_assert_num_queries(4):  # user, team, access, the 20 matches
        assert client.get("/teams/acme/access/app-search/", {"q": "svc"}).status_code == HTTPStatus.OK


def test_only_admins_search_the_team_apps(client_as, team, member, collaborator):
    assert client_as(member).get("/teams/acme/access/app-search/", {"q": "my"}).status_code == 403
    assert client_as(collaborator).get("/teams/acme/access/app-search/", {"q": "my"}).status_code == 404


def test_without_javascript_a_typed_name_adds_the_collaborator(client_as, team, team_admin, app):
    data = {"user": "pal@partner.test", "app": " MyApp "}
    response = client_as(team_admin).post("/teams/acme/access/add-collaborator/", data)
    assert response.status_code == HTTPStatus.FOUND
    assert Grant.objects.get(user__email="pal@partner.test").app == app


@pytest.mark.parametrize("name", ["no-such-app", "elsewhere"])
def test_an_unknown_app_name_is_refused_on_the_app_field(client_as, team, team_admin, app, name):
    AppFactory(team=TeamFactory(name="other"), name="elsewhere")
    data = {"user": "pal@partner.test", "app": name}
    response = client_as(team_admin).post("/teams/acme/access/add-collaborator/", data)
    html = response.content.decode()
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert f"acme has no app named \u201c{name}\u201d" in html
    assert f'value="{name}"' in html  # the typed name is kept in the field
    assert not Grant.objects.filter(user__email="pal@partner.test").exists()
