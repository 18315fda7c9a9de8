"""What people see and do on the Access pages, in real Chromium: sign in, pencil edits, adds and removes."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def row_of(page: Page, site, email: str, prefix: str = "member"):
    return page.locator(f"#{prefix}-{site.people[email].pk}")


def focused_row(page: Page) -> str:
    return page.evaluate(
        "() => document.activeElement.closest('tr') && document.activeElement.closest('tr').id"
    )


def mark_document(page: Page) -> None:
    """A flag on window that a full page load would wipe: proves an edit happened in place."""
    page.evaluate("() => { window.stillTheSamePage = true; }")


def settle(page: Page) -> None:
    """Wait until htmx has no request in flight (a save also reloads the table behind the row)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def same_document(page: Page) -> bool:
    return page.evaluate("() => window.stillTheSamePage === true")


def test_sign_in_shows_my_access(site):
    page = site.tab()
    site.visit(page, "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email").fill("admin@acme.test")
    page.get_by_label("Password").fill("accessctl-demo")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your access")
    expect(page.locator("#team-acme")).to_contain_text("admin")
    expect(page.locator("#app-website-prod .lock")).to_be_visible()
    site.axe(page)


def test_pencil_edits_a_role_in_place_and_gives_focus_back(site):
    page = site.visit(site.tab("admin@acme.test"), "/teams/acme/access/")
    mark_document(page)
    # Escape cancels an edit and gives the focus back to the row's pencil.
    viewer = row_of(page, site, "viewer@acme.test")
    viewer.get_by_role("link", name="Edit role of viewer@acme.test").focus()
    page.keyboard.press("Enter")
    expect(viewer.get_by_label("Role of viewer@acme.test")).to_be_focused()
    settle(page)  # a person cannot press a key within htmx's 20 ms settle; a script can
    page.keyboard.press("Escape")
    expect(viewer.locator(".role")).to_have_text("viewer")
    expect(viewer.get_by_role("link", name="Edit role of viewer@acme.test")).to_be_focused()
    # Enter on the pencil, a new role, Enter on Save: the row changes in place and keeps the focus.
    row = row_of(page, site, "member@acme.test")
    settle(page)
    row.get_by_role("link", name="Edit role of member@acme.test").focus()
    page.keyboard.press("Enter")
    select = row.get_by_label("Role of member@acme.test")
    expect(select).to_be_focused()
    settle(page)
    site.axe(page)
    select.select_option("viewer")
    row.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    expect(row.locator(".role")).to_have_text("viewer")
    expect(page.locator("#live")).to_have_text("Changed role of member@acme.test from member to viewer.")
    expect(row).to_have_class(re.compile("saved"))
    expect(row.get_by_role("link", name="Edit role of member@acme.test")).to_be_focused()
    settle(page)
    assert focused_row(page) == f"member-{site.people['member@acme.test'].pk}"
    assert same_document(page)


def test_last_admin_row_shows_why_it_cannot_change(site):
    page = site.visit(site.tab("admin@acme.test"), "/teams/acme/access/")
    row = row_of(page, site, "admin@acme.test")
    expect(row.get_by_role("button", name="Edit role of admin@acme.test")).to_be_disabled()
    expect(row.get_by_role("button", name="Remove")).to_be_disabled()
    expect(row).to_contain_text("The last admin of acme: add another admin")
    expect(page.get_by_role("button", name="Leave team")).to_be_disabled()
    # Someone else's row still offers both.
    other = row_of(page, site, "viewer@acme.test")
    expect(other.get_by_role("link", name="Edit role of viewer@acme.test")).to_be_enabled()


def add_member(page: Page, email: str, role: str) -> None:
    page.get_by_text("Add member", exact=True).first.click()
    panel = page.locator("#add-member")
    panel.get_by_label("E-mail").fill(email)
    panel.get_by_label("Role").select_option(role)
    panel.get_by_role("button", name="Add member").click()


