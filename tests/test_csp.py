"""Content-Security-Policy: every page is served with a nonce-based policy and carries nothing inline.

Every page of the dashboard (each GET route of the authorization table, full and as an htmx partial), the
sign-in and account pages of allauth, and the support console are loaded as the admin of the fixture world
(tests/world.py); a ``<script>`` without ``src`` or without the response's nonce, a ``<style>`` element, a
``style=`` attribute, an ``on…=`` handler or an ``hx-on`` attribute fails the test.
"""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accessctl.web import authz
from tests.routes import OWN_ROUTES, PAGE_KWARGS, fill, route_values
from tests.world import build_world

SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
INLINE = [
    (re.compile(rb"<style\b", re.I), "a <style> element"),
    (re.compile(rb"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(rb"<[^>]*\son[a-z]+\s*=", re.I), "an on...= handler attribute"),
    (re.compile(rb"\shx-on", re.I), "an hx-on attribute"),
    (re.compile(rb"javascript:", re.I), "a javascript: URL"),
]


def nonce_of(response) -> str | None:
    """The policy's script nonce (present once a page used it). The policy never allows inline code."""
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, policy
    assert (
        "default-src 'self'" in policy
        and "object-src 'none'" in policy
        and "frame-ancestors 'none'" in policy
    )
    assert "style-src 'self'" in policy
    match = re.search(r"script-src 'self' 'nonce-([^']+)'", policy)
    return match[1] if match else None


def assert_nothing_inline(response, label: str, *, own: bool = True) -> None:
    """No inline code at all; on our own pages (``own``) every script also carries the response's nonce."""
    # 403: a page whose action the admin has no use for (asking for access they hold): its page is checked too.
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FORBIDDEN), f"{label}: {response.status_code}"
    nonce = nonce_of(response)
    body = response.content
    for attributes, content in SCRIPT.findall(body):
        assert b"src=" in attributes and not content.strip(), f"{label}: an inline <script>"
        if own:
            assert nonce and f'nonce="{nonce}"'.encode() in attributes, (
                f"{label}: a <script> without the nonce"
            )
    for pattern, what in INLINE:
        match = pattern.search(body)
        assert match is None, f"{label}: {what}: {body[max(0, match.start() - 80) : match.end() + 80]!r}"


@pytest.fixture
def world(db):
    return build_world()


REDIRECT_ONLY = {"teams:sso"}  # GET answers a redirect to the settings page, which is checked itself


def dashboard_pages(world):
    base = {**PAGE_KWARGS, "user_id": str(world.user("target").pk), "token_id": "0"}
    for route, name in OWN_ROUTES:
        if authz.GET in authz.PAGES[name] and name not in REDIRECT_ONLY:
            yield name, fill(route, route_values(world, route, base))


def test_every_dashboard_page_and_partial_has_nothing_inline(world):
    client = Client()
    client.force_login(world.user("admin"))
    pages = list(dashboard_pages(world))
    assert len(pages) >= 12
    for name, path in pages:
        assert_nothing_inline(client.get(path), f"{name} {path}")
        assert_nothing_inline(client.get(path, HTTP_HX_REQUEST="true"), f"{name} {path} (htmx)")


def test_the_base_page_loads_its_script_from_a_file_with_the_nonce(world):
    client = Client()
    client.force_login(world.user("admin"))
    answer = client.get("/")
    nonce = nonce_of(answer)
    assert f'src="/static/js/app.js" nonce="{nonce}"'.encode() in answer.content
    assert b'<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in answer.content


@pytest.mark.parametrize(
    "name",
    ["account_login", "account_signup", "account_reset_password", "account_change_password", "mfa_index"],
)
def test_the_sign_in_and_account_pages_have_nothing_inline(world, name):
    client = Client()
    if name not in ("account_login", "account_signup", "account_reset_password"):
        client.force_login(world.user("admin"))
    assert_nothing_inline(client.get(reverse(name)), name)


def test_the_support_console_has_nothing_inline(world):
    client = Client()
    client.force_login(world.user("support"))
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
    for path in pages:
        answer = client.get(path)
        if answer.status_code == HTTPStatus.FORBIDDEN:  # a model the support group may not see
            continue
        assert_nothing_inline(answer, path, own=False)  # Django's admin scripts: files from 'self'


def test_api_answers_carry_the_policy_too(world, api):
    assert "default-src 'self'" in api(world.user("admin"), "GET", "/account")["Content-Security-Policy"]
