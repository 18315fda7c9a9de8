"""The access matrix: every cell equals has_perm, constant queries, filters, pages both ways, CSV, who sees it."""

import csv
import io
import random
from http import HTTPStatus

import pytest

from accessctl.access.policy import PERM_ORDER, TeamRole
from accessctl.models import User
from apps.models import App
from reviews.matrix import team_matrix
from reviews.views_matrix import APPS_PER_PAGE
from tests.factories import AppFactory, GrantFactory, MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def generated_team(seed, people=30, apps=9):
    """A team with random roles, grants, collaborators, an inactive user and a locked app, plus noise."""
    rng = random.Random(seed)
    team = TeamFactory(name=f"gen-{seed}")
    other = TeamFactory(name=f"other-{seed}")
    team_apps = [AppFactory(team=team, locked=rng.random() < 0.3) for _ in range(apps)]
    other_app = AppFactory(team=other)
    for n in range(people):
        user = UserFactory(email=f"p{n:03}-{seed}@gen.test", is_active=rng.random() > 0.1)
        role = rng.choice([TeamRole.ADMIN, TeamRole.MEMBER, TeamRole.VIEWER, None, None])
        if role:
            MembershipFactory(team=team, user=user, role=role)
        for app in rng.sample(team_apps, rng.randint(0 if role else 1, 3)):
            perms = ["view", *rng.sample(["deploy", "operate", "manage"], rng.randint(0, 3))]
            GrantFactory(app=app, user=user, permissions=",".join(perms))
        if rng.random() < 0.2:
            GrantFactory(app=other_app, user=user, permissions="view,manage")
    return team


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_cell_equals_has_perm(seed):
    team = generated_team(seed)
    matrix = team_matrix(team)
    assert [app.name for app in matrix.apps] == sorted(
        App.objects.filter(team=team).values_list("name", flat=True)
    )
    assert len(matrix.people) == User.objects.filter(email__endswith=f"-{seed}@gen.test").count()
    for person in matrix.people:
        user = User.objects.get(pk=person.user_id)
        is_admin = user.memberships.filter(team=team, role=TeamRole.ADMIN).exists()
        for app, cell in zip(matrix.apps, person.cells(matrix.apps), strict=True):
            held = tuple(perm for perm in PERM_ORDER if user.has_perm(f"apps.{perm}_app", app))
            assert cell.perms == held, (user.email, app.name)
            assert cell.admin is (is_admin and user.is_active)


def test_filters_by_role_app_name_and_permission(team, team_admin, member, viewer, collaborator, app):
    staging = AppFactory(team=team, name="website-staging")
    GrantFactory(app=staging, user=member, permissions="view,deploy")
    by_role = team_matrix(team, role="collaborator")
    assert [person.email for person in by_role.people] == [collaborator.email]
    assert [a.name for a in team_matrix(team, app_name="STAGING").apps] == ["website-staging"]
    deployers = team_matrix(team, perm="deploy", app_name="staging")
    assert [person.email for person in deployers.people] == [team_admin.email, member.email]


def test_cell_text_says_admin_or_the_permissions(team, team_admin, collaborator, app):
    matrix = team_matrix(team)
    cells = {person.email: person.cell(app).text for person in matrix.people}
    assert cells == {team_admin.email: "admin", collaborator.email: "view"}


@pytest.mark.parametrize("size", [3, 20])
def test_matrix_page_costs_the_same_queries_whatever_the_size(client_as, django_assert_num_queries, size):
    team = generated_team(seed=size, people=size, apps=size)
    admin = UserFactory(email=f"boss{size}@gen.test")
    MembershipFactory(team=team, user=admin, role=TeamRole.ADMIN)
    client = client_as(admin)
    # user, team, the viewer's facts (one query), apps, grants, people (the session comes from the cache)
    with django_assert_num_queries(6):
        response = client.get(f"/teams/{team.name}/matrix/")
    assert response.status_code == HTTPStatus.OK


def test_matrix_pages_in_both_directions(client_as, settings, team, team_admin):
    settings.PAGE_SIZE = 2
    for n in range(APPS_PER_PAGE + 1):
        AppFactory(team=team, name=f"app-{n:02}")
    for n in range(3):
        MembershipFactory(team=team, user=UserFactory(email=f"m{n}@acme.test"))
    client = client_as(team_admin)
    first = client.get("/teams/acme/matrix/").content.decode()
    assert 'id="app-app-00"' in first and f'id="app-app-{APPS_PER_PAGE:02}"' not in first
    assert "Apps page 1 of 2" in first and "Page 1 of 2" in first
    later = client.get("/teams/acme/matrix/?apps=2&page=2").content.decode()
    assert f'id="app-app-{APPS_PER_PAGE:02}"' in later and 'id="app-app-00"' not in later
    assert "m2@acme.test" in later and "m0@acme.test" not in later


def test_csv_export_is_the_whole_matrix_with_formula_cells_neutralised(client_as, team, team_admin, app):
    sneaky = UserFactory(email="=cmd@evil.test")
    GrantFactory(app=app, user=sneaky, permissions="view,deploy")
    response = client_as(team_admin).get("/teams/acme/matrix/?format=csv&page=9")
    assert response["Content-Type"] == "text/csv" and response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        ["email", "role", "myapp"],
        ["'=cmd@evil.test", "collaborator", "view deploy"],
        ["admin@acme.test", "admin", "admin"],
    ]


@pytest.mark.parametrize("who", ["team_admin", "member", "viewer"])
def test_admins_members_and_viewers_see_the_matrix(request, client_as, team, app, who):
    response = client_as(request.getfixturevalue(who)).get("/teams/acme/matrix/")
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert 'id="access-matrix"' in html and 'id="app-myapp"' in html
    assert 'href="/teams/acme/matrix/"' in html and 'href="/teams/acme/reviews/"' in html


def test_collaborators_and_outsiders_get_not_found(client_as, team, collaborator, outsider):
    for user in (collaborator, outsider):
        for url in ("/teams/acme/matrix/", "/teams/acme/matrix/?format=csv", "/teams/acme/reviews/"):
            assert client_as(user).get(url).status_code == HTTPStatus.NOT_FOUND
