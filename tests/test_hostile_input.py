"""Hostile input on every entry point: each answer is a clear 4xx naming the field, nothing is written, and
markup renders escaped. (Body size, nesting and field-count limits: tests/test_limits.py.)"""

from __future__ import annotations

import csv
import io
from http import HTTPStatus

import pytest
from django.core.management import CommandError, call_command

from accessctl.access.errors import Invalid
from accessctl.identity.people import clean_email
from accessctl.models import AuditEvent, User
from apps.models import App, Grant, Release
from teams.models import Membership
from tests.api_client import assert_error
from tests.factories import ReleaseFactory

LOOK_ALIKE = [
    pytest.param(
        "mallory@\u0430cme.test", "mixes letters of different alphabets (Cyrillic and Latin)", id="cyrillic-a"
    ),
    pytest.param("mallory@\u0430\u0441m\u0435.test", "mixes letters", id="mixed-in-one-label"),
    pytest.param("mallory@\u0430\u0441\u043c\u0435.test", "imitates acme.test", id="all-cyrillic"),
    pytest.param("mallory@\u03b1cme.test", "mixes letters", id="greek-alpha"),
]
MALFORMED = [
    pytest.param("not-an-address", id="no-at"),
    pytest.param("a@b@acme.test", id="two-ats"),
    pytest.param("@acme.test", id="no-local-part"),
    pytest.param("x" * 250 + "@acme.test", id="over-long"),
    pytest.param("a b@acme.test", id="space"),
    pytest.param("evil\u202e@acme.test", id="rtl-override"),
    pytest.param("evil\x00@acme.test", id="nul"),
    pytest.param("<script>@acme.test", id="markup"),
]


def _written():
    return (
        User.objects.count(),
        Membership.objects.count(),
        Grant.objects.count(),
        AuditEvent.objects.count(),
    )


# --- e-mail addresses ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("email", "why"), LOOK_ALIKE)
def test_the_reason_names_the_imitation_or_the_mixed_alphabets(team_admin, email, why):
    with pytest.raises(Invalid) as refused:
        clean_email(email)
    assert why in refused.value.message and refused.value.field == "email"


@pytest.mark.parametrize(("email", "why"), LOOK_ALIKE)
def test_a_look_alike_address_is_refused_on_the_page(client_as, team_admin, email, why):
    before = _written()
    answer = client_as(team_admin).post("/teams/acme/access/add-member/", {"user": email, "role": "member"})
    assert answer.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "its domain" in answer.content.decode() and "is refused" in answer.content.decode()
    assert _written() == before


@pytest.mark.parametrize(("email", "why"), LOOK_ALIKE)
def test_a_look_alike_address_is_refused_by_the_api(api, team_admin, app, email, why):
    api(team_admin, "GET", "/account")
    before = _written()
    answer = api(team_admin, "PUT", "/teams/acme/members", {"email": email, "role": "member"})
    assert_error(answer, 422, "invalid_params", "The email is refused: its domain")
    answer = api(
        team_admin, "POST", "/teams/apps/myapp/collaborators", {"user": email, "permissions": ["view"]}
    )
    assert_error(answer, 422, "invalid_params", "The user is refused: its domain")
    assert _written() == before


def test_a_look_alike_address_is_refused_by_the_commands(team, team_admin):
    before = _written()
    with pytest.raises(CommandError, match=r"its domain .* mixes letters"):
        call_command(
            "members",
            "add",
            "mallory@\u0430cme.test",
            "--team",
            "acme",
            "--role",
            "member",
            stdout=io.StringIO(),
        )
    assert _written() == before


def test_sign_up_refuses_a_look_alike_address(client, team_admin, settings):
    settings.ACCOUNT_ALLOW_REGISTRATION = True
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"  # sign-up opens only with it (no account enumeration)
    answer = client.post(
        "/accounts/signup/",
        {
            "email": "mallory@\u0430cme.test",
            "password1": "A-long-pass-phrase-9",
            "password2": "A-long-pass-phrase-9",
        },
    )
    assert (
        answer.status_code == HTTPStatus.OK
        and "mixes letters of different alphabets" in answer.content.decode()
    )
    assert not User.objects.filter(email__contains="mallory").exists()


