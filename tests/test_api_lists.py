"""Platform API lists as Heroku serves them: collaborators in the member list, create answers 201, paging by
``Range`` / ``Next-Range`` (values with dots, default page of 200, ``Content-Range``), more range fields."""

from datetime import timedelta
from http import HTTPStatus

from django.utils import timezone

from apps.models import App
from teams.models import Membership
from tests.factories import AppFactory, GrantFactory, MembershipFactory, UserFactory


def test_member_list_shows_collaborators_with_role_collaborator(api, team_admin, member, collaborator):
    rows = [(m["email"], m["role"]) for m in api(member, "GET", "/teams/acme/members").json()]
    assert rows == [
        ("admin@acme.test", "admin"),
        ("collab@partner.test", "collaborator"),
        ("member@acme.test", "member"),
    ]


def test_put_of_a_new_member_is_201_and_of_an_existing_one_200_and_post_adds(api, team, team_admin, member):
    created = api(team_admin, "PUT", "/teams/acme/members", {"email": "new@acme.test", "role": "viewer"})
    assert created.status_code == HTTPStatus.CREATED and created.json()["role"] == "viewer"
    changed = api(team_admin, "PUT", "/teams/acme/members", {"email": member.email, "role": "viewer"})
    assert changed.status_code == HTTPStatus.OK and changed.json()["role"] == "viewer"
    posted = api(team_admin, "POST", "/teams/acme/members", {"email": "other@acme.test", "role": "member"})
    assert posted.status_code == HTTPStatus.CREATED
    assert Membership.objects.get(team=team, user__email="other@acme.test").role == "member"


def test_the_member_lists_own_next_range_works_with_dotted_emails(api, team, team_admin, member, viewer):
    first = api(team_admin, "GET", "/teams/acme/members", HTTP_RANGE="email ..; max=1")
    assert first.status_code == HTTPStatus.PARTIAL_CONTENT
    assert first["Next-Range"] == "email ]admin@acme.test..; max=1"
    assert first["Content-Range"] == "email admin@acme.test..admin@acme.test"
    second = api(team_admin, "GET", "/teams/acme/members", HTTP_RANGE=first["Next-Range"])
    assert second.status_code == HTTPStatus.PARTIAL_CONTENT
    assert [m["email"] for m in second.json()] == ["member@acme.test"]
    third = api(team_admin, "GET", "/teams/acme/members", HTTP_RANGE=second["Next-Range"])
    assert third.status_code == HTTPStatus.OK and [m["email"] for m in third.json()] == ["viewer@acme.test"]


def test_lists_default_to_pages_of_200(api, team, team_admin):
    for n in range(204):
        MembershipFactory(team=team, user=UserFactory(email=f"p{n:03}@acme.test"))
    first = api(team_admin, "GET", "/teams/acme/members")
    assert first.status_code == HTTPStatus.PARTIAL_CONTENT and len(first.json()) == 200
    assert first["Next-Range"].endswith("; max=200")
    rest = api(team_admin, "GET", "/teams/acme/members", HTTP_RANGE=first["Next-Range"])
    assert rest.status_code == HTTPStatus.OK and len(rest.json()) == 5


def test_user_apps_page_by_name_id_and_updated_at(api, team, team_admin):
    now = timezone.now()
    for n in range(3):
        app = AppFactory(team=None, owner=team_admin, name=f"mine-{n}")
        App.objects.filter(pk=app.pk).update(updated_at=now - timedelta(hours=3 - n))
    GrantFactory(app=AppFactory(team=team, name="shared"), user=team_admin)
    by_name = api(team_admin, "GET", "/users/~/apps", HTTP_RANGE="name ..; max=2")
    assert [a["name"] for a in by_name.json()] == ["mine-0", "mine-1"]
    ids = sorted(str(a.public_id) for a in App.objects.all())
    by_id = api(team_admin, "GET", "/users/~/apps", HTTP_RANGE="id ..; max=3")
    assert [a["id"] for a in by_id.json()] == ids[:3]
    following = api(team_admin, "GET", "/users/~/apps", HTTP_RANGE=by_id["Next-Range"])
    assert [a["id"] for a in following.json()] == ids[3:]
    newest = api(team_admin, "GET", "/users/~/apps", HTTP_RANGE="updated_at ..; max=2, order=desc")
    assert [a["name"] for a in newest.json()] == ["shared", "mine-2"]
    older = api(team_admin, "GET", "/users/~/apps", HTTP_RANGE=newest["Next-Range"])
    assert [a["name"] for a in older.json()] == ["mine-1", "mine-0"]
