"""The one way a page runs a change (``accessctl.web.changes``), and the template tag's strictness."""

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template
from django.test import RequestFactory

from accessctl.access.errors import Conflict
from accessctl.identity.models import User
from accessctl.identity.people import PersonField
from accessctl.web.changes import change


class InviteForm(forms.Form):
    user = PersonField(create=True)


@pytest.fixture
def request_as(db):
    def make(user):
        request = RequestFactory().post("/")
        request.user = user
        return request

    return make


def test_a_refused_change_takes_the_pending_account_its_form_made_with_it(request_as, team_admin):
    def refuse(**kwargs):
        assert kwargs["user"].email == "new@x.test"  # the form made the account inside the transaction
        raise Conflict("No room on this team.", field="user")

    form = InviteForm({"user": "new@x.test"})
    outcome = change(request_as(team_admin), refuse, form)
    assert not outcome and outcome.error.message == "No room on this team."
    assert form.errors == {"user": ["No room on this team."]}
    assert not User.objects.filter(email="new@x.test").exists()


def test_a_change_passes_the_form_and_the_view_arguments_and_keeps_its_result(request_as, team_admin):
    def accept(*, actor, origin, user, note):
        return (actor, origin.source, user.email, note)

    outcome = change(request_as(team_admin), accept, InviteForm({"user": "new@x.test"}), note="hi")
    assert outcome and outcome.result == (team_admin, "web", "new@x.test", "hi")
    assert User.objects.get(email="new@x.test").is_pending


def test_an_invalid_form_runs_nothing_and_names_the_field(request_as, team_admin):
    def never(**kwargs):
        raise AssertionError("the service must not run")

    outcome = change(request_as(team_admin), never, InviteForm({"user": "not-an-address"}))
    assert not outcome and outcome.error.field == "user"


def test_a_misspelt_permission_in_a_template_raises_in_strict_mode(request_as, team_admin, app):
    template = Template('{% load access %}{% can "apps.lock_ap" app as ok %}{{ ok }}')
    with pytest.raises(ImproperlyConfigured, match=r"apps\.lock_ap"):
        template.render(Context({"request": request_as(team_admin), "app": app}))
    good = Template('{% load access %}{% can "apps.lock_app" app as ok %}{{ ok }}')
    assert good.render(Context({"request": request_as(team_admin), "app": app})) == "True"
