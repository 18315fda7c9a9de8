"""Seeding the issue's scale with ``bulk_create``: 1 team, 5,000 people, 2,000 apps, 20,000 grants, one app with
500 grants; plus the same facts as django-guardian object permissions (the rival's own tables).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from accessctl.identity.models import User
from apps.models import App, Grant
from teams.models import Membership, Team

PEOPLE, APPS, BIG_GRANTS, GRANTS_PER_APP = 5_000, 2_000, 500, 10
MEMBERS = 4_500  # the other 500 are collaborators (grants only)
PERMS = ("view", "deploy", "operate", "manage")


@dataclass(frozen=True)
class World:
    team: Team
    admin: User
    member: User
    big_app: App
    other_app: App
    member_app: App


def _role(n: int) -> str:
    return "admin" if n < 10 else ("viewer" if n % 5 == 0 else "member")


def _perms(n: int) -> str:
    return ",".join(PERMS[: 1 + n % 3])


def seed() -> World:
    """Write the world (plain rows, no audit, no services: this is fixture data)."""
    team = Team.objects.create(name="bench")
    users = User.objects.bulk_create(
        User(email=f"p{n:04d}@bench.test", password="!", name=f"Person {n}") for n in range(PEOPLE)
    )
    Membership.objects.bulk_create(
        Membership(team=team, user=users[n], role=_role(n)) for n in range(MEMBERS)
    )
    apps = App.objects.bulk_create(
        App(team=team, name=f"app-{n:04d}", locked=n % 4 == 0) for n in range(APPS)
    )
    grants = [
        Grant(app=apps[0], user=users[n * 9 % PEOPLE], permissions=_perms(n)) for n in range(BIG_GRANTS)
    ]
    for a in range(1, 1 + (20_000 - BIG_GRANTS) // GRANTS_PER_APP):
        grants += [
            Grant(app=apps[a], user=users[(a * 13 + j * 397) % PEOPLE], permissions=_perms(a + j))
            for j in range(GRANTS_PER_APP)
        ]
    Grant.objects.bulk_create(grants, batch_size=2_000)
    analyze()
    member = users[11]
    member_app = Grant.objects.filter(user=member).exclude(app=apps[0]).select_related("app").first().app
    return World(
        team=team, admin=users[0], member=member, big_app=apps[0], other_app=apps[1], member_app=member_app
    )


def analyze() -> None:
    """Give PostgreSQL's planner the statistics of the rows just written, as autovacuum would in a while: right
    after a bulk load it still believes the tables are nearly empty and plans accordingly."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def seed_guardian(world: World) -> None:
    """The same facts as guardian rows: one group per team role holding its perms on every team app, one
    user-object permission per granted permission."""
    from guardian.models import GroupObjectPermission, UserObjectPermission

    ct = ContentType.objects.get_for_model(App)
    perm = {p.codename: p for p in Permission.objects.filter(content_type=ct)}
    app_ids = list(App.objects.filter(team=world.team).values_list("pk", flat=True))
    admins, viewers = Group.objects.create(name="bench-admins"), Group.objects.create(name="bench-viewers")
    for group, codenames in ((admins, PERMS), (viewers, ("view",))):
        GroupObjectPermission.objects.bulk_create(
            (
                GroupObjectPermission(
                    group=group, permission=perm[f"{c}_app"], content_type=ct, object_pk=str(i)
                )
                for i in app_ids
                for c in codenames
            ),
            batch_size=2_000,
        )
    through = User.groups.through
    through.objects.bulk_create(
        through(user_id=uid, group_id=(admins if role == "admin" else viewers).pk)
        for uid, role in Membership.objects.filter(team=world.team).order_by().values_list("user_id", "role")
    )
    UserObjectPermission.objects.bulk_create(
        (
            UserObjectPermission(
                user_id=uid, permission=perm[f"{c}_app"], content_type=ct, object_pk=str(aid)
            )
            for uid, aid, perms in Grant.objects.order_by().values_list("user_id", "app_id", "permissions")
            for c in perms
        ),
        batch_size=2_000,
    )
