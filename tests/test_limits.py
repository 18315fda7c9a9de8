"""API limits (SPEC 20): calls per token, failed sign-ins per address, body size, nesting, version."""

import hashlib
import json
from http import HTTPStatus

import pytest
from django.core.cache import cache

from accessctl.api.limits import _window, json_depth
from accessctl.audit.log import COMMAND
from accessctl.identity.tokens import api_token_create
from accessctl.models import AuditEvent
from teams.models import Membership
from tests.api_client import ACCEPT, assert_error


def test_every_api_answer_says_how_many_calls_remain(api, team_admin):
    first = api(team_admin, "GET", "/account")
    second = api(team_admin, "GET", "/teams/acme/members")
    missing = api(team_admin, "GET", "/no/such/route")
    assert int(first["RateLimit-Remaining"]) == 4499
    assert int(second["RateLimit-Remaining"]) == 4498
    assert missing.status_code == HTTPStatus.NOT_FOUND and int(missing["RateLimit-Remaining"]) == 4497


def test_a_spent_token_gets_429_rate_limit_until_the_hour_turns(api, team_admin, settings):
    settings.API_RATE_LIMIT = 3
    answers = [api(team_admin, "GET", "/account") for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert [a["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0", "0"]
    assert_error(answers[-1], 429, "rate_limit", "rate limit")


def test_a_spent_token_changes_nothing(api, team_admin, member, settings):
    settings.API_RATE_LIMIT = 1
    api(team_admin, "GET", "/account")
    events = AuditEvent.objects.count()
    refused = api(team_admin, "PATCH", "/teams/acme/members", {"email": member.email, "role": "admin"})
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert Membership.objects.get(user=member).role == "member" and AuditEvent.objects.count() == events


def test_each_token_has_its_own_budget(api, team_admin, member, settings):
    settings.API_RATE_LIMIT = 1
    assert api(team_admin, "GET", "/account").status_code == 200
    assert api(member, "GET", "/account").status_code == 200
    assert api(team_admin, "GET", "/account").status_code == 429


def test_guessing_tokens_from_one_address_is_stopped(client, team_admin, api, settings):
    settings.AUTH_FAILURE_LIMIT = 5
    address = {"REMOTE_ADDR": "203.0.113.7"}
    guesses = [
        client.get("/account", HTTP_ACCEPT=ACCEPT, HTTP_AUTHORIZATION=f"Bearer actl_guess{n}", **address)
        for n in range(7)
    ]
    assert [g.status_code for g in guesses] == [401] * 5 + [429] * 2
    assert_error(guesses[-1], 429, "rate_limit", "failed sign-in attempts")
    # Another address is not affected.
    assert api(team_admin, "GET", "/account", REMOTE_ADDR="198.51.100.1").status_code == 200


def test_counters_live_in_the_cache_shared_by_processes(client, team_admin):
    """The count is in the Django cache (Redis with REDIS_URL), where every process and machine reads it."""
    raw = api_token_create(actor=team_admin, name="t", origin=COMMAND)[1]
    key = f"ratelimit:token:{hashlib.sha256(raw.encode()).hexdigest()}:{_window()[0]}"
    for _ in range(2):
        client.get("/account", HTTP_ACCEPT=ACCEPT, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert cache.get(key) == 2
    cache.set(key, 4500)  # as if other processes had spent the rest
    answer = client.get("/account", HTTP_ACCEPT=ACCEPT, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert answer.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_a_body_over_1_mb_answers_413_and_changes_nothing(api, team_admin):
    api(team_admin, "GET", "/account")
    events = AuditEvent.objects.count()
    body = json.dumps({"email": "x@y.test", "role": "member", "pad": "x" * (3 * 1024 * 1024)})
    answer = api(team_admin, "PUT", "/teams/acme/members", raw=body)
    assert_error(answer, 413, "request_entity_too_large", "larger than 1 MB")
    assert AuditEvent.objects.count() == events


def test_deeply_nested_json_answers_400(api, team_admin):
    body = '{"email": ' + "[" * 5000 + "]" * 5000 + ', "role": "member"}'
    assert_error(
        api(team_admin, "PUT", "/teams/acme/members", raw=body), 400, "bad_request", "nested too deeply"
    )


def test_json_depth_skips_brackets_inside_strings():
    assert json_depth(b'{"a": "[[[[{{{{", "b": [1, [2]]}') == 3


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        ("application/vnd.heroku+json; version=3", 200),
        ("application/vnd.heroku+json; version=3.webhooks", 200),
        ("application/vnd.heroku+json; version=3.team-invitations", 200),
        ("application/vnd.heroku+json", 200),
        ("application/vnd.heroku+json; version=2", 406),
        ("application/vnd.heroku+json; version=4", 406),
        ("application/vnd.heroku+json; version=", 406),
    ],
)
def test_only_version_3_and_its_variants_are_served(api, team_admin, accept, status):
    answer = api(team_admin, "GET", "/account", HTTP_ACCEPT=accept)
    assert answer.status_code == status
    if status == 406:
        assert_error(answer, 406, "not_acceptable", "version=3")


def test_a_page_with_a_body_over_1_mb_answers_a_clear_413(client_as, team_admin, team):
    client = client_as(team_admin)
    answer = client.post("/teams/acme/access/add-member/", {"email": "x" * (2 * 1024 * 1024)})
    assert answer.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert b"larger than 1 MB" in answer.content


def test_a_page_with_too_many_fields_answers_a_clear_400(client_as, team_admin, team):
    fields = "&".join(f"f{n}=1" for n in range(1200))
    answer = client_as(team_admin).post(
        "/teams/acme/access/add-member/", fields, content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == HTTPStatus.BAD_REQUEST and b"too many fields" in answer.content
