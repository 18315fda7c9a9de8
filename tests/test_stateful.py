"""Random sequences of service calls by random actors; after every step the invariants of the rules hold.

A Hypothesis ``RuleBasedStateMachine`` drives the membership, grant, lock and join services with actors drawn
from five people in two teams. After each step: every team has an admin; admins hold every permission on their
team's apps; every permission implies view; collaborators see only the apps they hold a grant on; a change that
succeeded wrote exactly one audit event (a call that had nothing to do wrote none); a refused one changed nothing.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from accessctl.access import policy as p
from accessctl.access.errors import DomainError
from accessctl.audit.log import Origin
from accessctl.audit.models import AuditEvent
from accessctl.models import User
from apps import services as app_services
from apps.models import App, Grant
from apps.selectors import apps_visible_to
from teams import services as team_services
from teams.models import Membership, Team
from tests.factories import AppFactory, MembershipFactory, TeamFactory, UserFactory
from tests.world import snapshot

PEOPLE = ("ann", "bob", "cid", "dee", "eve")
APP_PERMS = ("view", "deploy", "operate", "manage")
ALL_APP_PERMS = (p.VIEW_APP, p.DEPLOY_APP, p.OPERATE_APP, p.MANAGE_APP, p.LOCK_APP, p.MANAGE_ACCESS_APP)
ORIGIN = Origin("web")

person = st.sampled_from(PEOPLE)
team_name = st.sampled_from(("red", "blue"))
app_name = st.sampled_from(("red-one", "red-two", "blue-one"))
role = st.sampled_from(("admin", "member", "viewer"))
perms = st.lists(st.sampled_from(APP_PERMS), max_size=4).map(lambda chosen: sorted({"view", *chosen}))


def _without_audit(state):
    return {key: value for key, value in state.items() if key != "AuditEvent"}


class AccessMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        users = {name: UserFactory(email=f"{name}@example.test") for name in PEOPLE}
        for team, admin in (("red", "ann"), ("blue", "bob")):
            TeamFactory(name=team)
            MembershipFactory(team=Team.objects.get(name=team), user=users[admin], role="admin")
        MembershipFactory(team=Team.objects.get(name="red"), user=users["cid"], role="member")
        for name in ("red-one", "red-two", "blue-one"):
            AppFactory(name=name, team=Team.objects.get(name=name.split("-")[0]))
        self.outcomes: list[str] = []

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # Fresh objects each step, as each request loads them: no memoised access survives a change.
    @staticmethod
    def user(name):
        return User.objects.get(email=f"{name}@example.test")

    @staticmethod
    def team(name):
        return Team.objects.get(name=name)

    @staticmethod
    def app(name):
        return App.objects.get(name=name)

    def attempt(self, call):
        before, events = snapshot(), AuditEvent.objects.count()
        try:
            with transaction.atomic():
                call()
        except (PermissionDenied, DomainError):
            assert snapshot() == before, "a refused change changed something"
            self.outcomes.append("refused")
            return
        after = snapshot()
        written = AuditEvent.objects.count() - events
        if _without_audit(after) != _without_audit(before):
            assert written == 1, "a change without exactly one audit event"
            self.outcomes.append("done")
        else:  # nothing to do (the role or grant was already so): no change, and no event
            assert written == 0, "an event for a change that changed nothing"
            self.outcomes.append("no-op")

    @rule(actor=person, team=team_name, user=person, role=role)
    def add_member(self, actor, team, user, role):
        self.attempt(
            lambda: team_services.team_member_add(
                actor=self.user(actor), team=self.team(team), user=self.user(user), role=role, origin=ORIGIN
            )
        )

    @rule(actor=person, team=team_name, user=person)
    def remove_member(self, actor, team, user):
        self.attempt(
            lambda: team_services.team_member_remove(
                actor=self.user(actor), team=self.team(team), user=self.user(user), origin=ORIGIN
            )
        )

    @rule(actor=person, app=app_name, user=person, permissions=perms)
    def grant(self, actor, app, user, permissions):
        self.attempt(
            lambda: app_services.app_grant_add(
                actor=self.user(actor),
                app=self.app(app),
                user=self.user(user),
                permissions=permissions,
                origin=ORIGIN,
            )
        )

    @rule(actor=person, app=app_name, user=person, permissions=perms)
    def update_grant(self, actor, app, user, permissions):
        self.attempt(
            lambda: app_services.app_grant_update(
                actor=self.user(actor),
                app=self.app(app),
                user=self.user(user),
                permissions=permissions,
                origin=ORIGIN,
            )
        )

    @rule(actor=person, app=app_name, user=person)
    def revoke(self, actor, app, user):
        self.attempt(
            lambda: app_services.app_grant_remove(
                actor=self.user(actor), app=self.app(app), user=self.user(user), origin=ORIGIN
            )
        )

    @rule(actor=person, app=app_name, locked=st.booleans())
    def lock(self, actor, app, locked):
        self.attempt(
            lambda: app_services.app_set_locked(
                actor=self.user(actor), app=self.app(app), locked=locked, origin=ORIGIN
            )
        )

    @rule(actor=person, app=app_name)
    def join(self, actor, app):
        self.attempt(lambda: app_services.app_join(actor=self.user(actor), app=self.app(app), origin=ORIGIN))

    @rule(actor=person, app=app_name)
    def leave(self, actor, app):
        self.attempt(lambda: app_services.app_leave(actor=self.user(actor), app=self.app(app), origin=ORIGIN))

    @invariant()
    def every_team_has_an_admin(self):
        for team in Team.objects.all():
            assert Membership.objects.filter(team=team, role="admin").exists(), team.name

    @invariant()
    def admins_hold_every_permission_on_their_teams_apps(self):
        apps = list(App.objects.all())
        for membership in Membership.objects.filter(role="admin").select_related("user"):
            user = membership.user
            for app in (app for app in apps if app.team_id == membership.team_id):
                assert all(user.has_perm(perm, app) for perm in ALL_APP_PERMS), (user.email, app.name)

    @invariant()
    def every_permission_implies_view(self):
        apps = list(App.objects.all())
        for name in PEOPLE:
            user = self.user(name)
            for app in apps:
                if any(user.has_perm(perm, app) for perm in (p.DEPLOY_APP, p.OPERATE_APP, p.MANAGE_APP)):
                    assert user.has_perm(p.VIEW_APP, app), (name, app.name)
        assert not Grant.objects.exclude(permissions__startswith="view").exists()

    @invariant()
    def collaborators_see_only_their_apps(self):
        for name in PEOPLE:
            user = self.user(name)
            for team in Team.objects.all():
                if Membership.objects.filter(team=team, user=user).exists():
                    continue
                seen = set(apps_visible_to(user).filter(team=team).values_list("name", flat=True))
                granted = set(
                    Grant.objects.filter(user=user, app__team=team).values_list("app__name", flat=True)
                )
                assert seen == granted, (name, team.name, seen, granted)


@pytest.mark.django_db
def test_random_sequences_of_changes_keep_the_rules():
    run_state_machine_as_test(
        AccessMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
