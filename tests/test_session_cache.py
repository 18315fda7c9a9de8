"""Sessions are read from the cache (``cached_db``): a signed-in page pays no session query, a sign-out ends the
session however it was cached, and production without a shared cache falls back to the database engine."""

from http import HTTPStatus

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accessctl.access.backend import AccessBackend
from accessctl.audit.log import COMMAND, SYSTEM
from accessctl.identity.accounts import user_set_active
from accessctl.identity.models import User
from accessctl.identity.tokens import api_token_create, api_token_revoke
from tests.api_client import ACCEPT
from tests.factories import PASSWORD
from tests.processes import manage

pytestmark = pytest.mark.django_db

PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "test-only-" + "k" * 50,
    "ALLOWED_HOSTS": "access.example.com",
    "WEBHOOK_SECRET_KEY": "test-only-webhook-key-" + "w" * 32,
}


def signed_in(user) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code == 302
    return client


def test_a_signed_in_page_reads_no_session_row(member):
    client = signed_in(member)
    with CaptureQueriesContext(connection) as context:
        assert client.get("/").status_code == HTTPStatus.OK
    assert context.captured_queries, "the page still reads the user and their access"
    assert not [q for q in context.captured_queries if "django_session" in q["sql"]]


def test_the_session_survives_an_emptied_cache(member):
    client = signed_in(member)
    cache.clear()
    assert client.get("/").status_code == HTTPStatus.OK, "read back from the database"


def test_signing_out_ends_the_cached_session(member):
    client = signed_in(member)
    assert client.get("/").status_code == HTTPStatus.OK  # the session is now in the cache
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/accounts/logout/")
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = stolen
    answer = thief.get("/")
    assert answer.status_code == HTTPStatus.FOUND and "/accounts/login/" in answer["Location"]


@pytest.mark.parametrize(
    ("extra", "engine"),
    [
        ({}, "django.contrib.sessions.backends.db"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/14"}, "web.sessions"),
    ],
)
def test_several_processes_cache_sessions_only_in_a_shared_cache(extra, engine):
    for mode in (PRODUCTION, {"SECRET_KEY": "test-only-" + "k" * 50}):  # production; gunicorn without DEBUG
        result = manage(
            "shell", "-c", "from django.conf import settings; print(settings.SESSION_ENGINE)", **mode, **extra
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().endswith(engine), mode


def test_the_session_user_is_loaded_whole_and_a_gone_or_inactive_one_is_not(member):
    member.idp_amr = ["pwd", "mfa"]
    member.last_sign_in_federated = True
    member.last_login = timezone.now()
    member.save()
    loaded = AccessBackend().get_user(str(member.pk))  # the session stores the id as a string
    expected = User.objects.get(pk=member.pk)
    for field in User._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert loaded._state.adding is False and loaded._state.db == "default"
    assert AccessBackend().get_user(str(member.pk + 1000)) is None
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert AccessBackend().get_user(member.pk) is None


def on_page(client) -> bool:
    return client.get("/").status_code == HTTPStatus.OK


@pytest.mark.django_db(transaction=True)  # allauth signals the password change on commit, as in production
def test_a_password_change_ends_the_other_cached_sessions_at_once(member):
    desk, laptop = signed_in(member), signed_in(member)
    assert on_page(desk) and on_page(laptop)  # both sessions now read from the cache
    new = "another-horse-staple-9"
    changed = desk.post(
        "/accounts/password/change/", {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )
    assert changed.status_code == HTTPStatus.FOUND
    assert on_page(desk), "the session that changed it stays"
    assert not on_page(laptop)


def test_deactivation_ends_a_cached_session_at_once(member):
    client = signed_in(member)
    assert on_page(client)
    user_set_active(actor=SYSTEM, user=member, active=False, origin=COMMAND)
    assert not on_page(client)


def test_a_revoked_token_is_refused_on_its_next_call(client, member):
    token, raw = api_token_create(actor=member, name="cli", origin=COMMAND)
    headers = {"HTTP_ACCEPT": ACCEPT, "HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/account", **headers).status_code == HTTPStatus.OK
    api_token_revoke(actor=member, token_id=token.pk, origin=COMMAND)
    assert client.get("/account", **headers).status_code == HTTPStatus.UNAUTHORIZED


UNREACHABLE = {  # a real Redis client against a port nothing listens on
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "down": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"},
}


def test_pages_keep_working_while_the_session_cache_is_down(member, settings):
    settings.CACHES = UNREACHABLE
    settings.SESSION_CACHE_ALIAS = "down"
    client = signed_in(member)  # creating the session asks the cache whether its key exists
    assert client.get("/").status_code == HTTPStatus.OK  # read from the database, the write-back skipped
    assert client.get("/").status_code == HTTPStatus.OK
