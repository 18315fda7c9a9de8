"""Access reviews through the services: scope, reviewers of each kind, self-review, closing applies the decisions."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accessctl.access.errors import Conflict, Invalid
from accessctl.models import AuditEvent
from apps.models import Grant
from apps.services import app_grant_update
from reviews.closing import review_close
from reviews.models import AccessReview
from reviews.selectors import item_rows
from reviews.services import SELF_REVIEW, review_item_decide, review_keep_unflagged, review_start
from teams.models import Membership
from tests.factories import AppFactory, GrantFactory
from tests.reviewing import WEB, item_of

pytestmark = pytest.mark.django_db


def decide(actor, item, decision, **kwargs):
    return review_item_decide(actor=actor, item=item, decision=decision, origin=WEB, **kwargs)


def test_start_makes_one_item_per_role_and_grant(
    review, team_admin, second_admin, member, viewer, manager, collaborator
):
    items = {
        (item.kind, item.email, item.app_name, item.role, tuple(item.perm_list))
        for item in review.items.all()
    }
    assert items == {
        ("role", "admin@acme.test", "", "admin", ()),
        ("role", "admin2@acme.test", "", "admin", ()),
        ("role", "member@acme.test", "", "member", ()),
        ("role", "viewer@acme.test", "", "viewer", ()),
        ("role", "manager@acme.test", "", "member", ()),
        ("grant", "manager@acme.test", "myapp", "", ("view", "deploy", "manage")),
        ("grant", "collab@partner.test", "myapp", "", ("view",)),
    }
    event = AuditEvent.objects.get(action="review.start")
    assert event.after["items"] == 7 and event.actor == team_admin


def test_start_with_chosen_apps_reviews_only_their_grants(team, team_admin, app, collaborator, member):
    other = AppFactory(team=team, name="other")
    GrantFactory(app=other, user=member, permissions="view,deploy")
    review = review_start(
        actor=team_admin, team=team, due_date=timezone.localdate(), apps=[other], origin=WEB
    )
    assert [(item.kind, item.email, item.app_name) for item in review.items.all()] == [
        ("grant", "member@acme.test", "other")
    ]
    assert review.scope_label == "Grants on other"


def test_only_admins_start_reviews_and_not_in_the_past(team, team_admin, member):
    with pytest.raises(PermissionDenied):
        review_start(actor=member, team=team, due_date=timezone.localdate(), origin=WEB)
    with pytest.raises(Invalid) as refused:
        review_start(
            actor=team_admin, team=team, due_date=timezone.localdate() - timedelta(days=1), origin=WEB
        )
    assert refused.value.field == "due_date" and not AccessReview.objects.exists()


@pytest.mark.parametrize(
    ("reviewer", "subject", "on_app", "allowed"),
    [
        ("team_admin", "member", False, True),  # admins review roles
        ("manager", "member", False, False),  # manage holders do not review roles
        ("viewer", "member", False, False),
        ("team_admin", "collaborator", True, True),  # admins review grants
        ("manager", "collaborator", True, True),  # so do the app's manage holders
        ("member", "collaborator", True, False),  # a member without manage does not
        ("second_admin", "manager", True, True),
    ],
)
def test_reviewers_of_each_kind(request, review, app, reviewer, subject, on_app, allowed):
    actor, person = request.getfixturevalue(reviewer), request.getfixturevalue(subject)
    item = item_of(review, person, app if on_app else None)
    if allowed:
        assert decide(actor, item, "keep").decided_by == actor
    else:
        with pytest.raises(PermissionDenied):
            decide(actor, item, "keep")
    [row] = item_rows(review, actor, [item])
    assert row.can_decide is allowed


@pytest.mark.parametrize(("who", "on_app"), [("team_admin", False), ("manager", True)])
def test_nobody_reviews_their_own_access(request, review, app, who, on_app):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match=SELF_REVIEW):
        decide(actor, item_of(review, actor, app if on_app else None), "keep")


def test_reduce_must_reduce_and_names_the_field(review, team_admin, member, manager, app):
    with pytest.raises(Invalid) as role:
        decide(team_admin, item_of(review, member), "reduce", role="admin")
    assert role.value.field == "role"
    with pytest.raises(Invalid) as perms:
        decide(team_admin, item_of(review, manager, app), "reduce", permissions=["view", "operate"])
    assert perms.value.field == "permissions"
    with pytest.raises(Invalid) as bad:
        decide(team_admin, item_of(review, member), "maybe")
    assert bad.value.field == "decision"


def test_closing_with_undecided_items_is_refused_and_changes_nothing(review, team_admin, member, viewer):
    decide(team_admin, item_of(review, viewer), "revoke")
    with pytest.raises(Conflict, match="6 item"):
        review_close(actor=team_admin, review=review, origin=WEB)
    assert Membership.objects.filter(user=viewer).exists()
    assert AccessReview.objects.get().status == "open"


def test_closing_applies_exactly_the_decisions(
    review, team, team_admin, second_admin, member, viewer, manager, collaborator, app
):
    decide(second_admin, item_of(review, team_admin), "keep")
    decide(team_admin, item_of(review, second_admin), "keep")
    decide(team_admin, item_of(review, member), "reduce", role="viewer", note="only reads")
    decide(team_admin, item_of(review, viewer), "revoke")
    decide(team_admin, item_of(review, manager), "keep")
    decide(second_admin, item_of(review, manager, app), "reduce", permissions=["view", "deploy"])
    decide(manager, item_of(review, collaborator, app), "revoke", note="contract ended")
    before = AuditEvent.objects.count()

    review_close(actor=team_admin, review=review, origin=WEB)

    roles = dict(Membership.objects.filter(team=team).values_list("user__email", "role"))
    assert roles == {
        "admin@acme.test": "admin", "admin2@acme.test": "admin", "member@acme.test": "viewer",
        "manager@acme.test": "member",
    }  # fmt: skip
    grants = {g.user.email: g.perm_list for g in Grant.objects.filter(app=app)}
    assert grants == {"manager@acme.test": ["view", "deploy"]}
    applied = AuditEvent.objects.filter(source="review").order_by("id")
    assert sorted((e.action, e.target_email) for e in applied) == [
        ("grant.remove", "collab@partner.test"),
        ("grant.update", "manager@acme.test"),
        ("member.remove", "viewer@acme.test"),
        ("member.role_change", "member@acme.test"),
    ]
    assert AuditEvent.objects.count() == before + 4 + 1  # one per change, one for the closing
    review.refresh_from_db()
    assert review.status == "closed" and review.closed_by == team_admin
    assert item_of(review, member).change_applied == "Role changed to viewer."
    assert item_of(review, team_admin).change_applied == "No change (kept)."
    with pytest.raises(Conflict):
        decide(team_admin, item_of(review, member), "keep")


def test_a_review_that_would_leave_no_admin_is_refused_naming_the_item(
    review, team, team_admin, second_admin, member, viewer, manager, collaborator, app
):
    decide(second_admin, item_of(review, team_admin), "revoke")
    decide(team_admin, item_of(review, second_admin), "reduce", role="member")
    for item in review.items.filter(decision=""):
        decide(team_admin if item.user != team_admin else second_admin, item, "keep")
    with pytest.raises(Conflict) as refused:
        review_close(actor=team_admin, review=review, origin=WEB)
    assert refused.value.message == (
        "Closing would leave acme without an admin: the decision on admin@acme.test (admin role). Change it to keep."
    )
    assert Membership.objects.filter(team=team, role="admin").count() == 2
    assert not AuditEvent.objects.filter(source="review").exists()


def test_changes_made_while_the_review_is_open_show_on_the_item(review, team_admin, manager, app):
    app_grant_update(actor=team_admin, app=app, user=manager, permissions=["view"], origin=WEB)
    [row] = item_rows(review, team_admin, [item_of(review, manager, app)])
    assert len(row.usage.changes) == 1
    assert (
        "Permissions changed on myapp by admin@acme.test: view, deploy, manage → view" in row.usage.changes[0]
    )
    [role_row] = item_rows(review, team_admin, [item_of(review, manager)])
    assert role_row.usage.changes == ()


def test_keep_all_unflagged_keeps_only_unflagged_items_the_reviewer_may_decide(
    review, team_admin, manager, app
):
    AuditEvent.objects.create(action="config.update", source="web", actor=manager, actor_label=manager.email,
                              team=review.team, app=app)  # fmt: skip
    AuditEvent.objects.create(action="grant.add", source="web", actor=manager, actor_label=manager.email,
                              team=review.team, app=app)  # fmt: skip
    kept = review_keep_unflagged(actor=manager, review=review, origin=WEB)
    assert kept == []  # the collaborator's view-only grant: never signed in, so flagged
    kept = review_keep_unflagged(actor=team_admin, review=review, origin=WEB)
    assert [(item.email, item.kind) for item in kept] == [("manager@acme.test", "grant")]
    assert AuditEvent.objects.filter(action="review.decide").count() == 2


def test_the_only_admins_role_is_kept_at_start_so_the_review_can_close(team, team_admin, member):
    review = review_start(actor=team_admin, team=team, due_date=timezone.localdate(), origin=WEB)
    own = item_of(review, team_admin)
    assert own.decision == "keep" and own.decided_by is None and "team's only admin" in own.note
    assert item_of(review, member).decision == ""
    decide(team_admin, item_of(review, member), "keep")
    assert review_close(actor=team_admin, review=review, origin=WEB).status == "closed"