def add_flows(site, page: Page) -> None:
    site.visit(page, "/teams/acme/access/")
    add_member(page, "new@acme.test", "viewer")
    expect(page.locator(".messages")).to_have_text("Added new@acme.test to acme as viewer.")
    expect(page.locator("tr", has_text="new@acme.test")).to_contain_text("pending")
    site.axe(page)
    # An existing member: the page asks before changing the role, and says what it did.
    add_member(page, "member@acme.test", "admin")
    expect(page.locator("#confirm-role")).to_contain_text(
        "member@acme.test is already member; change to admin?"
    )
    site.axe(page)
    page.get_by_role("button", name="Change role to admin").click()
    expect(page.locator(".messages")).to_have_text("Changed role of member@acme.test from member to admin.")
    expect(row_of(page, site, "member@acme.test").locator(".role")).to_have_text("admin")
    add_member(page, "viewer@acme.test", "viewer")
    expect(page.locator(".messages")).to_have_text(
        "viewer@acme.test is already a member (viewer); nothing changed."
    )
    # A collaborator, on one app.
    page.get_by_text("Add collaborator", exact=True).first.click()
    panel = page.locator("#add-collaborator")
    panel.get_by_label("E-mail").fill("pal@partner.test")
    panel.get_by_label("App").fill("website-prod")  # the picker: a typed name, suggestions in a datalist
    panel.get_by_role("button", name="Add collaborator").click()
    expect(page.locator(".messages")).to_have_text("pal@partner.test can now view website-prod.")
    expect(page.locator("tr", has_text="pal@partner.test")).to_contain_text("collaborator")
    site.axe(page)


def remove_flow(site, page: Page) -> None:
    site.visit(page, "/teams/acme/access/")
    row_of(page, site, "member@acme.test").get_by_role("link", name="Remove member@acme.test").click()
    expect(page.locator("#remove-grants")).to_contain_text("website-staging")
    revoke = page.get_by_label("Also revoke these app permissions")
    expect(revoke).to_be_checked()
    site.axe(page)
    page.get_by_role("button", name="Remove member@acme.test").click()
    expect(page.locator(".messages")).to_have_text("Removed member@acme.test from acme.")
    expect(page.locator("#member-table")).not_to_contain_text("member@acme.test")
    site.axe(page)


def test_add_member_and_collaborator(site):
    add_flows(site, site.tab("admin@acme.test"))


def test_remove_member_with_their_grants(site):
    remove_flow(site, site.tab("admin@acme.test"))


def test_add_and_remove_without_javascript(site):
    page = site.tab("admin@acme.test", javascript=False)
    add_flows(site, page)
    remove_flow(site, page)


def test_app_access_pencil_edits_permissions_in_place(site):
    page = site.visit(site.tab("admin@acme.test"), "/apps/website-staging/access/")
    mark_document(page)
    row = row_of(page, site, "member@acme.test", "grant")
    expect(row.locator(".perms")).to_have_text("viewdeploy")
    row.get_by_role("link", name="Edit permissions of member@acme.test").click()
    operate = row.get_by_label("Operate")
    expect(row.get_by_label("View (always on)")).to_be_disabled()
    expect(row.get_by_label("Deploy")).to_be_focused()
    settle(page)
    site.axe(page)
    operate.check()
    row.get_by_role("button", name="Save").click()
    expect(row.locator(".perms")).to_have_text("viewdeployoperate")
    expect(page.locator("#live")).to_have_text("Updated the permissions of member@acme.test.")
    settle(page)
    expect(row.get_by_role("link", name="Edit permissions of member@acme.test")).to_be_focused()
    assert same_document(page)


def test_viewer_sees_no_pencil(site):
    page = site.visit(site.tab("viewer@acme.test"), "/teams/acme/access/")
    expect(page.locator("#member-table tbody tr")).to_have_count(4)
    expect(page.locator("[data-pencil]")).to_have_count(0)
    expect(page.get_by_text("Add member")).to_have_count(0)
    site.visit(page, "/apps/website-staging/access/")
    expect(page.locator("[data-pencil]")).to_have_count(0)


def test_collaborator_gets_not_found_on_team_access(site):
    page = site.tab("collab@partner.test")
    site.watch.allowed.append("/teams/acme/access/")  # the 404 document itself is logged by Chromium
    response = page.goto("/teams/acme/access/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    site.axe(page)
    site.visit(page, "/teams/acme/apps/")
    expect(page.locator("#app-website-staging")).to_be_visible()
    expect(page.locator("#app-test")).to_have_count(0)
