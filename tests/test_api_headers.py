"""Headers every API answer carries (Request-Id, ETag with If-None-Match) and JSON for paths with no route."""

import uuid
from http import HTTPStatus

import pytest
from django.test import Client

from tests.api_client import ACCEPT, assert_error


def test_every_answer_carries_a_request_id_and_echoes_the_clients(api, member):
    mine = api(member, "GET", "/account")
    assert uuid.UUID(mine["Request-Id"])
    sent = str(uuid.uuid4())
    echoed = api(member, "GET", "/account", HTTP_REQUEST_ID=f"{sent}, {uuid.uuid4()}")
    assert echoed["Request-Id"] == sent
    refused = api(None, "GET", "/account")
    assert refused.status_code == HTTPStatus.UNAUTHORIZED and uuid.UUID(refused["Request-Id"])


def test_get_carries_an_etag_and_if_none_match_answers_304(api, member, app):
    first = api(member, "GET", "/teams/acme/members")
    etag = first["ETag"]
    assert etag.startswith('"') and first.status_code == HTTPStatus.OK
    again = api(member, "GET", "/teams/acme/members", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == HTTPStatus.NOT_MODIFIED and again.content == b"" and again["ETag"] == etag
    assert (
        api(member, "GET", "/teams/acme/members", HTTP_IF_NONE_MATCH='"stale"').status_code == HTTPStatus.OK
    )


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writes_to_paths_with_no_route_answer_json_even_with_csrf_checks(db, method):
    client = Client(enforce_csrf_checks=True)
    answer = getattr(client, method.lower())(
        "/no/such/path", data="{}", content_type="application/json", HTTP_ACCEPT=ACCEPT
    )
    assert_error(answer, 404, "not_found", "Couldn't find that resource.")
    assert uuid.UUID(answer["Request-Id"])


def test_a_known_path_with_another_method_is_json_405(api, member):
    assert_error(api(member, "PATCH", "/teams/acme/features", {}), 405, "method_not_allowed")
