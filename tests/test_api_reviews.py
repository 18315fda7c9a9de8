"""The access-review API (SPEC 18): compliance tooling starts, decides and closes reviews."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.models import Grant
from reviews.models import AccessReview
from teams.models import Membership
from tests.api_client import assert_error
from tests.reviewing import item_of

pytestmark = pytest.mark.django_db
DUE = (timezone.localdate() + timedelta(days=7)).isoformat()


def test_a_review_end_to_end_through_the_api(api, team, team_admin, second_admin, member, collaborator, app):
    created = api(team_admin, "POST", "/teams/acme/access-reviews", {"due_date": DUE})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "open" and body["items"] == 4 and body["scope"] == {"apps": None}
    base = f"/teams/acme/access-reviews/{body['id']}"
    assert [r["id"] for r in api(member, "GET", "/teams/acme/access-reviews").json()] == [body["id"]]

    items = {(i["kind"], i["user"]["email"]): i for i in api(team_admin, "GET", f"{base}/items").json()}
    assert items[("role", "admin@acme.test")]["can_decide"] is False  # their own
    assert items[("grant", "collab@partner.test")]["usage"]["permissions"] == {"view": None}
    assert items[("grant", "collab@partner.test")]["usage"]["unused_90_days"] is True

    def decide(user, key, **data):
        return api(user, "PATCH", f"{base}/items/{items[key]['id']}", data)

    assert (
        decide(team_admin, ("role", "member@acme.test"), decision="reduce", role="viewer").status_code == 200
    )
    answer = decide(team_admin, ("grant", "collab@partner.test"), decision="revoke", note="left")
    assert answer.json()["decision"] == "revoke" and answer.json()["decided_by"] == "admin@acme.test"
    assert decide(team_admin, ("role", "admin2@acme.test"), decision="keep").status_code == 200
    assert_error(
        decide(team_admin, ("role", "admin@acme.test"), decision="keep"), 403, "forbidden", "your own"
    )
    assert_error(api(team_admin, "PATCH", base, {"status": "closed"}), 409, "conflict", "1 item(s)")
    assert decide(second_admin, ("role", "admin@acme.test"), decision="keep").status_code == 200

    closed = api(team_admin, "PATCH", base, {"status": "closed"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert Membership.objects.get(user=member).role == "viewer"
    assert not Grant.objects.filter(user=collaborator).exists()
    after = {i["user"]["email"]: i["change_applied"] for i in api(team_admin, "GET", f"{base}/items").json()}
    assert after["member@acme.test"] == "Role changed to viewer."


def test_start_for_chosen_apps_and_unknown_apps(api, team, team_admin, collaborator, app):
    body = api(team_admin, "POST", "/teams/acme/access-reviews", {"due_date": DUE, "apps": ["myapp"]}).json()
    assert body["scope"] == {"apps": ["myapp"]} and body["items"] == 1
    assert_error(api(team_admin, "POST", "/teams/acme/access-reviews", {"due_date": DUE, "apps": ["nope"]}),
                 404, "not_found", "nope")  # fmt: skip


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({}, "'due_date' is required"),
        ({"due_date": "next week"}, "'due_date' must be a date"),
        ({"due_date": DUE, "extra": 1}, "Unknown field 'extra'"),
        ({"due_date": "2001-01-01"}, "today or later"),
    ],
)
def test_bad_start_bodies_name_the_field(api, team, team_admin, data, text):
    assert_error(api(team_admin, "POST", "/teams/acme/access-reviews", data), 422, "invalid_params", text)
    assert not AccessReview.objects.exists()


def test_bad_decisions_and_patches(api, review, team_admin, member, manager, app):
    base = f"/teams/acme/access-reviews/{review.pk}"
    url = f"{base}/items/{item_of(review, manager, app).pk}"
    assert_error(api(team_admin, "PATCH", url, {"decision": "reduce", "permissions": ["view", "operate"]}),
                 422, "invalid_params", "fewer permissions")  # fmt: skip
    assert_error(api(team_admin, "PATCH", url, {"decision": "keep", "role": "viewer", "permissions": []}),
                 422, "invalid_params", "not both")  # fmt: skip
    assert_error(api(team_admin, "PATCH", base, {"status": "open"}), 422, "invalid_params", '"closed"')
    assert_error(api(member, "PATCH", base, {"status": "closed"}), 403, "forbidden")
    assert_error(api(member, "PATCH", url, {"decision": "keep"}), 403, "forbidden")
    answer = api(manager, "PATCH", f"{base}/items/{item_of(review, member).pk}", {"decision": "keep"})
    assert_error(answer, 403, "forbidden", "Only team admins review roles")


def test_collaborators_and_outsiders_get_not_found(api, review, collaborator, outsider):
    for user in (collaborator, outsider):
        assert_error(api(user, "GET", "/teams/acme/access-reviews"), 404, "not_found")
        assert_error(api(user, "GET", f"/teams/acme/access-reviews/{review.pk}/items"), 404, "not_found")
