"""Heroku's runtime features that accessctl does not run: one clear error instead of a 404 that reads like a typo.

accessctl manages who may do what; logs, one-off dynos, add-ons, pipelines, domains and the rest exist only on
Heroku. Each path below (found in the CLI's sources: the first request each command makes) answers 501
``not_implemented`` in Heroku's error shape, for every method and whoever asks (the answer reveals nothing),
and the CLI prints the message. ``app`` and ``rest`` in a path are not looked up.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from accessctl.api.http import error_response

MESSAGE = (
    "accessctl manages access only and does not run Heroku's {feature}. "
    "Use Heroku itself for that; see the README's list of supported CLI commands."
)

# (feature, the CLI commands, paths)
FEATURES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("logs", "heroku logs", ("apps/<str:app>/log-sessions",)),
    ("log drains", "heroku drains", ("apps/<str:app>/log-drains", "apps/<str:app>/log-drains/<path:rest>")),
    (
        "add-ons",
        "heroku addons, addons:*, pg:*, redis:*",
        (
            "addons",
            "addons/<path:rest>",
            "addon-attachments",
            "addon-attachments/<path:rest>",
            "apps/<str:app>/addon-attachments",
            "apps/<str:app>/addon-attachments/<path:rest>",
            "apps/<str:app>/addons/<path:rest>",
            "actions/addons/<path:rest>",
            "actions/addon-attachments/<path:rest>",
        ),
    ),
    (
        "pipelines",
        "heroku pipelines, pipelines:*, ci, reviewapps",
        ("pipelines", "pipelines/<path:rest>", "pipeline-couplings", "pipeline-couplings/<path:rest>"),
    ),
    ("domains", "heroku domains", ("apps/<str:app>/domains", "apps/<str:app>/domains/<path:rest>")),
    (
        "SSL certificates",
        "heroku certs",
        ("apps/<str:app>/sni-endpoints", "apps/<str:app>/sni-endpoints/<path:rest>"),
    ),
    (
        "app features",
        "heroku features, labs",
        ("apps/<str:app>/features", "apps/<str:app>/features/<path:rest>"),
    ),
    ("account features", "heroku labs", ("account/features", "account/features/<path:rest>")),
    ("SSH keys", "heroku keys", ("account/keys", "account/keys/<path:rest>")),
    ("private spaces", "heroku spaces", ("spaces", "spaces/<path:rest>")),
    (
        "regions and stacks",
        "heroku regions, apps:stacks",
        ("regions", "regions/<path:rest>", "stacks", "stacks/<path:rest>"),
    ),
    ("OAuth clients", "heroku clients", ("oauth/clients", "oauth/clients/<path:rest>")),
    (
        "builds and buildpacks",
        "heroku builds, buildpacks",
        (
            "apps/<str:app>/builds",
            "apps/<str:app>/builds/<path:rest>",
            "apps/<str:app>/buildpack-installations",
            "apps/<str:app>/slugs/<path:rest>",
        ),
    ),
)


def message(feature: str) -> str:
    return MESSAGE.format(feature=feature)


def answer(feature: str):
    return error_response(501, "not_implemented", message(feature))


@login_not_required
@csrf_exempt
def heroku_only(request, feature: str, **ignored):
    """Any method: 501 with the feature's name (see the module docstring)."""
    return answer(feature)


urlpatterns = [
    path(route, heroku_only, {"feature": f"{feature} ({commands})"}, name="heroku-only")
    for feature, commands, routes in FEATURES
    for route in routes
]
