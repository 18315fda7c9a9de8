"""Calling the Platform API from tests: the ``api`` fixture's caller and the Heroku error-shape check."""

import json

from accessctl.audit.log import COMMAND
from accessctl.identity.tokens import api_token_create

ACCEPT = "application/vnd.heroku+json; version=3"


def api_caller(client):
    """``call(user, method, path, data=None, **headers)`` calls the API with the user's token."""
    tokens = {}

    def call(user, method, path, data=None, raw=None, **headers):
        if user is not None and user.pk not in tokens:
            tokens[user.pk] = api_token_create(actor=user, name="test", origin=COMMAND)[1]
        if user is not None:
            headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {tokens[user.pk]}")
        payload = raw if raw is not None else (json.dumps(data) if data is not None else None)
        kwargs = {"HTTP_ACCEPT": ACCEPT, **headers}
        if payload is not None:
            kwargs.update(data=payload, content_type="application/json")
        return getattr(client, method.lower())(path, **kwargs)

    return call


def assert_error(response, status, error_id, text=""):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/vnd.heroku+json")
    body = response.json()
    assert body["id"] == error_id and text in body["message"]
