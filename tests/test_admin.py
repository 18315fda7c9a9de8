"""The Django admin as a support console: support staff read everything and change only what their group
allows; every change (forms, inlines, actions, deletes) goes through the services, obeys the invariants and
is audited with source ``admin``."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group

from accessctl.audit.log import COMMAND
from accessctl.identity.tokens import api_token_create
from accessctl.models import ApiToken, AuditEvent
from apps.models import App, Grant
from apps.transfers import app_transfer_create
from teams.models import Membership, Team
from tests.factories import AppFactory, GrantFactory, MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return UserFactory(email="root@accessctl.test", is_staff=True, is_superuser=True)


def admin_events():
    return AuditEvent.objects.filter(source="admin")


# --- support staff -----------------------------------------------------------------------------------------------


def test_support_can_search_and_view_everything(
    client_as, support, team, team_admin, member, app, collaborator
):
    client = client_as(support)
    api_token_create(actor=member, name="laptop", origin=COMMAND)
    pages = [
        "/admin/",
        "/admin/accessctl/user/?q=member",
        f"/admin/accessctl/user/{member.pk}/change/",
        "/admin/teams/team/",
        f"/admin/teams/team/{team.pk}/change/",
        "/admin/teams/membership/?q=acme",
        "/admin/apps/app/?kind=team",
        f"/admin/apps/app/{app.pk}/change/",
        "/admin/apps/grant/?q=collab",
        "/admin/accessctl/auditevent/",
        "/admin/accessctl/apitoken/",
    ]
    for page in pages:
        assert client.get(page).status_code == HTTPStatus.OK, page
    html = client.get(f"/admin/accessctl/user/{member.pk}/change/").content.decode()
    assert "Team roles" in html and "acme" in html


def test_support_answers_who_has_what_since_when_and_who_changed_it(client_as, support, team_admin, app):
    GrantFactory(app=app, user=UserFactory(email="bob@x.test"), permissions="view,deploy")
    client = client_as(support)
    grants = client.get("/admin/apps/grant/?q=bob").content.decode()
    assert "bob@x.test" in grants and "view, deploy" in grants
    AuditEvent.objects.create(
        action="grant.add",
        source="web",
        actor_label="admin@acme.test",
        target_email="bob@x.test",
        app_name=app.name,
    )
    events = client.get("/admin/accessctl/auditevent/?q=bob").content.decode()
    assert "grant.add" in events and "admin@acme.test" in events


@pytest.mark.parametrize(
    "url",
    ["/admin/teams/membership/add/", "/admin/apps/grant/add/", "/admin/teams/team/add/"],
)
def test_support_cannot_add(client_as, support, url):
    assert client_as(support).get(url).status_code == HTTPStatus.FORBIDDEN


def test_support_cannot_change_roles_or_grants(client_as, support, team, team_admin, member, app):
    grant = GrantFactory(app=app, user=member, permissions="view")
    membership = Membership.objects.get(user=member)
    client = client_as(support)
    client.post(f"/admin/teams/membership/{membership.pk}/change/", {"role": "admin"})
    client.post(f"/admin/apps/grant/{grant.pk}/change/", {"permissions": ["manage"]})
    client.post(f"/admin/apps/grant/{grant.pk}/delete/", {"post": "yes"})
    assert Membership.objects.get(pk=membership.pk).role == "member"
    assert Grant.objects.get(pk=grant.pk).permissions == {"view"}
    assert not admin_events().exists()


def test_support_can_lock_and_unlock_with_the_action(client_as, support, team, team_admin, app, locked_app):
    client = client_as(support)
    client.post("/admin/apps/app/", {"action": "lock_selected", "_selected_action": [app.pk, locked_app.pk]})
    assert App.objects.get(pk=app.pk).locked
    event = admin_events().get(action="app.lock")
    assert event.actor == support and event.app == app
    client.post("/admin/apps/app/", {"action": "unlock_selected", "_selected_action": [app.pk]})
    assert not App.objects.get(pk=app.pk).locked


def test_staff_cannot_raise_own_flags(client_as, support):
    html = client_as(support).get(f"/admin/accessctl/user/{support.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in html and 'name="groups"' not in html


# --- superuser changes obey the rules -----------------------------------------------------------------------------


def test_last_admin_cannot_be_demoted_in_admin(client_as, root, team, team_admin):
    membership = Membership.objects.get(user=team_admin)
    response = client_as(root).post(
        f"/admin/teams/membership/{membership.pk}/change/", {"role": "member"}, follow=True
    )
    assert "must have at least one admin. Add another admin first." in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == "admin"


def test_last_admin_cannot_be_removed_deactivated_or_deleted(client_as, root, team, team_admin):
    client = client_as(root)
    membership = Membership.objects.get(user=team_admin)
    removed = client.post(f"/admin/teams/membership/{membership.pk}/delete/", {"post": "yes"}, follow=True)
    assert "must have at least one admin" in removed.content.decode()
    deactivated = client.post(
        f"/admin/accessctl/user/{team_admin.pk}/change/",
        {
            "name": "",
            "is_staff": "",
            "is_superuser": "",
            "groups": [],
            **inline_management("memberships"),
            **inline_management("grants"),
        },
        follow=True,
    )
    assert "is the last admin of acme" in deactivated.content.decode()
    deleted = client.post(f"/admin/accessctl/user/{team_admin.pk}/delete/", {"post": "yes"}, follow=True)
    assert "is the last admin of acme" in deleted.content.decode()
    team_admin.refresh_from_db()
    assert team_admin.is_active and Membership.objects.filter(pk=membership.pk, role="admin").exists()


def inline_management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": total,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def test_superuser_changes_go_through_services_with_audit(client_as, root, team, team_admin, member, app):
    client = client_as(root)
    membership = Membership.objects.get(user=member)
    client.post(f"/admin/teams/membership/{membership.pk}/change/", {"role": "viewer"})
    assert Membership.objects.get(pk=membership.pk).role == "viewer"
    bob = UserFactory(email="bob@x.test")
    client.post("/admin/apps/grant/add/", {"app": app.pk, "user": bob.pk, "permissions": ["deploy"]})
    grant = Grant.objects.get(user=bob)
    assert grant.permissions == {"view", "deploy"}
    client.post(f"/admin/apps/grant/{grant.pk}/change/", {"permissions": ["operate"]})
    assert Grant.objects.get(pk=grant.pk).permissions == {"view", "operate"}
    client.post(f"/admin/apps/grant/{grant.pk}/delete/", {"post": "yes"})
    assert not Grant.objects.filter(pk=grant.pk).exists()
    client.post(f"/admin/apps/app/{app.pk}/change/", {"name": "renamed", "maintenance": "on",
                                                       **inline_management("grants")})  # fmt: off
    app.refresh_from_db()
    assert (app.name, app.maintenance) == ("renamed", True)
    actions = list(admin_events().order_by("id").values_list("action", flat=True))
    assert actions == [
        "member.role_change",
        "grant.add",
        "grant.update",
        "grant.remove",
        "app.maintenance",
        "app.rename",
    ]
    assert set(admin_events().values_list("actor", flat=True)) == {root.pk}


def test_bulk_delete_goes_through_services(client_as, root, team, team_admin, member, viewer):
    ids = list(Membership.objects.values_list("pk", flat=True))
    client_as(root).post("/admin/teams/membership/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
                         follow=True)  # fmt: off
    # Members go; the last admin stays, and the refusal rolls the whole bulk delete back.
    assert Membership.objects.filter(role="admin").count() == 1
    assert Membership.objects.count() == 3
    assert not admin_events().filter(action="member.remove").exists()


def test_team_inline_changes_go_through_services(client_as, root, team, team_admin, member):
    membership = Membership.objects.get(user=member)
    admin_membership = Membership.objects.get(user=team_admin)
    data = {
        "name": "acme", "join_permissions": ["deploy"], "require_mfa": "on",
        "memberships-TOTAL_FORMS": 2, "memberships-INITIAL_FORMS": 2, "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
        "memberships-0-id": admin_membership.pk, "memberships-0-team": team.pk, "memberships-0-user": team_admin.pk,
        "memberships-0-role": "admin",
        "memberships-1-id": membership.pk, "memberships-1-team": team.pk, "memberships-1-user": member.pk,
        "memberships-1-role": "admin",
    }  # fmt: off
    response = client_as(root).post(f"/admin/teams/team/{team.pk}/change/", data)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    team.refresh_from_db()
    assert team.require_mfa and team.join_permissions == {"view", "deploy"}
    assert Membership.objects.get(pk=membership.pk).role == "admin"
    assert set(admin_events().values_list("action", flat=True)) == {"team.settings", "member.role_change"}


def test_team_add_needs_a_first_admin(client_as, root):
    client_as(root).post("/admin/teams/team/add/", {"name": "widgets", "first_admin": "boss@widgets.test"})
    team = Team.objects.get(name="widgets")
    assert Membership.objects.get(team=team).user.email == "boss@widgets.test"


def test_superuser_cannot_change_own_flags_but_others(client_as, root, support):
    html = client_as(root).get(f"/admin/accessctl/user/{root.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in html
    other = client_as(root).get(f"/admin/accessctl/user/{support.pk}/change/").content.decode()
    assert 'name="is_superuser"' in other


def test_token_revoke_action(client_as, root, member):
    token, _ = api_token_create(actor=member, name="laptop", origin=COMMAND)
    client_as(root).post("/admin/accessctl/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert not ApiToken.objects.exists()
    assert admin_events().get(action="token.revoke").target_user == member


def test_audit_events_are_read_only_and_export_csv(client_as, root, team, team_admin):
    event = AuditEvent.objects.create(
        action="app.lock", source="web", actor_label="admin@acme.test", team=team
    )
    client = client_as(root)
    assert client.get(f"/admin/accessctl/auditevent/{event.pk}/change/").status_code == HTTPStatus.OK
    assert client.post(f"/admin/accessctl/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        "/admin/accessctl/auditevent/", {"action": "export_csv", "_selected_action": [event.pk]}
    )
    content = b"".join(response.streaming_content).decode()
    assert content.splitlines()[0] == "time,actor,action,description,team,app,target,before,after,source,ip"
    assert ",admin@acme.test,app.lock,App locked," in content


@pytest.mark.parametrize("size", [5, 300])
def test_changelists_have_flat_query_counts(client_as, django_assert_num_queries, root, size):
    team = TeamFactory()
    for _ in range(size):
        user = UserFactory()
        MembershipFactory(team=team, user=user)
        GrantFactory(app=AppFactory(team=team), user=user, permissions="view,deploy")
        AuditEvent.objects.create(action="grant.add", source="web", actor_label=user.email, team=team)
        mine = AppFactory(team=None, owner=user)
        app_transfer_create(actor=user, app=mine, recipient=root, origin=COMMAND)
    client = client_as(root)
    queries = {  # user, count, page, and the filters' choices where a changelist has them (session: cached)
        "/admin/accessctl/user/": 5,
        "/admin/teams/team/": 4,
        "/admin/teams/membership/": 5,
        "/admin/apps/app/": 5,
        "/admin/apps/grant/": 5,
        "/admin/accessctl/auditevent/": 7,
        "/admin/apps/apptransfer/": 4,
    }
    for url, count in queries.items():
        with django_assert_num_queries(count):
            assert client.get(url).status_code == HTTPStatus.OK, url


def test_superuser_grants_support_flags_with_audit(client_as, root):
    target = UserFactory(email="new-support@accessctl.test")
    support_group = Group.objects.get(name="support")
    response = client_as(root).post(
        f"/admin/accessctl/user/{target.pk}/change/",
        {"name": "", "is_active": "on", "is_staff": "on", "groups": [support_group.pk],
         **inline_management("memberships"), **inline_management("grants")},
    )  # fmt: off
    assert response.status_code == HTTPStatus.FOUND
    target.refresh_from_db()
    assert target.is_staff and list(target.groups.all()) == [support_group]
    event = admin_events().get(action="user.flags")
    assert event.after == {"is_staff": True, "groups": ["support"]}
