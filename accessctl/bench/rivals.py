"""The same rules (SPEC 5, team apps) written with django-guardian and with django-rules, for comparison only.

guardian: team roles are groups holding object permissions on every team app, grants are user object
permissions (``seed.seed_guardian``). rules: predicates over facts loaded with plain ORM queries and memoised on
the user, combined with ``|``; a private ``RuleSet``, so nothing is registered globally.
"""

from __future__ import annotations

from typing import Any

import rules
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user, get_users_with_perms

from apps.models import App, Grant
from teams.models import Membership

PERMS = ("view", "deploy", "operate", "manage")
_FACTS = "_bench_rules_facts"


def guardian_cold(user: Any, app: App) -> bool:
    """A fresh checker: guardian's per-object cache starts empty."""
    return ObjectPermissionChecker(user).has_perm("view_app", app)


def guardian_checker(user: Any, apps: list[App]) -> ObjectPermissionChecker:
    """guardian's best warm path: a checker with the permissions of ``apps`` prefetched."""
    checker = ObjectPermissionChecker(user)
    checker.prefetch_perms(apps)
    return checker


def guardian_my_apps(user: Any) -> list[tuple[App, list[str]]]:
    """Apps the user may view, each with their permissions (prefetched)."""
    apps = list(get_objects_for_user(user, "apps.view_app", App, accept_global_perms=False))
    checker = guardian_checker(user, apps)
    return [(app, checker.get_perms(app)) for app in apps]


def guardian_app_access(app: App) -> dict[Any, list[str]]:
    return get_users_with_perms(app, attach_perms=True, with_group_users=True)


def facts(user: Any) -> tuple[dict[int, str], dict[int, frozenset[str]]]:
    """Roles by team and permissions by app, two plain queries, memoised on the user (rules has no loader)."""
    found = getattr(user, _FACTS, None)
    if found is None:
        roles = dict(Membership.objects.filter(user=user).order_by().values_list("team_id", "role"))
        grants = {
            app_id: frozenset(perms)
            for app_id, perms in Grant.objects.filter(user=user)
            .order_by()
            .values_list("app_id", "permissions")
        }
        found = (roles, grants)
        setattr(user, _FACTS, found)
    return found


def forget(user: Any) -> None:
    if hasattr(user, _FACTS):
        delattr(user, _FACTS)


@rules.predicate
def is_team_admin(user: Any, app: App) -> bool:
    return facts(user)[0].get(app.team_id) == "admin"


@rules.predicate
def is_team_reader(user: Any, app: App) -> bool:
    return facts(user)[0].get(app.team_id) in ("member", "viewer")


def granted(perm: str) -> Any:
    @rules.predicate(name=f"granted_{perm}")
    def check(user: Any, app: App) -> bool:
        perms = facts(user)[1].get(app.pk)
        return perms is not None and perm in perms

    return check


RULES = rules.RuleSet()
RULES.add_rule("view", is_team_admin | granted("view") | is_team_reader)
for _perm in PERMS[1:]:
    RULES.add_rule(_perm, is_team_admin | granted(_perm))


def rules_perms(user: Any, app: App) -> list[str]:
    return [perm for perm in PERMS if RULES.test_rule(perm, user, app)]


def rules_my_apps(user: Any) -> list[tuple[App, list[str]]]:
    """rules cannot make a queryset: every app is read and tested."""
    return [(app, perms) for app in App.objects.all() if (perms := rules_perms(user, app))]


def rules_app_access(app: App, users: list[Any]) -> list[tuple[Any, list[str]]]:
    """Every candidate (the team's people and the app's grant holders) tested one by one."""
    return [(user, perms) for user in users if (perms := rules_perms(user, app))]