@pytest.mark.parametrize("email", MALFORMED)
def test_a_malformed_address_is_refused_naming_the_field(api, team_admin, email):
    api(team_admin, "GET", "/account")
    before = _written()
    answer = api(team_admin, "PUT", "/teams/acme/members", {"email": email, "role": "member"})
    assert_error(answer, 422, "invalid_params", "email")
    assert answer["Content-Type"].startswith("application/vnd.heroku+json")  # JSON, never rendered as HTML
    assert _written() == before


@pytest.mark.parametrize("email", MALFORMED)
def test_a_malformed_address_is_refused_on_the_page_and_shown_escaped(client_as, team_admin, email):
    before = _written()
    answer = client_as(team_admin).post("/teams/acme/access/add-member/", {"user": email, "role": "member"})
    assert answer.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert b'id="add-member-user_error"' in answer.content and b"<script>@" not in answer.content
    assert _written() == before


@pytest.mark.parametrize(
    ("typed", "account"),
    [
        ("ADMIN@ACME.TEST", "admin@acme.test"),
        ("  Admin@Acme.Test ", "admin@acme.test"),
        ("\uff41dmin@acme.test", "admin@acme.test"),
    ],  # full-width a
    ids=["upper", "spaces", "full-width"],
)
def test_case_and_width_variants_are_the_same_account(team_admin, typed, account):
    assert clean_email(typed) == account


def test_an_address_on_a_genuine_non_latin_domain_is_accepted(db):
    assert clean_email("ivan@\u043f\u0440\u0438\u043c\u0435\u0440.test") == "ivan@пример.test"


# --- names and free text ------------------------------------------------------------------------------------

HOSTILE_TEXT = [
    pytest.param("<img src=x onerror=alert(1)>", id="markup"),
    pytest.param("release\u202egnp.exe", id="rtl-override"),
    pytest.param("bell\x07", id="control"),
]


@pytest.mark.parametrize("name", ["<b>shop</b>", "Shop", "sh", "x" * 31, "shop\u202e", "sh op", "ѕhop"])  # noqa: RUF001
def test_an_app_name_outside_the_rule_is_refused_naming_it(client_as, team_admin, app, name):
    before = App.objects.values_list("name", flat=True).get(pk=app.pk)
    answer = client_as(team_admin).post("/apps/myapp/settings/rename/", {"name": name})
    assert answer.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert b"lowercase letters" in answer.content or b"at most 30 characters" in answer.content
    assert b"<b>shop</b>" not in answer.content
    assert App.objects.values_list("name", flat=True).get(pk=app.pk) == before


