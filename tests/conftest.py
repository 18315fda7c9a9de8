from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.utils import timezone

from accessctl.access.policy import TeamRole
from reviews.services import review_start
from tests import api_schema
from tests.api_client import api_caller
from tests.factories import AppFactory, GrantFactory, MembershipFactory, TeamFactory, UserFactory
from tests.reviewing import WEB
from tests.smtp import start_smtp_server, stop_smtp_server


def pytest_collection_modifyitems(config, items):
    """``postgres`` tests need real row locks, ``sqlite`` tests SQLite's file locks: each is deselected on the
    other database, not skipped silently."""
    other = "sqlite" if connection.vendor == "postgresql" else "postgres"
    kept = [item for item in items if other not in item.keywords]
    deselected = [item for item in items if other in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(autouse=True)
def api_schema_check():
    """Fail the test when one of its API exchanges broke the schema (tests/api_schema.py records them)."""
    api_schema.take_violations()
    yield
    found = api_schema.take_violations()
    if found:
        pytest.fail("API answers that break accessctl/api/schema/platform-api.json:\n" + "\n".join(found))


def pytest_terminal_summary(terminalreporter):
    record = api_schema.RECORD
    if record.exchanges:
        terminalreporter.write_line(
            f"API schema check: {record.exchanges} exchanges validated in {record.seconds:.2f} s"
        )


@pytest.fixture
def team(db):
    return TeamFactory(name="acme")


@pytest.fixture
def team_admin(team):
    return MembershipFactory(team=team, role=TeamRole.ADMIN, user=UserFactory(email="admin@acme.test")).user


@pytest.fixture
def member(team):
    return MembershipFactory(team=team, role=TeamRole.MEMBER, user=UserFactory(email="member@acme.test")).user


@pytest.fixture
def viewer(team):
    return MembershipFactory(team=team, role=TeamRole.VIEWER, user=UserFactory(email="viewer@acme.test")).user


@pytest.fixture
def app(team, team_admin):
    return AppFactory(team=team, name="myapp")


@pytest.fixture
def locked_app(team, team_admin):
    return AppFactory(team=team, name="website-prod", locked=True)


@pytest.fixture
def collaborator(app):
    user = UserFactory(email="collab@partner.test")
    GrantFactory(app=app, user=user, permissions="view")
    return user


@pytest.fixture
def outsider(db):
    return UserFactory(email="outsider@else.test")


@pytest.fixture
def client_as():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api(client):
    """``api(user, method, path, data=None, **headers)`` calls the API with the user's token."""
    return api_caller(client)


# --- access reviews ---------------------------------------------------------------------------------------------


@pytest.fixture
def second_admin(team):
    return MembershipFactory(team=team, role=TeamRole.ADMIN, user=UserFactory(email="admin2@acme.test")).user


@pytest.fixture
def manager(team, app):
    """A member holding manage on myapp: a reviewer of myapp's grants."""
    user = MembershipFactory(
        team=team, role=TeamRole.MEMBER, user=UserFactory(email="manager@acme.test")
    ).user
    GrantFactory(app=app, user=user, permissions="view,deploy,manage")
    return user


@pytest.fixture
def review(team, team_admin, second_admin, member, viewer, manager, collaborator):
    """An open review of acme: five roles, two grants on myapp."""
    due = timezone.localdate() + timedelta(days=14)
    return review_start(actor=team_admin, team=team, due_date=due, origin=WEB)


class Clock:
    """A frozen clock that tests move forward: ``clock.advance(hours=4)``; nothing sleeps."""

    def __init__(self, start):
        self.current = start

    def now(self):
        return self.current

    def advance(self, **delta):
        from datetime import timedelta

        self.current += timedelta(**delta)
        return self.current


@pytest.fixture
def clock(monkeypatch):
    """Freeze ``django.utils.timezone.now`` (which the rules' callers, services and selectors read)."""
    from django.utils import timezone

    frozen = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", frozen.now)
    return frozen


@pytest.fixture(scope="session")
def smtp_server(tmp_path_factory):
    server = start_smtp_server(tmp_path_factory.mktemp("smtp"))
    yield server
    stop_smtp_server(server)


@pytest.fixture
def mail(smtp_server, settings):
    """The real SMTP server, with Django's SMTP backend pointed at it (mail leaves when the change commits)."""
    smtp_server.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return smtp_server


@pytest.fixture
def support(db):
    """A support-console user: staff, in the ``support`` group (read everything, lock and unlock apps)."""
    user = UserFactory(email="support@accessctl.test", is_staff=True)
    user.groups.add(Group.objects.get(name="support"))
    return user
