"""One fixture world for the sweeps: a demo-like team with every kind of actor, and a rival team next door.

``acme`` has the app ``shop`` (one web dyno, two releases, a config var) and the locked app ``vault``. The
rival team ``rival`` has its own admin and the app ``rival-shop``. The actors are the issue's list: anonymous,
an outsider, a collaborator (view on shop), a viewer, a member without grants, members holding each one
permission on shop, a manage holder from outside the team, the rival team's admin, acme's admin and support
staff (the ``support`` group, staff in the Django admin).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import connection

from accessctl.access.policy import TeamRole
from accessctl.audit.models import AuditEvent
from accessctl.identity.models import ApiToken, User
from apps.models import App, AppTransfer, Formation, Grant, Release
from teams.models import Membership, Team
from tests.factories import (
    AppFactory,
    FormationFactory,
    GrantFactory,
    MembershipFactory,
    ReleaseFactory,
    TeamFactory,
    UserFactory,
)

ACTORS = (
    "anonymous",
    "outsider",
    "collaborator",
    "viewer",
    "member",
    "member_view",
    "member_deploy",
    "member_operate",
    "member_manage",
    "manage_holder",
    "rival_admin",
    "admin",
    "support",
)


@dataclass
class World:
    team: Team
    rival: Team
    app: App
    locked: App
    rival_app: App
    users: dict[str, User | None] = field(default_factory=dict)
    # The objects the other routes point at: URL keyword argument -> its value (see ``add_objects``).
    kwargs: dict[str, str] = field(default_factory=dict)
    objects: dict[str, object] = field(default_factory=dict)

    def user(self, actor: str) -> User | None:
        return self.users[actor]


def build_world() -> World:
    team, rival = TeamFactory(name="acme"), TeamFactory(name="rival")
    admin = UserFactory(email="admin@acme.test", name="Ada Admin")
    MembershipFactory(team=team, user=admin, role=TeamRole.ADMIN)
    rival_admin = UserFactory(email="boss@rival.test")
    MembershipFactory(team=rival, user=rival_admin, role=TeamRole.ADMIN)
    app = AppFactory(team=team, name="shop", config_vars={"LOG_LEVEL": "info"})
    locked = AppFactory(team=team, name="vault", locked=True)
    rival_app = AppFactory(team=rival, name="rival-shop")
    for target in (app, rival_app):
        FormationFactory(app=target)
        first = {"public_id": SHOP_FIRST_RELEASE} if target is app else {}
        ReleaseFactory(app=target, version=1, description="Initial release", **first)
        ReleaseFactory(app=target, version=2, description="Deploy abc123")
    users: dict[str, User | None] = {"anonymous": None, "admin": admin, "rival_admin": rival_admin}
    users["outsider"] = UserFactory(email="outsider@else.test")
    users["collaborator"] = UserFactory(email="collab@partner.test")
    GrantFactory(app=app, user=users["collaborator"], permissions="view")
    users["viewer"] = MembershipFactory(
        team=team, role=TeamRole.VIEWER, user=UserFactory(email="viewer@acme.test")
    ).user
    users["member"] = MembershipFactory(
        team=team, role=TeamRole.MEMBER, user=UserFactory(email="member@acme.test")
    ).user
    for perm in ("view", "deploy", "operate", "manage"):
        user = MembershipFactory(
            team=team, role=TeamRole.MEMBER, user=UserFactory(email=f"{perm}@acme.test")
        ).user
        GrantFactory(app=app, user=user, permissions="view" if perm == "view" else f"view,{perm}")
        users[f"member_{perm}"] = user
    users["manage_holder"] = UserFactory(email="manager@partner.test")
    GrantFactory(app=app, user=users["manage_holder"], permissions="view,manage")
    # The one whose access the person-routes (``<user_id>``, ``<email>``) act on: a collaborator, no actor.
    users["target"] = UserFactory(email="target@partner.test")
    GrantFactory(app=app, user=users["target"], permissions="view,deploy")
    support = UserFactory(email="support@accessctl.test", is_staff=True)
    support.groups.add(Group.objects.get(name="support"))
    users["support"] = support
    world = World(team=team, rival=rival, app=app, locked=locked, rival_app=rival_app, users=users)
    add_objects(world)
    return world


INVITATION_TOKEN = "inv_sweep-token"
SHOP_FIRST_RELEASE = "5a1e0000-0000-4000-8000-000000000001"


def add_objects(world: World) -> None:
    """An access request of ``target`` on shop, an open review of acme (with its items), a webhook on shop and
    one on acme with a delivery and its event, and a pending invitation of newcomer@acme.test."""
    from datetime import timedelta

    from django.utils import timezone

    from accessctl.audit.log import COMMAND
    from accessctl.webhooks import services as hooks
    from apps.models import AccessRequest
    from reviews.models import ReviewItem
    from reviews.services import review_start
    from teams.invitations import digest, invitation_send

    admin, target = world.user("admin"), world.user("target")
    world.team.invite_acceptance = True
    world.team.save(update_fields=["invite_acceptance"])
    request = AccessRequest.objects.create(
        app=world.app,
        requester=target,
        permissions="deploy,operate",
        duration=timedelta(days=1),
        reason="On call",
    )
    review = review_start(
        actor=admin, team=world.team, due_date=timezone.localdate() + timedelta(days=7), origin=COMMAND
    )
    item = ReviewItem.objects.filter(review=review, user=world.user("member_deploy"), app=world.app).first()
    app_hook = hooks.webhook_add(
        actor=admin,
        url="https://93.184.215.14/shop",
        level="notify",
        app=world.app,
        include=["api:release"],
        origin=COMMAND,
    )
    team_hook = hooks.webhook_add(
        actor=admin, url="https://93.184.215.14/acme", level="notify", team=world.team, origin=COMMAND
    )
    app_delivery = hooks.webhook_ping(actor=admin, webhook=app_hook, origin=COMMAND)
    team_delivery = hooks.webhook_ping(actor=admin, webhook=team_hook, origin=COMMAND)
    invitation = invitation_send(
        actor=admin,
        team=world.team,
        email="newcomer@acme.test",
        role="member",
        origin=COMMAND,
        base_url="http://testserver/",
    )
    invitation.digest = digest(INVITATION_TOKEN)
    invitation.save(update_fields=["digest"])
    gift = AppFactory(team=None, owner=world.user("outsider"), name="gift")
    transfer = AppTransfer.objects.create(
        app=gift, sender=world.user("outsider"), recipient=world.user("member")
    )
    assert item is not None
    world.objects.update(
        request_id=request, review_id=review, item_id=item, hook=app_hook, invitation=invitation
    )
    world.objects["transfer"] = transfer
    world.kwargs["transfer"] = str(transfer.public_id)
    world.kwargs.update(
        request_id=str(request.pk),
        review_id=str(review.pk),
        item_id=str(item.pk),
        token=INVITATION_TOKEN,
        public_id=str(invitation.public_id),
        email_invited=invitation.email,
    )
    world.kwargs["app_hook"], world.kwargs["team_hook"] = str(app_hook.pk), str(team_hook.pk)
    world.kwargs["app_delivery"], world.kwargs["team_delivery"] = (
        str(app_delivery.public_id),
        str(team_delivery.public_id),
    )
    world.kwargs["app_event"], world.kwargs["team_event"] = (
        str(app_delivery.event_id),
        str(team_delivery.event_id),
    )


COUNTED = (User, ApiToken, Team, Membership, App, Grant, Formation, Release, AuditEvent, AppTransfer)


def snapshot() -> dict[str, object]:
    """Row counts of every table a change touches, and the state of each app and grant: equal means unchanged."""
    counts: dict[str, object] = {model.__name__: model.objects.count() for model in COUNTED}
    counts["apps"] = [
        (a.name, a.team_id, a.owner_id, a.locked, a.maintenance, json.dumps(a.config_vars, sort_keys=True))
        for a in App.objects.order_by("pk")
    ]
    counts["transfers"] = sorted(AppTransfer.objects.values_list("app_id", "state"))
    counts["grants"] = sorted(Grant.objects.values_list("app_id", "user_id", "permissions"))
    counts["roles"] = sorted(Membership.objects.values_list("team_id", "user_id", "role"))
    counts["formation"] = sorted(Formation.objects.values_list("app_id", "type", "quantity", "size"))
    counts["users"] = sorted(User.objects.values_list("email", "is_active", "name"))
    counts["teams"] = sorted(Team.objects.values_list("name", "join_permissions", "require_mfa"))
    counts["vendor"] = connection.vendor
    return counts