@pytest.mark.parametrize("text", HOSTILE_TEXT[1:])
def test_a_release_description_with_hidden_characters_is_refused(api, team_admin, app, text):
    api(team_admin, "GET", "/account")
    releases = Release.objects.count()
    answer = client_for(team_admin).post("/apps/myapp/deploy/", {"description": text}, HTTP_HX_REQUEST="true")
    assert answer.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "text-direction characters" in answer["X-Error-Message"]
    assert Release.objects.count() == releases


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_markup_in_a_release_description_renders_escaped(client_as, team_admin, app):
    ReleaseFactory(app=app, description="<img src=x onerror=alert(1)>")
    page = client_as(team_admin).get("/apps/myapp/").content
    assert b"<img src=x onerror" not in page and b"&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize("name", ["<b>laptop</b>", "laptop\u202e", "laptop\x1b[31m"])
def test_token_names_refuse_hidden_characters_and_escape_markup(client_as, team_admin, name):
    client = client_as(team_admin)
    answer = client.post("/account/tokens/", {"name": name}, follow=True)
    body = answer.content.decode()
    if name.startswith("<b>"):
        assert "&lt;b&gt;laptop&lt;/b&gt;" in body and "<b>laptop</b>" not in body
    else:
        assert "text-direction characters" in body
        assert not team_admin.api_tokens.exists()


# --- JSON bodies through the routes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "method", "raw", "field"),
    [
        ("/teams/acme/members", "PUT", '{"email": "a@acme.test", "role": "member", "admin": true}', "admin"),
        ("/teams/acme/members", "PUT", '{"email": ["a@acme.test"], "role": "member"}', "email"),
        ("/teams/acme/members", "PUT", '{"email": "a@acme.test", "role": 1}', "role"),
        (
            "/teams/acme/members",
            "PUT",
            '{"email": "a@acme.test", "email": "b@acme.test", "role": "member"}',
            "email",
        ),
        ("/apps/myapp", "PATCH", '{"name": {"$ne": null}}', "name"),
        ("/apps/myapp", "PATCH", '{"maintenance": "yes"}', "maintenance"),
        ("/apps/myapp/config-vars", "PATCH", '{"KEY": ["a"]}', "KEY"),
        ("/apps/myapp/config-vars", "PATCH", '{"<script>": "x"}', "config var name"),
        ("/apps/myapp/formation", "PATCH", '{"updates": {"type": "web"}}', "updates"),
        ("/teams/apps/myapp", "PATCH", '{"locked": "true"}', "locked"),
        ("/teams/apps/myapp", "PATCH", '[{"locked": true}]', "object"),
    ],
)
def test_wrong_json_is_a_422_naming_the_field_and_writes_nothing(
    api, team_admin, app, path, method, raw, field
):
    api(team_admin, "GET", "/account")
    before = (*_written(), list(App.objects.values_list("name", "locked", "maintenance")))
    answer = api(team_admin, method, path, raw=raw)
    assert answer.status_code in (400, 422), answer.content
    assert field in answer.json()["message"], answer.json()
    assert (*_written(), list(App.objects.values_list("name", "locked", "maintenance"))) == before


@pytest.mark.parametrize("raw", ["{", "nul", '{"a": 1}}', "\xff\xfe"])
def test_malformed_json_is_a_400(api, team_admin, app, raw):
    assert_error(api(team_admin, "PATCH", "/apps/myapp", raw=raw), 400, "bad_request", "not valid JSON")


# --- CSV and the support console ----------------------------------------------------------------------------


def test_formula_cells_in_the_audit_csv_are_neutralised(api, client_as, team_admin, app):
    api(team_admin, "PATCH", "/apps/myapp/config-vars", {"CMD": "x"})
    Membership.objects.filter(user=team_admin)  # the admin's own name below is the payload
    User.objects.filter(pk=team_admin.pk).update(name='=HYPERLINK("http://evil.test","click")')
    api(team_admin, "PATCH", "/apps/myapp/config-vars", {"OTHER": "y"})
    answer = client_as(team_admin).get("/teams/acme/audit/?format=csv")
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell[:1] in ("=", "+", "-", "@") for cell in cells), cells


def test_the_support_console_search_escapes_markup(client, team_admin, admin_user):
    client.force_login(admin_user)
    answer = client.get("/admin/accessctl/user/", {"q": "<script>alert(1)</script>"})
    assert answer.status_code == HTTPStatus.OK
    assert b"<script>alert(1)</script>" not in answer.content


@pytest.mark.parametrize(
    "data",
    [{"permissions": ["root"]}, {"permissions": ["view", "<script>"]}, {"permissions": "view" * 5000}],
    ids=["unknown", "markup", "long"],
)
def test_a_hostile_pencil_save_answers_the_form_with_its_error_and_changes_nothing(
    client_as, team_admin, app, collaborator, data
):
    before = list(Grant.objects.values_list("user_id", "permissions"))
    answer = client_as(team_admin).post(
        f"/apps/myapp/access/{collaborator.pk}/edit/", data, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code in (HTTPStatus.OK, HTTPStatus.UNPROCESSABLE_ENTITY)
    assert b"errorlist" in answer.content and b"<script>" not in answer.content
    assert list(Grant.objects.values_list("user_id", "permissions")) == before
