"""Access reviews at a team's size (issue 13): the reviews list and a review's items are keyset pages, the bulk
actions act on every item, the reviewers are counted as the rules count, and the start form lists no apps.
"""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from accessctl.identity.models import User
from reviews.matrix import team_people_facts
from reviews.models import AccessReview
from reviews.selectors import may_review, review_items, reviewers_of
from reviews.services import review_start
from teams.models import Membership
from tests.factories import AppFactory, GrantFactory, UserFactory
from tests.paging import link, members, walk
from tests.reviewing import WEB

pytestmark = pytest.mark.django_db


# --- access reviews: the list and one review's items -----------------------------------------------------------


def reviewed(team, admin, count):
    members(team, count, prefix="r")
    for n in range(count // 2):
        GrantFactory(app=AppFactory(team=team, name=f"app-{n:03d}"), user=admin, permissions="view,deploy")
    return review_start(actor=admin, team=team, due_date=timezone.localdate(), origin=WEB)


def test_a_review_pages_its_items_in_the_reports_order(client_as, team, team_admin):
    review = reviewed(team, team_admin, 80)
    items = [
        str(pk)
        for pk in review.items.order_by("kind", "app_name", "email", "id").values_list("pk", flat=True)
    ]
    client = client_as(team_admin)
    pages, last = walk(client, f"/teams/acme/reviews/{review.pk}/", "item")
    assert [len(page) for page in pages] == [50, 50, 21]
    assert not set(pages[0]) & set(pages[1]) and [pk for page in pages for pk in page] == items
    assert "80 items undecided" in last and 'rel="prev"' in last and "Page 1 of" not in last


def test_keep_all_unflagged_and_close_act_on_every_item_not_the_page(client_as, team, team_admin):
    review = reviewed(team, team_admin, 80)
    User.objects.filter(email__startswith="r").update(last_login=timezone.now())  # their roles are unflagged
    client = client_as(team_admin)
    client.post(f"/teams/acme/reviews/{review.pk}/keep-unflagged/")
    kept = review.items.filter(kind="role", decision="keep").values_list("email", flat=True)
    assert set(kept) >= {f"r{n:03d}@acme.test" for n in range(80)}  # beyond the first page of 50
    review.items.filter(decision="").update(decision="keep")
    review.items.filter(email="r079@acme.test").update(decision="revoke")  # on the last page
    client.post(f"/teams/acme/reviews/{review.pk}/close/")
    review.refresh_from_db()
    assert not review.is_open and not Membership.objects.filter(user__email="r079@acme.test").exists()


@pytest.mark.parametrize("size", [6, 90])
def test_review_pages_cost_the_same_queries(client_as, django_assert_num_queries, team, team_admin, size):
    review = reviewed(team, team_admin, size)
    client = client_as(team_admin)
    after = link(client.get(f"/teams/acme/reviews/{review.pk}/").content.decode(), "next") or "?after=x"
    for query in ("", after, "?last=1"):
        # user, team, review, the page of items, their usage (3), the undecided count, the reviewers (4)
        with django_assert_num_queries(12):
            assert client.get(f"/teams/acme/reviews/{review.pk}/{query}").status_code == HTTPStatus.OK


def many_reviews(team, count):
    now = timezone.now()
    made = AccessReview.objects.bulk_create(
        AccessReview(
            team=team,
            due_date=timezone.localdate(),
            started_by_email="admin@acme.test",
            created_at=now - timedelta(minutes=n // 2),  # two reviews share each time: the id breaks ties
        )
        for n in range(count)
    )
    return [str(r.pk) for r in sorted(made, key=lambda r: (r.created_at, r.pk), reverse=True)]


def test_the_reviews_list_pages_newest_first(client_as, team, team_admin):
    made = many_reviews(team, 70)
    pages, _ = walk(client_as(team_admin), "/teams/acme/reviews/", "review")
    assert [len(page) for page in pages] == [50, 20]
    assert not set(pages[0]) & set(pages[1]) and [pk for page in pages for pk in page] == made


@pytest.mark.parametrize("size", [3, 70])
def test_the_reviews_list_costs_the_same_queries(
    client_as, django_assert_num_queries, team, team_admin, size
):
    many_reviews(team, size)
    client = client_as(team_admin)
    for query in ("", "?last=1"):
        # user, team, access, the page of reviews with their counts (the start form lists no apps)
        with django_assert_num_queries(4):
            assert client.get(f"/teams/acme/reviews/{query}").status_code == HTTPStatus.OK


def test_a_review_of_chosen_apps_names_them_instead_of_ticking_every_team_app(client_as, team, team_admin):
    for n in range(30):
        AppFactory(team=team, name=f"app-{n:03d}")
    client = client_as(team_admin)
    page = client.get("/teams/acme/reviews/").content.decode()
    assert 'type="checkbox"' not in page and "app-029" not in page and 'name="apps"' in page
    due = timezone.localdate().isoformat()
    refused = client.post("/teams/acme/reviews/", {"due_date": due, "apps": "app-001, nope app-x"})
    assert refused.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert (
        "No app named nope, app-x in acme." in refused.content.decode() and not AccessReview.objects.exists()
    )
    client.post("/teams/acme/reviews/", {"due_date": due, "apps": "app-003 app-001,app-003"})
    client.post("/teams/acme/reviews/", {"due_date": due, "apps": ["app-002", "app-004"]})
    assert [r.app_names for r in AccessReview.objects.order_by("id")] == [
        ["app-001", "app-003"],
        ["app-002", "app-004"],
    ]


def test_the_reviewers_are_counted_as_the_rules_count_every_item(team, team_admin, second_admin, app):
    people = members(team, 8, prefix="x")
    other = AppFactory(team=team, name="other")
    GrantFactory(app=app, user=people[0], permissions="view,manage")  # reviews app's grants, not their own
    GrantFactory(app=other, user=people[1], permissions="view,deploy")
    GrantFactory(app=other, user=people[2], permissions="view,manage")
    GrantFactory(
        app=app, user=UserFactory(email="outsider@x.test"), permissions="view,manage"
    )  # collaborator
    GrantFactory(app=app, user=team_admin, permissions="view,deploy")
    people[3].is_active = False
    people[3].save()
    Membership.objects.filter(user=people[4]).update(role="admin")
    review = review_start(actor=second_admin, team=team, due_date=timezone.localdate(), origin=WEB)
    review.items.filter(user=people[5]).update(decision="keep")
    items = list(review_items(review).filter(decision=""))
    expected = []
    for person in team_people_facts(team):
        count = sum(1 for item in items if may_review(person.facts, team, item))
        if count and person.is_active:
            expected.append((person.email, count))
    assert [(r.email, r.items) for r in reviewers_of(review)] == expected and len(expected) >= 4
