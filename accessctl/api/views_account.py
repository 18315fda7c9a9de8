"""Platform API: the caller's API tokens as OAuth authorizations, the CLI's session (its token), rate limits.

accessctl has no OAuth clients, grants or refresh tokens: every authorization is an API token of the account
(``ApiToken``), made and revoked through ``accessctl.identity.tokens``. Its secret is stored as a digest, so
it is shown once, in the answer that creates it; lists and reads carry ``access_token: null``. The CLI's
"session" is the token it was given: ``DELETE /oauth/sessions/~`` (``heroku logout``) revokes that token.
"""

import uuid

from django.http import Http404

from accessctl.access.errors import Invalid
from accessctl.api import serializers as s
from accessctl.api.bodies import parse_body
from accessctl.api.bodies_account import AuthorizationCreate
from accessctl.api.http import api_view, json_response, origin, ranged
from accessctl.api.limits import calls_remaining
from accessctl.identity.models import ApiToken
from accessctl.identity.tokens import api_token_create, api_token_revoke

SCOPES = ("global",)
DEFAULT_DESCRIPTION = "Made with heroku authorizations:create"
NO_SUCH_AUTHORIZATION = (
    "There is no authorization {id} on your account. List yours with `heroku authorizations`."
)
NO_DEFAULT = "accessctl has no default API key: name an authorization by its id (`heroku authorizations`)."
NO_SUCH_SESSION = (
    "accessctl has no OAuth sessions: the CLI signs in with an API token. Use `heroku logout` to revoke the "
    "token in use, or `heroku authorizations:revoke ID` for another."
)
SESSIONS_NOTE = (
    "accessctl has no OAuth sessions: the CLI signs in with an API token (see `heroku authorizations`)."
)


def authorization(token: ApiToken, raw: str | None = None) -> dict:
    """An API token in the shape of Heroku's OAuth authorization; ``raw`` (the secret) only when just made."""
    stamp = s.iso(token.last_used_at or token.created_at)
    return {
        "id": str(token.public_id),
        "description": token.name,
        "scope": list(SCOPES),
        "access_token": {"id": str(token.public_id), "token": raw, "expires_in": None} if raw else None,
        "client": None,
        "grant": None,
        "refresh_token": None,
        "session": None,
        "created_at": s.iso(token.created_at),
        "updated_at": stamp,
        "user": {
            "id": str(token.user.public_id),
            "email": token.user.email,
            "full_name": token.user.name or None,
        },
    }


def _own_token(request, token_id: str) -> ApiToken:
    """One of the caller's live tokens by its public id: 404 for an unknown id and for anyone else's."""
    public_id = _uuid_or_none(token_id)
    token = (
        ApiToken.objects.select_related("user")
        .filter(user=request.user, revoked_at=None, public_id=public_id)
        .first()
        if public_id is not None
        else None
    )
    if token is None:
        raise Http404(NO_SUCH_AUTHORIZATION.format(id=token_id))
    return token


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _not_found(message: str, resource: str):
    # ``resource`` is what the CLI's logout checks to tell "nothing to do" from a failure.
    return json_response({"id": "not_found", "resource": resource, "message": message}, status=404)


@api_view("GET", "POST")
def authorizations(request):
    """GET: the caller's live API tokens (``heroku authorizations``); POST: make one (201, the secret once)."""
    if request.method == "GET":
        tokens = ApiToken.objects.filter(user=request.user, revoked_at=None).select_related("user")
        return ranged(request, tokens, allowed=("id",), fields={"id": "public_id"}, serialize=authorization)
    data = parse_body(request, AuthorizationCreate)
    if data.expires_in is not None:
        raise Invalid(
            "accessctl API tokens do not expire: leave out expires_in (--expires-in) and revoke the token "
            "when it is no longer needed.",
            field="expires_in",
        )
    if data.scope is not None and set(data.scope) - set(SCOPES):
        raise Invalid(
            "accessctl API tokens act with all of your access: the only scope is 'global'. Leave out --scope.",
            field="scope",
        )
    token, raw = api_token_create(
        actor=request.user,
        name=data.description if data.description is not None else DEFAULT_DESCRIPTION,
        origin=origin(request),
        sign_in=request.sign_in,  # never more than the token making it had passed
    )
    return json_response(authorization(token, raw), status=201)


@api_view("GET", "DELETE")
def authorization_detail(request, token_id):
    """GET one of the caller's tokens (``~``: 404, there is no default key); DELETE revokes it (audited)."""
    if token_id == "~":
        return _not_found(NO_DEFAULT, "authorization")
    token = _own_token(request, token_id)
    if request.method == "GET":
        return json_response(authorization(token))
    api_token_revoke(actor=request.user, token_id=token.pk, origin=origin(request))
    return json_response(authorization(token))


@api_view("GET")
def sessions(request):
    """GET /oauth/sessions: none (the CLI's note says why), not a 404 or a made-up list."""
    return json_response([], headers={"Warning-Message": SESSIONS_NOTE})


@api_view("DELETE")
def session_detail(request, session_id):
    """DELETE /oauth/sessions/~ (``heroku logout``): revoke the token this call signed in with (audited)."""
    if session_id != "~":
        return _not_found(NO_SUCH_SESSION, "session")
    token = request.api_token
    answer = authorization(token)
    api_token_revoke(actor=request.user, token_id=token.pk, origin=origin(request))
    return json_response(answer)


@api_view("GET")
def rate_limits(request):
    """GET /account/rate-limits: the calls the token has left this hour (this one counted)."""
    return json_response({"remaining": calls_remaining(request)})
