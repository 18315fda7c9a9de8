"""Range paging of the member list by e-mail: a Next-Range whose e-mail holds dots is read back."""

import pytest

from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_next_range_with_dotted_emails_pages_through_the_members(api, team, team_admin):
    for n in range(5):
        MembershipFactory(team=team, user=UserFactory(email=f"first.last{n}@acme.test"))
    first = api(team_admin, "GET", "/teams/acme/members", HTTP_RANGE="email ..; max=3")
    assert first.status_code == 206 and first["Next-Range"] == "email ]first.last1@acme.test..; max=3"
    rest = api(team_admin, "GET", "/teams/acme/members", HTTP_RANGE=first["Next-Range"])
    assert rest.status_code == 200
    assert [m["user"]["email"] for m in rest.json()] == [f"first.last{n}@acme.test" for n in (2, 3, 4)]
