"""The load run's world, inside Django with the production settings: seed it, sign its admin in, check it.

``python -m accessctl.bench.load_world seed`` (on the freshly migrated load database) writes the bench's
scale (``accessctl.bench.seed``, without the guardian rows), signs the team's admin in (a real session row,
made by Django's ``login``) and mints an API token for them, then prints one JSON line: the session cookie,
the token, the team, the 500-grant app and the people the role-change stream may change.
``python -m accessctl.bench.load_world check`` prints the invariants after a run: every team has an admin.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

STREAM_PEOPLE = 40
"""How many people the role-change stream changes: the 9 admins other than the signed-in one, then members."""


def seed() -> dict[str, Any]:
    """Seed the world, sign its admin in and mint a token; what the load generator needs (one JSON object)."""
    from django.conf import settings
    from django.test import Client

    from accessctl.audit.log import COMMAND
    from accessctl.bench.seed import seed as seed_world
    from accessctl.identity.tokens import api_token_create
    from teams.models import Membership

    world = seed_world()
    client = Client()
    client.force_login(world.admin)
    token = api_token_create(actor=world.admin, name="load run", origin=COMMAND)[1]
    people = (
        Membership.objects.filter(team=world.team, role__in=("admin", "member"))
        .exclude(user=world.admin)
        .order_by("-role", "user__email")  # the admins first
        .values_list("user__email", flat=True)[:STREAM_PEOPLE]
    )
    return {
        "cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
        "token": token,
        "team": world.team.name,
        "app": world.big_app.name,
        "stream_people": list(people),
    }


def check() -> dict[str, Any]:
    """What the run must have kept: every team has an admin (SPEC 7), and the facts the load generator
    compares with what it did: the stream's people's roles and how many role changes the audit log holds."""
    from django.db.models import Count, Q

    from accessctl.audit.models import AuditAction, AuditEvent
    from teams.models import Membership, Team

    teams = Team.objects.annotate(admins=Count("memberships", filter=Q(memberships__role="admin")))
    return {
        "teams": len(teams),
        "teams_without_admin": [team.name for team in teams if team.admins == 0],
        "admins": {team.name: team.admins for team in teams},
        "memberships": Membership.objects.count(),
        "roles": dict(Membership.objects.order_by().values_list("user__email", "role")),
        "role_change_events": AuditEvent.objects.filter(action=AuditAction.MEMBER_ROLE_CHANGE).count(),
    }


def main(argv: list[str]) -> None:
    """Run ``seed`` or ``check`` and print its JSON on one line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accessctl.settings")
    import django

    django.setup()
    steps = {"seed": seed, "check": check}
    if len(argv) != 1 or argv[0] not in steps:
        raise SystemExit(f"usage: python -m accessctl.bench.load_world {'|'.join(steps)}")
    print(json.dumps(steps[argv[0]]()))


if __name__ == "__main__":
    main(sys.argv[1:])
