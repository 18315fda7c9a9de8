"""The README's screenshots (``make screenshots``): the main pages with the demo data, into docs/screenshots/.

Deselected from the normal run (see conftest); each shot is also an axe-checked visit.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accessctl.audit.log import COMMAND
from accessctl.identity.models import User
from reviews.services import review_start
from teams.models import Team
from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.screenshots, pytest.mark.django_db(transaction=True)]
OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shot(page, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"))


def test_screenshots(site):
    admin = site.tab("admin@acme.test")
    site.visit(admin, "/teams/acme/access/")
    shot(admin, "team-access")
    admin.get_by_role("link", name="Edit role of member@acme.test").click()
    expect(admin.locator("tr.editing")).to_be_visible()
    admin.mouse.move(0, 0)
    shot(admin, "pencil-edit")
    site.visit(admin, "/apps/website-staging/access/")
    shot(admin, "app-access")
    site.visit(admin, "/teams/acme/apps/")
    shot(admin, "team-apps-locked")
    site.visit(admin, "/apps/test/access/")
    admin.get_by_role("button", name="Lock App").click()
    admin.locator("#confirm-dialog").get_by_role("button", name="Confirm").click()
    expect(admin.locator("#lock-panel")).to_contain_text("Locked by")
    site.visit(admin, "/teams/acme/audit/")
    shot(admin, "audit-log")
    member = site.tab("member@acme.test")
    site.visit(member, "/")
    shot(member, "home")
    site.visit(admin, "/teams/acme/matrix/")
    shot(admin, "access-matrix")
    review = review_start(
        actor=User.objects.get(email="admin@acme.test"),
        team=Team.objects.get(name="acme"),
        due_date=timezone.localdate() + timedelta(days=14),
        origin=COMMAND,
    )
    site.visit(admin, f"/teams/acme/reviews/{review.pk}/")
    shot(admin, "access-review")
    phone = site.tab("admin@acme.test", viewport=PHONE)
    site.visit(phone, "/teams/acme/access/")
    shot(phone, "phone-team-access")
