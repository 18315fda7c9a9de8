"""The rules truth table with time: a temporary grant counts just before its end, and not at or after it.

No database and no clock: each case hands the rules the moment to decide for (``Access.now``).
"""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from accessctl.access import policy
from accessctl.access.policy import Access, AppPerm, RequestStatus, TeamRole, TemporaryGrant
from tests.contract import CATALOG, expected_action, expected_perms
from tests.policy_cases import APP_ID, CASES, TEAM_ID, USER_ID, FakeApp, _id, make_case

END = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
MOMENTS = {
    "just-before": END - timedelta(microseconds=1),
    "at": END,
    "after": END + timedelta(hours=1),
}
TEMPORAL = [case for case in CASES if case[1] is not None]  # the cases that hold a grant


def as_temporary(access: Access, now: datetime) -> Access:
    """The same grant, held temporarily until END, judged at ``now``."""
    return dataclasses.replace(
        access,
        grants={},
        temporary={app_id: TemporaryGrant(perms, END) for app_id, perms in access.grants.items()},
        now=now,
    )


@pytest.mark.parametrize("moment", list(MOMENTS))
@pytest.mark.parametrize("case", TEMPORAL, ids=[_id(c) for c in TEMPORAL])
def test_temporary_grant_counts_only_before_its_end(case, moment):
    kind, grant, team_app, locked = case
    permanent, app = make_case(*case)
    access = as_temporary(permanent, MOMENTS[moment])
    held = grant if moment == "just-before" else None
    want = expected_perms(kind, held, team_app)
    assert {str(perm) for perm in policy.app_perms(access, app)} == want
    for codename in CATALOG:
        assert policy.can_app_action(access, app, codename) is expected_action(codename, kind, want, team_app)
    assert policy.can_join_app(access, app) is (kind == "member" and team_app and not locked and held is None)
    assert policy.can_leave_app(access, app) is (held is not None and kind != "inactive")


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_temporary_deploy_on_top_of_permanent_view(moment):
    access = Access(
        user_id=USER_ID,
        grants={APP_ID: frozenset({AppPerm.VIEW})},
        grant_teams={APP_ID: TEAM_ID},
        temporary={APP_ID: TemporaryGrant(frozenset({AppPerm.VIEW, AppPerm.DEPLOY}), END)},
        now=MOMENTS[moment],
    )
    app = FakeApp(APP_ID, TEAM_ID, None, True)
    want = {AppPerm.VIEW, AppPerm.DEPLOY} if moment == "just-before" else {AppPerm.VIEW}
    assert policy.app_perms(access, app) == want
    assert access.role_in(TEAM_ID) == policy.COLLABORATOR  # the permanent grant keeps them a collaborator


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_a_collaborator_only_by_temporary_grant_leaves_the_team_at_its_end(moment):
    access = Access(
        user_id=USER_ID,
        grant_teams={APP_ID: TEAM_ID},
        temporary={APP_ID: TemporaryGrant(frozenset({AppPerm.VIEW}), END)},
        now=MOMENTS[moment],
    )
    team = FakeApp(TEAM_ID, None, None, False)
    assert policy.can_team_action(access, team, "list_apps_team") is (moment == "just-before")


def test_a_snapshot_without_a_moment_counts_no_temporary_grant():
    access = Access(user_id=USER_ID, temporary={APP_ID: TemporaryGrant(frozenset({AppPerm.DEPLOY}), END)})
    assert policy.app_perms(access, FakeApp(APP_ID, TEAM_ID, None, False)) == frozenset()


# --- access requests ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class RequestableApp(FakeApp):
    accepts_requests: bool = True


@dataclasses.dataclass
class FakeRequest:
    requester_id: int
    app: RequestableApp


REQUESTERS = {
    # who -> may request on an unlocked team app they can see (they lack something)
    "admin": False,  # holds everything already
    "member": True,
    "viewer": True,
    "collaborator": True,
    "outsider": False,  # cannot even see the app
    "inactive": False,
}


def _access(kind, grant=None):
    roles = {TEAM_ID: TeamRole(kind)} if kind in TeamRole.values else {}
    if kind == "inactive":
        roles = {TEAM_ID: TeamRole.MEMBER}
    grants = {APP_ID: policy.normalize_perms(grant or ["view"])} if kind == "collaborator" or grant else {}
    return Access(
        user_id=USER_ID,
        is_active=kind != "inactive",
        roles=roles,
        grants=grants,
        grant_teams={APP_ID: TEAM_ID} if grants else {},
    )


@pytest.mark.parametrize("accepts", [True, False])
@pytest.mark.parametrize("kind", list(REQUESTERS))
def test_who_may_request_access(kind, accepts):
    app = RequestableApp(APP_ID, TEAM_ID, None, False, accepts_requests=accepts)
    assert policy.can_request_access(_access(kind), app) is (REQUESTERS[kind] and accepts)


def test_holding_every_permission_leaves_nothing_to_request():
    app = RequestableApp(APP_ID, TEAM_ID, None, False)
    assert not policy.can_request_access(_access("member", ["deploy", "operate", "manage"]), app)
    assert not policy.can_request_access(_access("member"), RequestableApp(APP_ID, None, 7, False))


@pytest.mark.parametrize(
    ("kind", "grant", "own", "allowed"),
    [
        ("admin", None, False, True),
        ("admin", None, True, False),  # never one's own request, whatever the role
        ("member", ["manage"], False, True),
        ("member", ["manage"], True, False),
        ("member", ["deploy", "operate"], False, False),
        ("viewer", None, False, False),
        ("collaborator", None, False, False),
        ("inactive", None, False, False),
    ],
)
def test_who_decides_a_request(kind, grant, own, allowed):
    request = FakeRequest(USER_ID if own else 999, RequestableApp(APP_ID, TEAM_ID, None, True))
    assert policy.can_decide_request(_access(kind, grant), request) is allowed
    assert policy.can_cancel_request(_access(kind, grant), request) is (own and kind != "inactive")


@pytest.mark.parametrize(
    ("age", "status"),
    [
        (timedelta(hours=24) - timedelta(microseconds=1), RequestStatus.PENDING),
        (timedelta(hours=24), RequestStatus.LAPSED),
        (timedelta(hours=25), RequestStatus.LAPSED),
    ],
)
def test_a_pending_request_lapses_after_a_day(age, status):
    assert policy.request_status_at("pending", END, END + age) == status
    assert policy.request_status_at("approved", END, END + age) == RequestStatus.APPROVED


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("PT4H", timedelta(hours=4)),
        ("4h", timedelta(hours=4)),
        ("90m", timedelta(minutes=90)),
        ("1d", timedelta(days=1)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("permanent", None),
    ],
)
def test_durations_people_write(text, duration):
    assert policy.parse_duration(text) == duration


@pytest.mark.parametrize("text", ["4 hours", "PT", "-4h", "soon", "P"])
def test_unreadable_durations_are_refused(text):
    with pytest.raises(ValueError, match="Give a duration such as PT4H"):
        policy.parse_duration(text)


@pytest.mark.parametrize(
    ("duration", "permanent", "problem"),
    [
        (timedelta(hours=8), False, None),
        (timedelta(hours=8, minutes=1), False, "longest access this team grants is 8 hours"),
        (timedelta(0), False, "must be in the future"),
        (timedelta(hours=-1), False, "must be in the future"),
        (None, False, "does not accept requests for permanent access"),
        (None, True, None),
    ],
)
def test_duration_against_team_policy(duration, permanent, problem):
    found = policy.duration_problem(duration, longest=timedelta(hours=8), permanent_allowed=permanent)
    assert (found is None) if problem is None else (problem in found)
