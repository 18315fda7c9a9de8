"""JSON shapes of the Platform API objects the Heroku CLI reads (contract section 2)."""

from __future__ import annotations

import uuid

from django.conf import settings

from accessctl.access import policy as p

TEAM_EMAIL_DOMAIN = "herokumanager.com"  # the CLI tells team apps by this owner e-mail domain
_NS = uuid.UUID("5b1f3a2e-8f0c-4d0e-9a55-0c6f2a1d7e10")


def iso(value) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _named(kind: str, name: str) -> dict:
    return {"id": str(uuid.uuid5(_NS, f"{kind}:{name}")), "name": name}


def user_ref(user) -> dict:
    return {"id": str(user.public_id), "email": user.email}


# Who a release by no person (the system actor, or an account since deleted) names: a fixed account id
# and an address under a reserved domain, so the object keeps the schema's uuid and e-mail formats.
SYSTEM_USER = {"id": str(uuid.uuid5(_NS, "user:system")), "email": "system@accessctl.invalid"}


def dyno_size_ref(name: str) -> dict:
    """A dyno size as ``{"id", "name"}``; the id is stable, derived from the name."""
    return _named("dyno-size", name)


def account(user, *, two_factor: bool, federated: bool) -> dict:
    return {
        "id": str(user.public_id),
        "email": user.email,
        "name": user.name or None,
        "allow_tracking": False,
        "beta": False,
        "created_at": iso(user.date_joined),
        "updated_at": iso(user.date_joined),
        "last_login": iso(user.last_login),
        "verified": True,
        "two_factor_authentication": two_factor,
        "federated": federated,
        "identity_provider": None,
        "sms_number": None,
        "suspended_at": None,
        "delinquent_at": None,
        "default_organization": None,
        "default_team": None,
    }


def team(team_obj, role: str | None) -> dict:
    return {
        "id": str(team_obj.public_id),
        "name": team_obj.name,
        "role": role,
        # The CLI probes team-invite-acceptance only for type "team" (contract 4.1): such a team says so.
        "type": "team" if team_obj.invite_acceptance else "enterprise",
        "created_at": iso(team_obj.created_at),
        "updated_at": iso(team_obj.updated_at),
        "credit_card_collections": False,
        "default": False,
        "membership_limit": None,
        "provisioned_licenses": False,
        "enterprise_account": None,
        "identity_provider": None,
    }


def _feature(team_obj, name: str, enabled: bool, display_name: str, description: str) -> dict:
    return {
        "id": str(uuid.uuid5(_NS, f"feature:{name}")),
        "name": name,
        "enabled": enabled,
        "display_name": display_name,
        "description": description,
        "doc_url": "",
        "state": "general",
        "feedback_email": "",
        # A team has its features since it exists (the schema's times are never null).
        "created_at": iso(team_obj.created_at),
        "updated_at": iso(team_obj.updated_at),
    }


def team_features(team_obj) -> list[dict]:
    return [
        _feature(
            team_obj,
            "org-access-controls",
            True,
            "App permissions",
            "Fine-grained app permissions (view, deploy, operate, manage) for team members.",
        ),
        _feature(
            team_obj,
            "team-invite-acceptance",
            team_obj.invite_acceptance,
            "Invitations",
            "New members are invited by e-mail and join when they accept (admins turn it on in settings).",
        ),
    ]


def member(person, team_obj) -> dict:
    """A person of ``teams.selectors.team_people`` (annotated with team_role and has_mfa), or a row of it."""
    person_id, email, joined = str(person.public_id), person.email, iso(person.date_joined)  # each read once
    return {
        "id": person_id,
        "email": email,
        "role": person.team_role or p.COLLABORATOR,
        "federated": person.last_sign_in_federated,
        "identity_provider": None,
        "two_factor_authentication": person.has_mfa,
        "created_at": joined,
        "updated_at": joined,
        "user": {"id": person_id, "email": email, "name": person.name or None},
    }


def permission(perm: p.AppPerm) -> dict:
    return {"name": str(perm), "description": p.PERM_DESCRIPTIONS[perm]}


def owner_of(app_obj) -> dict:
    if app_obj.team_id:
        return {"id": str(app_obj.team.public_id), "email": f"{app_obj.team.name}@{TEAM_EMAIL_DOMAIN}"}
    return user_ref(app_obj.owner)


def app(app_obj, *, joined: bool = False) -> dict:
    team_ref = {"id": str(app_obj.team.public_id), "name": app_obj.team.name} if app_obj.team_id else None
    data = {
        "id": str(app_obj.public_id),
        "name": app_obj.name,
        "acm": False,
        "archived_at": None,
        "buildpack_provided_description": None,
        "build_stack": _named("stack", app_obj.stack),
        "stack": _named("stack", app_obj.stack),
        "created_at": iso(app_obj.created_at),
        "updated_at": iso(app_obj.updated_at),
        "released_at": iso(app_obj.updated_at),
        "git_url": f"https://{settings.GIT_HOST}/{app_obj.name}.git",
        "web_url": f"https://{app_obj.name}.{settings.APP_DOMAIN}/",
        "internal_routing": None,
        "maintenance": app_obj.maintenance,
        "region": _named("region", app_obj.region),
        "repo_size": None,
        "slug_size": None,
        "space": None,
        "owner": owner_of(app_obj),
        "team": team_ref,
        "organization": team_ref,
        "generation": {"id": str(uuid.uuid5(_NS, "generation:cedar")), "name": "cedar"},
    }
    if app_obj.team_id:
        data["locked"] = app_obj.locked
        data["joined"] = joined
    return data


