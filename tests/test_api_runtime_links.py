"""The runtime links of issue 15: formation per process type, dyno info, a release's config vars, stopping
dynos, and the schema's types in formation and rollback bodies and in the objects answered."""

import uuid
from http import HTTPStatus

import pytest

from accessctl.models import AuditEvent
from tests.api_client import assert_error
from tests.factories import FormationFactory, GrantFactory, MembershipFactory, ReleaseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(app):
    return FormationFactory(app=app, type="web", quantity=2, size="Basic")


@pytest.fixture
def operator(team, app):
    user = MembershipFactory(team=team, role="member", user=UserFactory(email="ops@acme.test")).user
    GrantFactory(app=app, user=user, permissions="view,operate")
    return user


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk").values_list("after", flat=True))


def test_formation_info_per_process_type_with_its_dyno_size(api, viewer, app, web):
    body = api(viewer, "GET", f"/apps/{app.name}/formation/web").json()
    assert (body["type"], body["quantity"], body["size"]) == ("web", 2, "Basic")
    assert body["dyno_size"]["name"] == "Basic" and uuid.UUID(body["dyno_size"]["id"])
    listed = api(viewer, "GET", f"/apps/{app.name}/formation").json()
    assert listed[0]["dyno_size"] == body["dyno_size"]
    assert_error(api(viewer, "GET", f"/apps/{app.name}/formation/worker"), 404, "not_found", "worker")


def test_formation_update_per_process_type(api, operator, viewer, app, web):
    path = f"/apps/{app.name}/formation/web"
    body = api(operator, "PATCH", path, {"quantity": 3, "dyno_size": {"name": "Standard-1X"}}).json()
    assert (body["quantity"], body["size"], body["dyno_size"]["name"]) == (3, "Standard-1X", "Standard-1X")
    assert events("formation.scale") == [{"web": "3:Standard-1X"}]
    assert_error(api(viewer, "PATCH", path, {"quantity": 1}), 403, "forbidden")
    web.refresh_from_db()
    assert web.quantity == 3


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"quantity": "1"}, "The field 'quantity' must be a number."),
        ({"quantity": -2}, "The field 'quantity' is not valid"),
        ({"size": "Basic"}, "Unknown field 'size'. Allowed: dyno_size, quantity."),
        ({"dyno_size": {"name": "Basic", "id": "x"}}, "exactly one of 'name' or 'id'"),
        ({"dyno_size": {"name": "Gigantic"}}, "Unknown dyno size Gigantic."),
        ({"quantity": 101}, "between 0 and 100"),
        ({}, "Send 'quantity' to scale the process type and/or 'dyno_size' to resize it."),
    ],
)
def test_formation_update_refuses_bad_input_naming_the_field(api, operator, app, web, body, text):
    response = api(operator, "PATCH", f"/apps/{app.name}/formation/web", body)
    assert_error(response, 422, "invalid_params", text)
    web.refresh_from_db()
    assert (web.quantity, web.size) == (2, "Basic") and not events("formation.scale")


def test_formation_update_of_an_unknown_type_is_404(api, operator, app, web):
    assert_error(
        api(operator, "PATCH", f"/apps/{app.name}/formation/worker", {"quantity": 1}), 404, "not_found"
    )


def test_dyno_info_by_name_or_id(api, viewer, app, web):
    dyno = api(viewer, "GET", f"/apps/{app.name}/dynos/web.2").json()
    assert (dyno["name"], dyno["type"], dyno["state"], dyno["size"]) == ("web.2", "web", "up", "Basic")
    assert api(viewer, "GET", f"/apps/{app.name}/dynos/{dyno['id']}").json()["name"] == "web.2"
    assert_error(api(viewer, "GET", f"/apps/{app.name}/dynos/web.3"), 404, "not_found", "web.3")


def test_stopping_dynos_needs_operate_and_is_audited(api, operator, viewer, app, web):
    stop_type = f"/apps/{app.name}/formations/web/actions/stop"
    stop_dyno = f"/apps/{app.name}/dynos/web.1/actions/stop"
    assert_error(api(viewer, "POST", stop_type), 403, "forbidden")
    assert_error(api(viewer, "POST", stop_dyno), 403, "forbidden")
    assert not events("dynos.stop")
    assert api(operator, "POST", stop_type).status_code == HTTPStatus.ACCEPTED
    assert api(operator, "POST", stop_dyno).status_code == HTTPStatus.ACCEPTED
    assert events("dynos.stop") == [
        {"dyno": None, "type": "web", "count": 2},
        {"dyno": "web.1", "type": "web", "count": 1},
    ]
    web.refresh_from_db()
    assert web.quantity == 2  # the formation starts stopped dynos again, as on Heroku


def test_stopping_what_does_not_exist_is_404(api, operator, app, web):
    assert_error(api(operator, "POST", f"/apps/{app.name}/formations/worker/actions/stop"), 404, "not_found")
    assert_error(api(operator, "POST", f"/apps/{app.name}/dynos/web.7/actions/stop"), 404, "not_found")
    assert not events("dynos.stop")


def test_a_releases_config_vars_need_deploy_or_manage(api, team_admin, viewer, app):
    ReleaseFactory(app=app, version=1, config_vars={"A": "1"})
    ReleaseFactory(app=app, version=2, config_vars={"A": "2", "B": "x"})
    assert api(team_admin, "GET", f"/apps/{app.name}/releases/1/config-vars").json() == {"A": "1"}
    assert api(team_admin, "GET", f"/apps/{app.name}/releases/v2/config-vars").json() == {"A": "2", "B": "x"}
    assert_error(api(viewer, "GET", f"/apps/{app.name}/releases/1/config-vars"), 403, "forbidden")
    assert_error(api(team_admin, "GET", f"/apps/{app.name}/releases/9/config-vars"), 404, "not_found")


def test_a_system_release_names_a_schema_valid_system_account(api, viewer, app):
    ReleaseFactory(app=app, version=1, user=None)
    user = api(viewer, "GET", f"/apps/{app.name}/releases/1").json()["user"]
    assert uuid.UUID(user["id"]) and user["email"] == "system@accessctl.invalid"


def test_rollback_takes_a_release_id_only(api, team_admin, app):
    first = ReleaseFactory(app=app, version=1, config_vars={"A": "1"})
    ReleaseFactory(app=app, version=2, config_vars={"A": "2"})
    path = f"/apps/{app.name}/releases"
    assert_error(
        api(team_admin, "POST", path, {"release": "1"}), 422, "invalid_params", "'release' must be an id"
    )
    missing = str(uuid.uuid4())
    assert_error(api(team_admin, "POST", path, {"release": missing}), 404, "not_found")
    assert app.releases.count() == 2
    rolled = api(team_admin, "POST", path, {"release": str(first.public_id)})
    assert rolled.status_code == HTTPStatus.CREATED and rolled.json()["description"] == "Rollback to v1"
