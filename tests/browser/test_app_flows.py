"""Apps in real Chromium: Lock App and what members then see, a member's home, phone width, dark mode."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAIN_PAGES = [
    "/",
    "/teams/acme/apps/",
    "/teams/acme/access/",
    "/teams/acme/settings/",
    "/teams/acme/audit/",
    "/apps/website-staging/",
    "/apps/website-staging/access/",
    "/apps/website-staging/settings/",
    "/account/",
    "/help/permissions/",
]


# The outermost elements that stick out of the viewport (outside any scrolling box), to name the culprit.
WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest(".table-box"))
  .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + "." + [...e.classList].join(".")
                        + " " + Math.round(e.getBoundingClientRect().right))"""


def test_lock_app_hides_join_from_members_until_unlocked(site):
    admin = site.visit(site.tab("admin@acme.test"), "/apps/test/access/")
    member = site.visit(site.tab("member@acme.test"), "/teams/acme/apps/")
    expect(member.locator("#app-test").get_by_role("button", name="Join test")).to_be_visible()

    admin.get_by_role("button", name="Lock App").click()
    dialog = admin.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Lock test?")
    site.axe(admin)
    dialog.get_by_role("button", name="Confirm").click()
    expect(admin.locator("#lock-panel")).to_contain_text("Locked by admin@acme.test")
    expect(admin.locator("#live")).to_have_text("Locked test.")
    expect(admin.get_by_role("button", name="Unlock App")).to_be_focused()

    site.visit(admin, "/teams/acme/apps/")
    expect(admin.locator("#app-test .lock")).to_contain_text("(locked)")
    site.visit(member, "/teams/acme/apps/")
    expect(member.locator("#app-test .lock")).to_be_visible()
    expect(member.locator("#app-test").get_by_role("button", name="Join test")).to_have_count(0)

    site.visit(admin, "/apps/test/access/")
    admin.get_by_role("button", name="Unlock App").click()
    admin.locator("#confirm-dialog").get_by_role("button", name="Confirm").click()
    expect(admin.locator("#lock-panel")).to_contain_text("Unlocked")
    site.visit(member, "/teams/acme/apps/")
    expect(member.locator("#app-test").get_by_role("button", name="Join test")).to_be_visible()


def test_cancelling_the_lock_dialog_changes_nothing(site):
    admin = site.visit(site.tab("admin@acme.test"), "/apps/test/access/")
    admin.get_by_role("button", name="Lock App").click()
    admin.locator("#confirm-dialog").get_by_role("button", name="Cancel").click()
    expect(admin.locator("#lock-panel")).to_contain_text("Unlocked")
    admin.reload()
    expect(admin.locator("#lock-panel")).to_contain_text("Unlocked")


def test_member_home_lists_their_access(site):
    page = site.visit(site.tab("member@acme.test"), "/")
    expect(page.locator("#team-acme")).to_contain_text("member")
    staging = page.locator("#app-website-staging")
    expect(staging.locator(".perms")).to_have_text("viewdeploy")
    expect(staging).to_contain_text("grant")
    expect(page.locator("#app-myapp")).to_contain_text("team member view")
    site.visit(page, "/account/")
    expect(page.locator("#mfa")).to_contain_text("MFA off")


def test_phone_width_pages_fit_without_horizontal_scrolling(site):
    page = site.tab("admin@acme.test", viewport=PHONE)
    for path in MAIN_PAGES:
        site.visit(page, path)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        wide = page.evaluate(WIDER_THAN_THE_SCREEN) if width[0] > width[1] else []
        assert width[0] <= width[1], f"{path} is {width[0]}px wide at {width[1]}px: {wide}"
    # The team navigation is a menu above the content, not a column beside it.
    site.visit(page, "/teams/acme/access/")
    menu = page.get_by_role("navigation", name="Team").bounding_box()
    main = page.locator("main").bounding_box()
    assert menu["y"] + menu["height"] <= main["y"] + 1 and menu["width"] > 300


def test_dark_mode_pages_have_aa_contrast(site):
    page = site.tab("admin@acme.test", dark=True)
    for path in MAIN_PAGES:
        site.visit(page, path)
    site.visit(page, "/apps/website-staging/access/")
    page.locator("a[data-pencil]").first.click()
    expect(page.locator("tr.editing")).to_be_visible()
    site.axe(page)