def collaborator(app_obj, row) -> dict:
    """One ``apps.selectors.AccessRow``; ``permissions`` only on team apps (the CLI adds a column for it)."""
    data = {
        "id": str(uuid.uuid5(_NS, f"collaborator:{app_obj.pk}:{row.user.pk}")),
        "app": {"id": str(app_obj.public_id), "name": app_obj.name},
        "created_at": iso(app_obj.created_at),
        "updated_at": iso(app_obj.updated_at),
        "role": row.role,
        "user": {"id": str(row.user.public_id), "email": row.user.email, "federated": False},
    }
    if app_obj.team_id:
        data["permissions"] = [permission(perm) for perm in sorted(row.perms)]
    data["expires_at"] = iso(row.temporary.expires_at) if row.temporary is not None else None
    return data


def iso_duration(value) -> str | None:
    """``PT4H``, ``PT1H30M``, ``P1DT2H`` (ISO 8601); ``None`` (permanent) stays ``None``."""
    if value is None:
        return None
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    time = (f"{hours}H" if hours else "") + (f"{mins}M" if mins else "")
    return ("P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")) if minutes else "PT0M"


def access_request(request_obj, *, now) -> dict:
    """An access request (this product's extension of the API, SPEC 17)."""
    decider = request_obj.decided_by
    return {
        "id": str(request_obj.pk),
        "app": {"id": str(request_obj.app.public_id), "name": request_obj.app.name},
        "requester": user_ref(request_obj.requester),
        "permissions": [str(perm) for perm in request_obj.perm_list],
        "duration": iso_duration(request_obj.duration),
        "reason": request_obj.reason,
        "status": str(request_obj.status_now(now)),
        "decided_by": user_ref(decider) if decider else None,
        "note": request_obj.note or None,
        "expires_at": iso(request_obj.granted_until),
        "lapses_at": iso(request_obj.lapses_at),
        "created_at": iso(request_obj.created_at),
        "decided_at": iso(request_obj.decided_at),
    }


def release(release_obj, app_obj, *, current: bool) -> dict:
    return {
        "id": str(release_obj.public_id),
        "version": release_obj.version,
        "description": release_obj.description,
        "status": "succeeded",
        "current": current,
        "eligible_for_rollback": True,
        "output_stream_url": None,
        "created_at": iso(release_obj.created_at),
        "updated_at": iso(release_obj.created_at),
        "user": user_ref(release_obj.user) if release_obj.user else dict(SYSTEM_USER),
        "app": {"id": str(app_obj.public_id), "name": app_obj.name},
        "slug": {"id": str(uuid.uuid5(_NS, f"slug:{release_obj.public_id}"))},
        "addon_plan_names": [],
        "artifacts": [],
    }


def formation(item, app_obj) -> dict:
    return {
        "id": str(uuid.uuid5(_NS, f"formation:{item.pk}")),
        "type": item.type,
        "quantity": item.quantity,
        "size": item.size,
        "dyno_size": dyno_size_ref(item.size),
        "command": item.command,
        "app": {"id": str(app_obj.public_id), "name": app_obj.name},
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
    }


def dynos(item, app_obj, current_release) -> list[dict]:
    release_ref = (
        {"id": str(current_release.public_id), "version": current_release.version}
        if current_release
        else None
    )
    return [
        {
            "id": str(uuid.uuid5(_NS, f"dyno:{item.pk}:{n}")),
            "name": f"{item.type}.{n}",
            "type": item.type,
            "command": item.command,
            "size": item.size,
            "state": "up",
            "created_at": iso(item.restarted_at),
            "updated_at": iso(item.restarted_at),
            "attach_url": None,
            "release": release_ref,
            "app": {"id": str(app_obj.public_id), "name": app_obj.name},
        }
        for n in range(1, item.quantity + 1)
    ]


def invitation(inv, account=None) -> dict:
    """A team invitation (contract 2.5); ``user`` is the invited address's account when it has one."""
    invited_by = inv.invited_by
    return {
        "id": str(inv.public_id),
        "role": inv.role,
        "created_at": iso(inv.created_at),
        "updated_at": iso(inv.sent_at),
        "expires_at": iso(inv.expires_at),
        "invited_by": (
            {"id": str(invited_by.public_id), "email": invited_by.email, "name": invited_by.name or None}
            if invited_by is not None
            else None
        ),
        "team": {"id": str(inv.team.public_id), "name": inv.team.name},
        "user": {
            "id": str(account.public_id)
            if account is not None
            else str(uuid.uuid5(_NS, f"invitee:{inv.email}")),
            "email": inv.email,
            "name": (account.name or None) if account is not None else None,
        },
    }
