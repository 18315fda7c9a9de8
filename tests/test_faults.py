"""Database faults answer 503 with Retry-After, never a grant, nothing half-written, the next request fine.

Done for real: PostgreSQL's ``pg_terminate_backend`` on the request's own connection from a second connection
(fired by a Django ``execute_wrapper`` just before a chosen statement), a database that cannot be reached (the
connection settings pointed at a closed port or a missing file), SQLite held by another writer.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager
from http import HTTPStatus

import pytest
from django.db import connection

from accessctl.models import AuditEvent
from apps.models import App
from teams.models import Membership
from tests.api_client import ACCEPT, api_caller, assert_error
from tests.factories import AppFactory, MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client(client):
    """Answers as a server would give them: a fault Django reports (got_request_exception) is not re-raised here."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def acme(db):
    team = TeamFactory(name="acme")
    admin = MembershipFactory(team=team, role="admin", user=UserFactory(email="admin@acme.test")).user
    AppFactory(team=team, name="shop")
    return admin


def _terminate_before(fragment: str):
    """An execute wrapper that kills this connection's backend from another one before a matching statement."""
    import psycopg

    fired = []
    params = connection.settings_dict

    def wrapper(execute, sql, params_, many, context):
        if not fired and fragment in sql:
            fired.append(sql)
            pid = connection.connection.info.backend_pid
            dsn = {
                "host": params["HOST"] or "127.0.0.1",
                "port": params["PORT"] or 5432,
                "user": params["USER"],
                "dbname": params["NAME"],
            }
            with psycopg.connect(**dsn, autocommit=True) as killer:
                killer.execute("SELECT pg_terminate_backend(%s)", [pid])
            time.sleep(0.05)
        return execute(sql, params_, many, context)

    return wrapper, fired


def _state():
    app = App.objects.get(name="shop")
    return app.locked, AuditEvent.objects.count()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "fragment",
    [
        pytest.param('FROM "teams_membership"', id="during-the-check"),
        pytest.param('INSERT INTO "accessctl_auditevent"', id="during-the-change"),
    ],
)
def test_a_connection_killed_during_a_page_change_answers_503(client, acme, fragment):
    client.force_login(acme)
    before = _state()
    wrapper, fired = _terminate_before(fragment)
    with connection.execute_wrapper(wrapper):
        answer = client.post("/apps/shop/lock/")
    assert fired, "the statement never ran"
    assert answer.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert answer["Retry-After"] == "5" and b"Nothing was changed" in answer.content
    assert _state() == before  # nothing half-written: not locked, no audit event
    assert client.post("/apps/shop/lock/").status_code == HTTPStatus.FOUND  # the next request is fine
    assert _state() == (True, before[1] + 1)


@pytest.mark.postgres
@pytest.mark.parametrize("fragment", ['FROM "teams_membership"', 'INSERT INTO "accessctl_auditevent"'])
def test_a_connection_killed_during_an_api_change_answers_503(client, acme, fragment):
    api = api_caller(client)
    api(acme, "GET", "/account")
    before = _state()
    wrapper, fired = _terminate_before(fragment)
    with connection.execute_wrapper(wrapper):
        answer = api(acme, "PATCH", "/teams/apps/shop", {"locked": True})
    assert fired
    assert_error(answer, 503, "service_unavailable", "Nothing was changed")
    assert answer["Retry-After"] == "5"
    assert _state() == before
    assert api(acme, "PATCH", "/teams/apps/shop", {"locked": True}).status_code == HTTPStatus.OK


@pytest.mark.postgres
def test_a_killed_connection_never_grants(client, acme):
    """The permission check itself fails: the request is refused (503), not let through."""
    outsider = UserFactory(email="outsider@else.test")
    client.force_login(outsider)
    wrapper, fired = _terminate_before('FROM "teams_membership"')
    with connection.execute_wrapper(wrapper):
        answer = client.post("/apps/shop/lock/")
    assert fired and answer.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert _state()[0] is False
    assert client.post("/apps/shop/lock/").status_code == HTTPStatus.NOT_FOUND  # and then the plain refusal


@contextmanager
def unreachable_database():
    """Point the connection at a database that cannot be reached, as if it were down."""
    connection.close()
    saved = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-dir/accessctl.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_an_unreachable_database_answers_503_on_pages_and_api(client, acme):
    api = api_caller(client)
    api(acme, "GET", "/account")  # the token exists before the database goes away
    client.force_login(acme)
    with unreachable_database():
        page = client.get("/apps/shop/access/")
        change = client.post("/apps/shop/lock/")
        call = client.get("/account", HTTP_ACCEPT=ACCEPT, HTTP_AUTHORIZATION="Bearer actl_whatever")
    for answer in (page, change):
        assert answer.status_code == HTTPStatus.SERVICE_UNAVAILABLE and answer["Retry-After"] == "5"
        assert b"database is unavailable" in answer.content
    assert_error(call, 503, "service_unavailable", "try again")
    assert client.get("/apps/shop/access/").status_code == HTTPStatus.OK  # back up: fine again
    assert _state()[0] is False


# --- SQLite ----------------------------------------------------------------------------------------------------


@contextmanager
def another_writer(hold: float | None = None):
    """A second SQLite connection holding the write lock (for ``hold`` seconds, or until the block ends)."""
    other = sqlite3.connect(
        connection.settings_dict["NAME"], timeout=1, isolation_level=None, check_same_thread=False
    )
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(hold, other.rollback) if hold else None
    if release:
        release.start()
    try:
        yield
    finally:
        if release:
            release.join()
        else:
            other.rollback()
        other.close()


@contextmanager
def busy_timeout(seconds: int):
    connection.close()
    options = connection.settings_dict.setdefault("OPTIONS", {})
    saved = options.get("timeout")
    options["timeout"] = seconds
    try:
        yield
    finally:
        connection.close()
        options["timeout"] = saved


@pytest.mark.sqlite
def test_sqlite_waits_for_another_writer_instead_of_failing(client, acme):
    client.force_login(acme)
    with another_writer(hold=0.5):
        answer = client.post("/apps/shop/lock/")
    assert answer.status_code == HTTPStatus.FOUND and _state()[0] is True


@pytest.mark.sqlite
def test_sqlite_held_past_the_busy_timeout_answers_503_and_writes_nothing(client, acme):
    client.force_login(acme)
    before = _state()
    with busy_timeout(1), another_writer():
        answer = client.post("/apps/shop/lock/")
    assert answer.status_code == HTTPStatus.SERVICE_UNAVAILABLE and answer["Retry-After"] == "5"
    assert _state() == before
    assert client.post("/apps/shop/lock/").status_code == HTTPStatus.FOUND


@pytest.mark.sqlite
def test_concurrent_writers_on_sqlite_all_succeed_or_get_a_clean_409(acme):
    """Ten "add member" calls for new e-mails at once, each thread with its own connection."""
    from django.db import connections
    from django.test import Client

    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def add(n: int) -> None:
        try:
            caller = api_caller(Client())
            barrier.wait()
            statuses.append(
                caller(
                    acme, "PUT", "/teams/acme/members", {"email": f"new{n}@acme.test", "role": "member"}
                ).status_code
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == 10 and set(statuses) <= {201, 409}, statuses  # 201: a member added
    added = Membership.objects.filter(user__email__startswith="new").count()
    assert added == statuses.count(201)
