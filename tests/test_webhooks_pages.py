"""The webhooks sections of the app and team settings pages: who sees them, adding (the secret shown once),
editing, sending a ping and removing, and the recent deliveries with status, time and response code."""

from http import HTTPStatus

import pytest

from accessctl.audit.log import COMMAND
from accessctl.models import AuditEvent, Webhook, WebhookDelivery
from accessctl.webhooks import delivery as sending
from accessctl.webhooks import services
from tests.factories import GrantFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "http://127.0.0.1:9/hooks"


@pytest.fixture
def manager(team, app):
    user = MembershipFactory(team=team, role="member", user=UserFactory(email="manager@acme.test")).user
    GrantFactory(app=app, user=user, permissions="view,manage")
    return user


def test_manage_holders_add_a_webhook_and_see_the_secret_once(client_as, app, manager):
    client = client_as(manager)
    data = {"url": URL, "include": ["api:collaborator", "api:app"], "level": "sync"}

    response = client.post("/apps/myapp/settings/webhooks/add/", data)

    assert response.status_code == HTTPStatus.OK
    hook = Webhook.objects.get()
    html = response.content.decode()
    assert 'id="webhook-secret"' in html and hook.secret in html
    assert (hook.include, hook.level) == (["api:app", "api:collaborator"], "sync")
    settings_page = client.get("/apps/myapp/settings/").content.decode()
    assert f'id="webhook-{hook.id}"' in settings_page and hook.secret not in settings_page
    assert hook.secret not in client.get(f"/apps/myapp/settings/webhooks/{hook.id}/").content.decode()
    assert AuditEvent.objects.filter(action="webhook.add", actor=manager).count() == 1


def test_bad_input_shows_on_the_field(client_as, app, manager):
    response = client_as(manager).post("/apps/myapp/settings/webhooks/add/", {"url": URL, "level": "notify"})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "include needs at least one event type" in response.content.decode()
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    ("grant", "sees", "status"), [("view,deploy", False, 403), ("view,manage", True, 302)]
)
def test_only_manage_holders_see_and_use_the_section(client_as, team, app, grant, sees, status):
    user = MembershipFactory(team=team, role="member", user=UserFactory(email="someone@acme.test")).user
    GrantFactory(app=app, user=user, permissions=grant)
    client = client_as(user)
    hook = services.webhook_add(actor=team.memberships.get(role="admin").user, app=app, origin=COMMAND, url=URL,
                                include=["api:app"], level="notify")  # fmt: skip

    page = client.get("/apps/myapp/settings/").content.decode()

    assert ('id="webhooks"' in page) is sees
    assert client.post(f"/apps/myapp/settings/webhooks/{hook.id}/ping/").status_code == status


def test_edit_ping_and_remove(client_as, app, manager):
    client = client_as(manager)
    hook = services.webhook_add(
        actor=manager, app=app, origin=COMMAND, url=URL, include=["api:app"], level="notify"
    )

    saved = client.post(
        f"/apps/myapp/settings/webhooks/{hook.id}/", {"url": URL, "include": ["api:release"], "level": "sync"}
    )
    pinged = client.post(f"/apps/myapp/settings/webhooks/{hook.id}/ping/")

    assert saved.status_code == pinged.status_code == HTTPStatus.FOUND
    hook.refresh_from_db()
    assert (hook.include, hook.level) == (["api:release"], "sync")
    ping = WebhookDelivery.objects.get(event__include="ping")
    sending.attempt(str(ping.public_id))
    page = client.get("/apps/myapp/settings/").content.decode()
    assert f'id="delivery-{ping.public_id}"' in page and "Retrying" not in page and "retrying" in page
    assert client.post(f"/apps/myapp/settings/webhooks/{hook.id}/remove/").status_code == HTTPStatus.FOUND
    assert not Webhook.objects.exists()


def test_recent_deliveries_show_status_time_and_response_code(client_as, app, team_admin, tmp_path):
    from tests.webhooks import Receiver

    receiver = Receiver(tmp_path, "s3cret")
    try:
        hook = services.webhook_add(actor=team_admin, app=app, origin=COMMAND, url=receiver.url,
                                    include=["api:app"], level="notify", secret="s3cret")  # fmt: skip
        ping = services.webhook_ping(actor=team_admin, webhook=hook, origin=COMMAND)
        sending.attempt(str(ping.public_id))
    finally:
        receiver.stop()

    page = client_as(team_admin).get("/apps/myapp/settings/").content.decode()
    row = page.split(f'id="delivery-{ping.public_id}"', 1)[1].split("</tr>", 1)[0]
    assert "succeeded" in row and "200" in row and ping.created_at.strftime("%Y-%m-%d %H:%M") in row


def test_team_admins_manage_team_webhooks_members_cannot(client_as, team, team_admin, member):
    added = client_as(team_admin).post("/teams/acme/settings/webhooks/add/", {"url": URL, "level": "notify"})

    assert added.status_code == HTTPStatus.OK
    hook = Webhook.objects.get(team=team)
    assert 'id="webhooks"' in client_as(team_admin).get("/teams/acme/settings/").content.decode()
    assert client_as(member).post(f"/teams/acme/settings/webhooks/{hook.id}/remove/").status_code == 403
    assert Webhook.objects.filter(pk=hook.pk).exists()


# The whole page; with one query per hook it was 15 and 16 at 10 hooks.
QUERIES = {"app": 5, "team": 5}


def _hooks_with_deliveries(owner_kwargs, admin, size, per_hook=7):
    from accessctl.models import WebhookEvent

    hooks = []
    for number in range(size):
        hook = services.webhook_add(actor=admin, origin=COMMAND, url=f"{URL}/{number}", level="notify",
                                    **owner_kwargs)  # fmt: skip
        for _ in range(per_hook):
            event = WebhookEvent.objects.create(
                include="ping", payload={"resource": "ping", "action": "test"}
            )
            WebhookDelivery.objects.create(webhook=hook, event=event)
        hooks.append(hook)
    return hooks


@pytest.mark.parametrize("size", [1, 10])
@pytest.mark.parametrize("where", ["app", "team"])
def test_settings_pages_read_recent_deliveries_in_constant_queries(
    client_as, django_assert_num_queries, team, app, team_admin, where, size
):
    owner_kwargs = {"app": app, "include": ["api:app"]} if where == "app" else {"team": team}
    hooks = _hooks_with_deliveries(owner_kwargs, team_admin, size)
    client = client_as(team_admin)
    path = "/apps/myapp/settings/" if where == "app" else "/teams/acme/settings/"
    client.get(path)  # warm the per-session caches the first request fills

    with django_assert_num_queries(QUERIES[where]):
        page = client.get(path).content.decode()

    for hook in hooks:
        table = page.split(f'id="deliveries-{hook.id}"', 1)[1].split("</table>", 1)[0]
        shown = [part.split('"', 1)[0] for part in table.split('id="delivery-')[1:]]
        newest = hook.deliveries.order_by("-seq").values_list("public_id", flat=True)[:5]
        assert shown == [str(public_id) for public_id in newest], "the five newest, newest first"
