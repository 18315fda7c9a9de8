"""Access reviews in the browser (no JavaScript): start, decide, keep unflagged, close, evidence report and CSV."""

import csv
import io
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from accessctl.models import AuditEvent
from apps.models import Grant
from reviews.models import AccessReview
from reviews.services import review_start
from teams.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.reviewing import WEB, item_of

pytestmark = pytest.mark.django_db


def decide(client, review, item, decision, **fields):
    data = {f"item-{item.pk}-decision": decision, **{f"item-{item.pk}-{k}": v for k, v in fields.items()}}
    return client.post(f"/teams/acme/reviews/{review.pk}/items/{item.pk}/", data)


def test_an_admin_runs_a_review_end_to_end(
    client_as, team, team_admin, second_admin, member, collaborator, app
):
    admin = client_as(team_admin)
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = admin.post("/teams/acme/reviews/", {"due_date": due})
    review = AccessReview.objects.get()
    assert (
        response.status_code == HTTPStatus.FOUND
        and response["Location"] == f"/teams/acme/reviews/{review.pk}/"
    )
    page = admin.get(response["Location"]).content.decode()
    assert f'id="item-{item_of(review, member).pk}"' in page and "Last sign-in: never" in page
    assert (
        f'action="/teams/acme/reviews/{review.pk}/items/{item_of(review, team_admin).pk}/"' not in page
    )  # own

    assert (
        decide(admin, review, item_of(review, member), "reduce", role="viewer", note="reads only").status_code
        == 302
    )
    assert decide(admin, review, item_of(review, collaborator, app), "revoke").status_code == 302
    assert decide(admin, review, item_of(review, second_admin), "keep").status_code == 302
    refused = admin.post(f"/teams/acme/reviews/{review.pk}/close/", follow=True).content.decode()
    assert "1 item(s) are still undecided" in refused
    decide(client_as(second_admin), review, item_of(review, team_admin), "keep")
    closed = admin.post(f"/teams/acme/reviews/{review.pk}/close/", follow=True).content.decode()
    assert "Review closed" in closed
    assert Membership.objects.get(user=member).role == "viewer"
    assert not Grant.objects.filter(user=collaborator).exists()

    report = admin.get(f"/teams/acme/reviews/{review.pk}/report/").content.decode()
    assert "css/print.css" in report and 'media="print"' in report
    assert "All team roles and app grants" in report
    row = report.split(f'id="evidence-{item_of(review, member).pk}"')[1].split("</tr>")[0]
    assert "admin@acme.test" in row and "reduce to viewer" in row and "reads only" in row
    assert "Role changed to viewer." in row

    response = admin.get(f"/teams/acme/reviews/{review.pk}/report/?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {(r["person"], r["decision"], r["reviewer"], r["change_applied"]) for r in rows} == {
        ("admin@acme.test", "keep", "admin2@acme.test", "No change (kept)."),
        ("admin2@acme.test", "keep", "admin@acme.test", "No change (kept)."),
        ("member@acme.test", "reduce to viewer", "admin@acme.test", "Role changed to viewer."),
        ("collab@partner.test", "revoke", "admin@acme.test", "Access to myapp revoked."),
    }
    assert all(r["status"] == "closed" and r["closed_by"] == "admin@acme.test" for r in rows)
    assert AuditEvent.objects.filter(source="review").count() == 2


def test_a_bad_decision_shows_the_form_again_naming_the_field(client_as, review, team_admin, member):
    response = decide(client_as(team_admin), review, item_of(review, member), "reduce", role="admin")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "role: Pick a role below member" in response.content.decode()


def test_self_review_through_the_page_is_forbidden(client_as, review, team_admin):
    response = decide(client_as(team_admin), review, item_of(review, team_admin), "keep")
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_start_form_errors_name_the_field(client_as, team, team_admin):
    response = client_as(team_admin).post("/teams/acme/reviews/", {"due_date": "2001-01-01"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "The due date must be today or later." in response.content.decode()


@pytest.mark.parametrize("who", ["member", "viewer"])
def test_members_and_viewers_read_reviews_but_cannot_start_or_close(request, client_as, review, who):
    client = client_as(request.getfixturevalue(who))
    assert "Start a review" not in client.get("/teams/acme/reviews/").content.decode()
    assert client.get(f"/teams/acme/reviews/{review.pk}/").status_code == HTTPStatus.OK
    assert client.post("/teams/acme/reviews/", {"due_date": "2099-01-01"}).status_code == HTTPStatus.FORBIDDEN
    assert client.post(f"/teams/acme/reviews/{review.pk}/close/").status_code == HTTPStatus.FORBIDDEN


def test_keep_all_unflagged_button(client_as, review, team_admin, member):
    member.last_login = timezone.now()
    member.save()
    page = client_as(team_admin).post(f"/teams/acme/reviews/{review.pk}/keep-unflagged/", follow=True)
    assert "Kept 1 unflagged item(s)." in page.content.decode()
    assert item_of(review, member).decision == "keep"


@pytest.mark.parametrize("size", [2, 12])
def test_review_page_costs_the_same_queries_whatever_the_size(client_as, django_assert_num_queries, team,
                                                               team_admin, size):  # fmt: skip
    for n in range(size):
        MembershipFactory(team=team, user=UserFactory(email=f"p{n}@acme.test"))
    review = review_start(actor=team_admin, team=team, due_date=timezone.localdate(), origin=WEB)
    client = client_as(team_admin)
    with django_assert_num_queries(12):
        assert client.get(f"/teams/acme/reviews/{review.pk}/").status_code == HTTPStatus.OK
