"""The rules engine against the SPEC's tables, with no database: every role x grant x lock x ownership."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accessctl.access import policy
from accessctl.access.policy import COLLABORATOR, Access, AppPerm, TeamRole
from tests.contract import (
    CATALOG,
    TEAM_ADMINS_ONLY,
    TEAM_APPS_ONLY,
    TEAM_TABLE,
    expected_action,
    expected_perms,
)
from tests.policy_cases import APP_ID, CASES, OTHER_ID, TEAM_ID, USER_ID, FakeApp, _id, make_case


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_policy_matches_spec_catalog(case):
    kind, grant, team_app, locked = case
    access, app = make_case(*case)
    want = expected_perms(kind, grant, team_app)
    assert {str(perm) for perm in policy.app_perms(access, app)} == want
    for codename in CATALOG:
        allowed = expected_action(codename, kind, want, team_app)
        assert policy.can_app_action(access, app, codename) is allowed, codename
    can_join = kind == "member" and team_app and not locked and grant is None
    assert policy.can_join_app(access, app) is can_join
    assert policy.can_leave_app(access, app) is (grant is not None and kind != "inactive")


def test_catalog_in_code_is_the_spec_catalog():
    assert {a.codename: {str(p) for p in a.any_of} for a in policy.APP_ACTIONS} == CATALOG
    assert {a.codename for a in policy.APP_ACTIONS if a.team_apps_only} == TEAM_APPS_ONLY
    assert {a.codename for a in policy.APP_ACTIONS if a.team_admins_only} == TEAM_ADMINS_ONLY


@pytest.mark.parametrize("role", ["admin", "member", "viewer", "collaborator", None])
@pytest.mark.parametrize("codename", sorted(TEAM_TABLE))
def test_team_actions_match_spec_table(role, codename):
    grants = {APP_ID: frozenset({AppPerm.VIEW})} if role == COLLABORATOR else {}
    roles = {TEAM_ID: TeamRole(role)} if role in TeamRole.values else {}
    access = Access(
        user_id=USER_ID, roles=roles, grants=grants, grant_teams={APP_ID: TEAM_ID} if grants else {}
    )
    team = FakeApp(TEAM_ID, None, None, False)
    assert policy.can_team_action(access, team, codename) is (role in TEAM_TABLE[codename])


def test_locking_leaves_team_view_and_grants_unchanged():
    access = Access(user_id=USER_ID, roles={TEAM_ID: TeamRole.MEMBER}, grants={}, grant_teams={})
    open_app, locked_app = FakeApp(APP_ID, TEAM_ID, None, False), FakeApp(APP_ID, TEAM_ID, None, True)
    assert policy.app_perms(access, open_app) == policy.app_perms(access, locked_app) == {AppPerm.VIEW}


def test_every_permission_constant_is_answered():
    constants = [
        v
        for k, v in vars(policy).items()
        if k.isupper() and isinstance(v, str) and re.fullmatch(r"\w+\.\w+", v)
    ]
    assert constants and all(c in policy.PERMISSIONS for c in constants)


def test_no_access_denies_everything():
    app = FakeApp(APP_ID, TEAM_ID, None, False)
    assert not any(predicate(policy.NO_ACCESS, app) for predicate in policy.PERMISSIONS.values())


def test_normalize_perms_adds_view_and_rejects_unknown():
    assert policy.normalize_perms(["deploy"]) == {AppPerm.VIEW, AppPerm.DEPLOY}
    with pytest.raises(ValueError, match="Unknown permission 'admin'"):
        policy.normalize_perms(["admin"])


# --- properties ---------------------------------------------------------------------------------------------

perm_sets = st.frozensets(st.sampled_from(list(AppPerm)))
roles = st.sampled_from([None, *TeamRole])


any_grant = st.one_of(st.none(), perm_sets)
booleans = st.booleans()


@st.composite
def situations(draw, role=roles, grant=any_grant, team_app=booleans):
    role = draw(role)
    grant = draw(grant)
    team_app = draw(team_app)
    access = Access(
        user_id=USER_ID,
        roles={TEAM_ID: role} if role else {},
        grants={APP_ID: policy.normalize_perms(grant)} if grant is not None else {},
        grant_teams={APP_ID: TEAM_ID if team_app else None} if grant is not None else {},
    )
    app = FakeApp(
        APP_ID, TEAM_ID if team_app else None, OTHER_ID if not team_app else None, draw(st.booleans())
    )
    return access, app


@given(situations(role=st.just(TeamRole.ADMIN), team_app=st.just(True)))
def test_admins_always_allowed_on_team_apps(situation):
    access, app = situation
    assert all(policy.can_app_action(access, app, a.codename) for a in policy.APP_ACTIONS)


@given(situations())
def test_any_permission_implies_view(situation):
    access, app = situation
    perms = policy.app_perms(access, app)
    assert not perms or AppPerm.VIEW in perms


@given(situations(grant=perm_sets), st.sampled_from([AppPerm.DEPLOY, AppPerm.OPERATE, AppPerm.MANAGE]))
def test_removing_a_permission_never_adds_one(situation, removed):
    access, app = situation
    narrower = Access(
        user_id=USER_ID,
        roles=access.roles,
        grants={APP_ID: access.grants[APP_ID] - {removed}},
        grant_teams=access.grant_teams,
    )
    assert policy.app_perms(narrower, app) <= policy.app_perms(access, app)
    for action in policy.APP_ACTIONS:
        if policy.can_app_action(narrower, app, action.codename):
            assert policy.can_app_action(access, app, action.codename)


@given(perm_sets)
def test_collaborators_never_get_team_actions_beyond_listing(grant):
    access = Access(
        user_id=USER_ID, grants={APP_ID: policy.normalize_perms(grant)}, grant_teams={APP_ID: TEAM_ID}
    )
    team = FakeApp(TEAM_ID, None, None, False)
    allowed = {a.codename for a in policy.TEAM_ACTIONS if policy.can_team_action(access, team, a.codename)}
    assert allowed == {"list_apps_team"}
