"""Platform API: team invitations (contract E9-E11 and Heroku's invitation token links; SPEC 16).

The CLI sends these with ``Accept: application/vnd.heroku+json; version=3.team-invitations``; the routing
middleware treats every ``vnd.heroku+json`` variant alike. Adding an existing member through
``PUT /teams/<t>/invitations`` changes their role directly (SPEC 7): only newcomers are invited.
"""

from django.core.exceptions import PermissionDenied

from accessctl.access import policy as p
from accessctl.access.errors import NotFound
from accessctl.api import serializers as s
from accessctl.api.bodies import MemberBody, parse_body
from accessctl.api.http import api_view, json_response, origin, ranged
from accessctl.identity.models import User
from accessctl.identity.people import clean_email
from accessctl.web.lookups import get_team
from teams import services
from teams.invitations import (
    invitation_accept,
    invitation_for_token,
    invitation_revoke,
    invitation_send,
    pending_invitations,
    refusal,
)
from teams.selectors import membership_of, team_people

UNKNOWN_TOKEN = "Couldn't find that invitation."


def _json(invitation) -> dict:
    return s.invitation(invitation, User.objects.filter(email__iexact=invitation.email).first())


@api_view("GET", "PUT")
def team_invitations(request, team):
    """E9 the pending invitations (anyone who may list the members); E10 (PUT) invite, or change a role."""
    team = get_team(request, team, perm=p.LIST_APPS_TEAM, page_facts=False)
    if request.method == "GET":
        if not request.user.has_perm(p.VIEW_TEAM, team):
            raise PermissionDenied(f"Only members of {team.name} can list its invitations.")
        pending = pending_invitations(team)
        accounts = {
            user.email.lower(): user for user in User.objects.filter(email__in=[i.email for i in pending])
        }
        return ranged(
            request,
            pending,
            allowed=("email",),
            serialize=lambda inv: s.invitation(inv, accounts.get(inv.email)),
        )
    data = parse_body(request, MemberBody)
    email = clean_email(data.email)
    existing = membership_of(team, email)
    if existing is not None and existing.role != data.role:
        services.team_member_add(
            actor=request.user, team=team, user=existing.user, role=data.role, origin=origin(request)
        )
        person = team_people(team).get(pk=existing.user_id)
        return json_response(s.member(person, team))
    invitation = invitation_send(
        actor=request.user,
        team=team,
        email=email,
        role=data.role,
        origin=origin(request),
        base_url=request.build_absolute_uri("/"),
    )
    return json_response(_json(invitation), status=201)


@api_view("DELETE")
def team_invitation(request, team, email):
    """E11: revoke the pending invitation of an address (the CLI sends the raw e-mail)."""
    team = get_team(request, team, perm=p.LIST_APPS_TEAM, page_facts=False)
    invitation = invitation_revoke(
        actor=request.user, team=team, email=clean_email(email), origin=origin(request)
    )
    return json_response(_json(invitation))


def _by_token(token):
    invitation = invitation_for_token(token)
    if invitation is None:
        raise NotFound(UNKNOWN_TOKEN, field="token")
    return invitation


@api_view("GET")
def invitation_detail(request, token):
    """The invitation of a link (whoever holds the link may read it); 410 once used, revoked or expired."""
    invitation = _by_token(token)
    problem = refusal(invitation)
    if problem is not None:
        raise problem
    return json_response(_json(invitation))


@api_view("POST")
def invitation_accept_view(request, token):
    """Accept: the caller must be the invited address; they become a member with the invited role."""
    membership = invitation_accept(actor=request.user, invitation=_by_token(token), origin=origin(request))
    person = team_people(membership.team).get(pk=membership.user_id)
    return json_response(s.member(person, membership.team), status=201)
