"""Platform API: account, teams, members, team permissions (contract E1-E8, E12, E13)."""

from typing import Any

from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import PermissionDenied
from django.db.models.utils import create_namedtuple_class

from accessctl.access import policy as p
from accessctl.access.facts import access_for
from accessctl.api import serializers as s
from accessctl.api.bodies import MemberBody, parse_body
from accessctl.api.http import DEFAULT_MAX, PreparedRange, api_view, json_response, origin, ranged
from accessctl.identity.models import User
from accessctl.identity.people import user_for_email
from accessctl.identity.signin import hidden_team_ids
from accessctl.web.lookups import get_team
from apps.selectors import apps_visible_to
from teams import services
from teams.selectors import membership_of, team_people, team_people_values, teams_for

# What ``s.member`` reads of a person: the list fetches these columns alone, no model instance a row.
MEMBER_COLUMNS = (
    "public_id",
    "email",
    "name",
    "team_role",
    "last_sign_in_federated",
    "has_mfa",
    "date_joined",
)
MemberRow = create_namedtuple_class(*MEMBER_COLUMNS)  # the rows of values_list(named=True)


@api_view("GET")
def account(request):
    """E1: the caller's account."""
    user = request.user
    return json_response(
        s.account(
            user,
            two_factor=Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(),
            federated=SocialAccount.objects.filter(user=user).exists(),
        )
    )


@api_view("GET")
def teams(request):
    """E2: the teams the caller has a role in, with that role; a team whose sign-in policy the token fails is
    left out (its name included)."""
    hidden = hidden_team_ids(request)
    rows = [
        row for row in teams_for(request.user) if row.role != p.COLLABORATOR and row.team.pk not in hidden
    ]
    return ranged(
        request,
        rows,
        allowed=("name",),
        serialize=lambda row: s.team(row.team, row.role),
        key=lambda row, field: getattr(row.team, field),
    )


@api_view("GET")
def team_detail(request, team):
    """E3: one team (members, viewers and collaborators of it may read it)."""
    team = get_team(request, team, perm=p.LIST_APPS_TEAM, page_facts=False)
    return json_response(s.team(team, access_for(request.user).role_in(team.pk)))


@api_view("GET")
def team_features(request, team):
    """E4: the team's features; ``org-access-controls`` makes the CLI send app permissions."""
    found = get_team(request, team, perm=p.LIST_APPS_TEAM, page_facts=False)
    return json_response(s.team_features(found))


def _member_json(team, email):
    person = team_people(team).filter(email__iexact=email).first()
    return s.member(person, team) if person is not None else {}


@api_view("GET", "PUT", "POST", "PATCH")
def team_members(request, team):
    """E5 list members and collaborators (role ``collaborator``, as Heroku lists them); E6 (PUT, or POST)
    add (201) or change a role (200); E7 (PATCH) change a role (admin or member only).

    Collaborators get 403 (not 404) on the list: the CLI's ``access`` tolerates a 403 there only.
    """
    team = get_team(request, team, perm=p.LIST_APPS_TEAM, page_facts=False)
    if request.method == "GET":
        if not request.user.has_perm(p.VIEW_TEAM, team):
            raise PermissionDenied(f"Only members of {team.name} can list its members.")

        def fetch(descending: bool, op: str | None, start: str | None, limit: int) -> list[Any] | None:
            if limit != DEFAULT_MAX + 1:  # each page size is compiled apart: only the usual one
                return None
            rows = team_people_values(
                team, MEMBER_COLUMNS, descending=descending, op=op, email=start, limit=limit
            )
            return [MemberRow(*row) for row in rows]

        people = PreparedRange(
            User, fetch, lambda: team_people(team).values_list(*MEMBER_COLUMNS, named=True)
        )
        return ranged(request, people, allowed=("email",), serialize=lambda person: s.member(person, team))
    data = parse_body(request, MemberBody)
    status = 200
    if request.method in ("PUT", "POST"):
        user = user_for_email(data.email, create=True)
        if membership_of(team, user.email) is None:
            status = 201
        services.team_member_add(
            actor=request.user, team=team, user=user, role=data.role, origin=origin(request)
        )
    else:
        services.team_member_set_role(
            actor=request.user,
            team=team,
            user=user_for_email(data.email),
            role=data.role,
            origin=origin(request),
            allowed_roles=p.MEMBERS_SET_ROLES,
        )
    return json_response(_member_json(team, data.email), status=status)


@api_view("DELETE")
def team_member(request, team, email):
    """E8: remove a member; their app grants stay (they become a collaborator)."""
    team = get_team(request, team, perm=p.LIST_APPS_TEAM, page_facts=False)
    member = _member_json(team, email)
    user = user_for_email(email)
    services.team_member_remove(actor=request.user, team=team, user=user, origin=origin(request))
    return json_response(member)


@api_view("GET")
def team_permissions(request):
    """E12: the four app permissions with descriptions."""
    return json_response([s.permission(perm) for perm in sorted(p.PERM_ORDER)])


@api_view("GET")
def team_apps(request, team):
    """E13: the team's apps the caller can see (collaborators: only theirs)."""
    team = get_team(request, team, perm=p.LIST_APPS_TEAM, page_facts=False)
    apps = apps_visible_to(request.user).filter(team=team)
    grants = access_for(request.user).held()
    return ranged(request, apps, allowed=("name",), serialize=lambda app: s.app(app, joined=app.pk in grants))
