"""What the SSO callback does with tokens it should not trust, against the tests' own IdP (tests/forged_idp.py):
the signing algorithms come from the IdP's configuration (RS256), never from a token's header, and any
malformed callback or token is the normal "sign-in failed" page (4xx) and logged, never a 500."""

import base64
import json
import logging
import time
from http import HTTPStatus
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accessctl.access.errors import Invalid
from accessctl.audit.log import COMMAND, SYSTEM
from accessctl.identity.adapters import SocialAccountAdapter
from accessctl.identity.signin import provider_id_for
from accessctl.identity.sso.provider import TeamSsoAdapter, expected_algorithms
from accessctl.identity.sso.services import team_sso_configure
from accessctl.models import AuditEvent, User
from tests.forged_idp import ISSUER, ForgedIdp

pytestmark = pytest.mark.django_db


@pytest.fixture
def idp(monkeypatch, team, team_admin):
    forged = ForgedIdp()
    monkeypatch.setattr(SocialAccountAdapter, "get_requests_session", lambda self: forged.session())
    team_sso_configure(
        actor=SYSTEM,
        team=team,
        origin=COMMAND,
        issuer=ISSUER,
        client_id="accessctl",
        secret="s",
        enforced=False,
    )
    team.refresh_from_db()
    forged.provider_id = provider_id_for(team)
    forged.team = team
    return forged


def start(idp) -> tuple[Client, dict]:
    """Begin the sign-in at accessctl; return the client and the authorization request's parameters."""
    client = Client()
    answer = client.post(f"/accounts/sso/{idp.provider_id}/login/", {"process": "login"})
    assert answer.status_code == HTTPStatus.FOUND and answer["Location"].startswith(ISSUER + "/auth")
    return client, {k: v[0] for k, v in parse_qs(urlparse(answer["Location"]).query).items()}


def callback(idp, id_token=None, token_response=None, query=None):
    client, params = start(idp)
    if token_response is None:
        token_response = {"access_token": "at", "token_type": "Bearer", "id_token": id_token}
    idp.token_response = token_response
    if query is None:
        query = {"code": "c", "state": params["state"]}
    return client.get(f"/accounts/sso/{idp.provider_id}/login/callback/", query), params


def test_the_configured_algorithms_are_rs256_by_default(idp):
    assert idp.team.sso_app.settings["id_token_signed_response_algs"] == ["RS256"]
    assert expected_algorithms(idp.team.sso_app) == ["RS256"]


def test_a_token_signed_as_configured_signs_in(idp):
    client, params = start(idp)
    idp.token_response = {
        "access_token": "at",
        "token_type": "Bearer",
        "id_token": idp.sign(idp.claims(params["nonce"])),
    }
    answer = client.get(
        f"/accounts/sso/{idp.provider_id}/login/callback/", {"code": "c", "state": params["state"]}
    )
    assert answer.status_code == HTTPStatus.FOUND and User.objects.filter(email="forged@corp.test").exists()


def test_hs256_maced_with_the_public_key_is_refused_by_the_decoder(idp, rf):
    adapter = TeamSsoAdapter(rf.get("/"), idp.provider_id)
    forged = idp.hs256_with_public_key(idp.claims("n"))
    with pytest.raises(Exception, match="Invalid id_token"):
        adapter._decode_id_token(idp.team.sso_app, forged)


def test_hs256_maced_with_the_public_key_is_the_sign_in_failed_page_and_logged(idp, caplog):
    client, params = start(idp)
    idp.token_response = {
        "access_token": "at",
        "token_type": "Bearer",
        "id_token": idp.hs256_with_public_key(idp.claims(params["nonce"])),
    }
    with caplog.at_level(logging.WARNING, logger="accessctl.sso"):
        answer = client.get(
            f"/accounts/sso/{idp.provider_id}/login/callback/", {"code": "c", "state": params["state"]}
        )
    assert (
        answer.status_code == HTTPStatus.UNAUTHORIZED
        and "Third-Party Login Failure" in answer.content.decode()
    )
    assert "sso sign-in failed" in caplog.text and "InvalidAlgorithmError" in caplog.text
    assert not User.objects.filter(email="forged@corp.test").exists()


def test_a_token_in_an_algorithm_not_configured_is_refused_even_if_validly_signed(idp):
    app = idp.team.sso_app
    app.settings = {**app.settings, "id_token_signed_response_algs": ["RS256"]}
    app.save()
    client, params = start(idp)
    idp.token_response = {
        "access_token": "at",
        "token_type": "Bearer",
        "id_token": idp.sign(idp.claims(params["nonce"]), alg="RS512"),
    }
    answer = client.get(
        f"/accounts/sso/{idp.provider_id}/login/callback/", {"code": "c", "state": params["state"]}
    )
    assert answer.status_code == HTTPStatus.UNAUTHORIZED


