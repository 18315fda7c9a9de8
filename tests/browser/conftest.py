"""Browser tests: Debian's Chromium driven by Playwright against a live server loaded with the demo data.

Every page a flow opens is checked with axe-core (from npm, in ``.cache/axe``; ``make browser`` installs it)
and must show no violation. The pages run under the project's own Content-Security-Policy (django-csp: scripts
from 'self' with the request's nonce, styles from 'self', nothing inline; every visited page must send it), and a
flow fails on any console error, page error or CSP violation. Nothing is downloaded: Chromium is
``/usr/bin/chromium`` from apt.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

# Playwright's sync API keeps an event loop on the test thread; Django's ORM calls from the test itself
# (the demo data, sessions) are still plain synchronous calls on that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from accessctl.models import User

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parents[2] / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# What every page's own Content-Security-Policy header must say (accessctl/settings.py sends it).
CSP_MUST = ("default-src 'self'", "script-src 'self' 'nonce-", "style-src 'self'", "object-src 'none'")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "accessctl-demo"

# Reports CSP violations as console errors, so the console watcher catches them on every page.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def pytest_collection_modifyitems(config, items):
    """``screenshots`` tests write docs/screenshots/ and run only for ``make screenshots`` (SCREENSHOTS=1)."""
    if os.environ.get("SCREENSHOTS"):
        return
    kept = [item for item in items if "screenshots" not in item.keywords]
    deselected = [item for item in items if "screenshots" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(scope="session")
def browser() -> Any:
    if not Path(CHROMIUM).exists() or not AXE.exists():
        pytest.fail("Chromium or axe-core is missing: run `make browser` (apt chromium, npm axe-core).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def demo(transactional_db):
    """The demo data of SPEC section 15 (teams acme and acme-widgets, four apps, five people)."""
    call_command("demo", stdout=io.StringIO())
    return {user.email: user for user in User.objects.all()}


@dataclass
class Watch:
    """What went wrong in the browser while a flow ran: console errors, page errors, CSP violations."""

    problems: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        text = message.text
        bad = message.type == "error" or "not connected" in text  # "Form submission canceled ..."
        if bad and not any(
            allowed in text or allowed in (message.location or {}).get("url", "") for allowed in self.allowed
        ):
            self.problems.append(f"console {message.type}: {text} ({message.location.get('url', '')})")


@dataclass
class Site:
    """A signed-in browser tab against the live server, with axe and the watchers attached."""

    browser: Browser
    base_url: str
    people: dict[str, User]
    contexts: list[BrowserContext] = field(default_factory=list)
    watch: Watch = field(default_factory=Watch)
    checked: list[str] = field(default_factory=list)
    without_js: list[Page] = field(default_factory=list)
    scratch: Page | None = None

    def tab(
        self,
        email: str | None = None,
        *,
        javascript: bool = True,
        viewport: dict[str, int] = DESKTOP,
        dark: bool = False,
    ) -> Page:
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport=viewport,
            java_script_enabled=javascript,
            color_scheme="dark" if dark else "light",
            reduced_motion="reduce",
        )
        context.set_default_timeout(15_000)
        context.add_init_script(script=CSP_WATCH)
        if email is not None:
            client = Client()
            client.force_login(self.people[email])
            cookie = client.cookies["sessionid"]
            context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": self.base_url}])
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self.watch.console)
        page.on("pageerror", lambda error: self.watch.problems.append(f"page error: {error}"))
        if not javascript:
            self.without_js.append(page)
        return page

    def visit(self, page: Page, path: str) -> Page:
        response = page.goto(path)
        policy = response.headers.get("content-security-policy", "") if response else ""
        assert all(part in policy for part in CSP_MUST), f"{path}: Content-Security-Policy {policy!r}"
        self.axe(page)
        return page

    def axe(self, page: Page) -> None:
        """Run axe-core on the page as it is now; fail on any violation, naming the rule and the elements.

        axe needs timers, which do not run in a tab without JavaScript: such a page's HTML is checked in a
        scratch tab (JavaScript on, same origin, so the stylesheet applies).
        """
        target = page
        if page in self.without_js:
            if self.scratch is None:
                self.scratch = self.browser.new_context(
                    base_url=self.base_url, viewport=page.viewport_size
                ).new_page()
                self.contexts.append(self.scratch.context)
            self.scratch.goto("/help/permissions/")
            self.scratch.set_content(page.content())
            target = self.scratch
        if not target.evaluate("() => typeof window.axe !== 'undefined'"):
            target.evaluate(
                AXE.read_text()
            )  # evaluated over the DevTools protocol: not subject to the page's CSP
        violations = target.evaluate(
            """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(
                 v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}))"""
        )
        self.checked.append(page.url)
        assert not violations, f"axe on {page.url}:\n{json.dumps(violations, indent=1)}"


@pytest.fixture
def site(browser, live_server, demo):
    site = Site(browser=browser, base_url=live_server.url, people=demo)
    yield site
    for context in site.contexts:
        context.close()
    assert not site.watch.problems, "\n".join(site.watch.problems)
