"""Every route of the two URL configurations, and how to fill a route's parameters for a request."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

from accessctl.web import authz


def walk(resolver: URLResolver, prefix: str = "", namespace: str | None = None):
    """(route, URL name) of every pattern, included ones too."""
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            yield from walk(
                pattern,
                route,
                f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else inner,
            )
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield route, name


PAGE_ROUTES = list(walk(get_resolver("accessctl.urls")))


API_ROUTES = list(walk(get_resolver("accessctl.api.urls")))


OWN_ROUTES = [(route, name) for route, name in PAGE_ROUTES if not route.startswith(tuple(authz.DELEGATED))]


PAGE_KWARGS = {"team": "acme", "app": "shop", "key": "LOG_LEVEL"}


def fill(route: str, values: dict[str, str]) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m[1]], route)


def route_values(world, route: str, base: dict[str, str]) -> dict[str, str]:
    """The URL keyword arguments of ``route``: the world's objects, the team's or the app's by the route's side."""
    side = "team" if route.startswith("teams/") else "app"
    own = {key: world.kwargs[f"{side}_{key}"] for key in ("hook", "delivery", "event")}
    return {**base, **world.kwargs, **own}
