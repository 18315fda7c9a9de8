"""The rules' truth-table cases: every kind of actor x grant x team or personal app x lock."""

from __future__ import annotations

from dataclasses import dataclass

from accessctl.access import policy
from accessctl.access.policy import Access, TeamRole
from tests.contract import (
    GRANT_SETS,
    KINDS,
)

TEAM_ID, APP_ID, USER_ID, OTHER_ID = 1, 10, 100, 200


@dataclass
class FakeApp:
    id: int
    team_id: int | None
    owner_id: int | None
    locked: bool


def make_case(kind, grant, team_app, locked):
    roles = {TEAM_ID: TeamRole(kind)} if kind in ("admin", "member", "viewer") else {}
    if kind == "inactive":
        roles = {TEAM_ID: TeamRole.MEMBER}
    grants = {APP_ID: policy.normalize_perms(grant)} if grant is not None else {}
    access = Access(
        user_id=USER_ID,
        is_active=kind != "inactive",
        roles=roles,
        grants=grants,
        grant_teams={APP_ID: TEAM_ID if team_app else None} if grant is not None else {},
    )
    owner = (USER_ID if kind == "owner" else OTHER_ID) if not team_app else None
    return access, FakeApp(APP_ID, TEAM_ID if team_app else None, owner, locked and team_app)


CASES = [
    (kind, grant, team_app, locked)
    for kind in KINDS
    for grant in GRANT_SETS
    for team_app in (True, False)
    for locked in (False, True)
    if not (kind == "owner" and team_app)
]


def _id(case):
    kind, grant, team_app, locked = case
    grant_text = "nogrant" if grant is None else "+".join(sorted(grant))
    return f"{kind}-{grant_text}-{'team' if team_app else 'personal'}-{'locked' if locked else 'open'}"