def _malformed_tokens(idp, nonce):
    good = idp.claims(nonce)
    now = int(time.time())
    return [
        "",
        "x",
        "a.b.c",
        "a.b",
        "....",
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",  # alg none
        idp.sign(good).rsplit(".", 1)[0] + ".AAAA",  # bad signature
        idp.sign(good).replace(".", "..", 1),
        idp.hs256_with_public_key(good),
        idp.sign({**good, "aud": "someone-else"}),
        idp.sign({**good, "iss": "http://evil.test"}),
        idp.sign({**good, "exp": now - 3600}),
        idp.sign({**good, "nonce": "not-ours"}),
        idp.sign({k: v for k, v in good.items() if k != "sub"}),
        jwt.encode(good, idp.key, algorithm="RS256"),  # no kid
        jwt.encode(good, idp.key, algorithm="RS256", headers={"kid": "unknown"}),
        12345,
        ["a", "b"],
        {"alg": "RS256"},
    ]


def test_malformed_tokens_are_refused_without_a_crash(idp):
    _, params = start(idp)
    for token in _malformed_tokens(idp, params["nonce"]):
        answer, _ = callback(idp, id_token=token)
        assert 400 <= answer.status_code < 500, (token, answer.status_code)
    assert not User.objects.filter(email="forged@corp.test").exists()


@pytest.mark.parametrize(
    "token_response",
    [
        {},
        [],
        "not json",
        {"access_token": None},
        {"access_token": "at"},
        {"access_token": ["x"], "id_token": "x"},
    ],
)
def test_malformed_token_endpoint_answers_are_refused(idp, token_response):
    answer, _ = callback(idp, token_response=token_response)
    assert 400 <= answer.status_code < 500


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"code": "c"},
        {"state": "nope", "code": "c"},
        {"error": "access_denied"},
        {"error": "x", "state": "y"},
    ],
)
def test_malformed_callbacks_are_refused(idp, query):
    answer, _ = callback(idp, id_token="x", query=query)
    assert answer.status_code < 500


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.dictionaries(
        st.sampled_from(["alg", "kid", "typ", "jku", "x5u"]), st.text(max_size=20), max_size=4
    ),
    payload=st.text(max_size=40),
    signature=st.text(max_size=40),
)
def test_fuzzed_tokens_never_crash_the_decoder(idp, rf, header, payload, signature):
    def part(data):
        return base64.urlsafe_b64encode(data.encode()).rstrip(b"=").decode()

    token = f"{part(json.dumps(header))}.{part(payload)}.{part(signature)}"
    adapter = TeamSsoAdapter(rf.get("/"), idp.provider_id)
    with pytest.raises(Exception) as refused:
        adapter._decode_id_token(idp.team.sso_app, token)
    assert type(refused.value).__name__ == "OAuth2Error"


# --- what a first SSO sign-in does: the team's SSO settings ------------------------------------------------------


def sso_settings(idp, **changes):
    team_sso_configure(
        actor=SYSTEM,
        team=idp.team,
        origin=COMMAND,
        issuer=ISSUER,
        client_id="accessctl",
        secret=None,
        enforced=False,
        **changes,
    )


def first_sign_in(idp):
    client, params = start(idp)
    idp.token_response = {
        "access_token": "at",
        "token_type": "Bearer",
        "id_token": idp.sign(idp.claims(params["nonce"])),
    }
    return client.get(
        f"/accounts/sso/{idp.provider_id}/login/callback/", {"code": "c", "state": params["state"]}
    )


def test_first_sign_in_gives_the_role_the_team_chose(idp):
    sso_settings(idp, role="viewer")
    first_sign_in(idp)
    user = User.objects.get(email="forged@corp.test")
    assert user.memberships.get(team=idp.team).role == "viewer"


def test_first_sign_in_creates_no_account_where_the_team_turned_it_off(idp):
    sso_settings(idp, create_accounts=False)
    answer = first_sign_in(idp)
    assert answer.status_code < 500
    assert not User.objects.filter(email="forged@corp.test").exists()


def test_sso_role_admin_is_refused(idp):
    with pytest.raises(Invalid, match="never admins"):
        sso_settings(idp, role="admin")


def test_sso_settings_form_saves_role_and_account_creation(client_as, idp, team_admin):
    client = client_as(team_admin)
    form = {"issuer": ISSUER, "client_id": "accessctl", "secret": "", "role": "viewer"}
    saved = client.post("/teams/acme/settings/sso/", form)
    assert saved.status_code == HTTPStatus.FOUND
    idp.team.refresh_from_db()
    assert (idp.team.sso_role, idp.team.sso_create_accounts) == ("viewer", False)
    page = client.get("/teams/acme/settings/").content.decode()
    assert 'name="create_accounts"' in page and '<option value="viewer" selected>' in page
    refused = client.post("/teams/acme/settings/sso/", {**form, "role": "admin"})
    assert refused.status_code == 422
    assert AuditEvent.objects.filter(action="team.sso", after__role="viewer").exists()
