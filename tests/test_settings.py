"""Settings: every variable read is documented, and production refuses to start without its secrets."""

import ast
import re
import secrets
from pathlib import Path

import pytest

from tests.processes import manage

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "accessctl" / "settings.py"
README = ROOT / "README.md"
READERS = {"env", "required"}  # env.str(...), env.bool(...), env(...) and required(...) read a variable


def variables_read() -> set[str]:
    """Names of the environment variables settings.py reads, from its syntax tree."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func.value if isinstance(node.func, ast.Attribute) else node.func
        first = node.args[0]
        if isinstance(func, ast.Name) and func.id in READERS and isinstance(first, ast.Constant):
            names.add(first.value)
    return names


def variables_documented() -> set[str]:
    """The variable names in the README's Configuration table."""
    section = README.read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.MULTILINE))


def test_settings_read_the_variables_the_parser_expects():
    assert {"DJANGO_ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= variables_read()


def test_readme_documents_every_variable_the_settings_read():
    assert variables_read() - variables_documented() == set()


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": secrets.token_urlsafe(50)}, "ALLOWED_HOSTS"),
        (
            {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "access.example.com"},
            "WEBHOOK_SECRET_KEY",
        ),
    ],
)
def test_production_refuses_to_start_without_a_required_variable(env, missing):
    result = manage("check", DJANGO_ENV="production", **env)

    assert result.returncode != 0
    assert f"DJANGO_ENV=production needs {missing}" in result.stderr


def test_production_passes_the_deployment_checklist_without_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="access.example.com",
        WEBHOOK_SECRET_KEY=secrets.token_urlsafe(32),
    )

    assert result.returncode == 0, result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_development_checkout_runs_manage_without_a_secret_key():
    result = manage("check")

    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(("allowed", "form_shown"), [(True, True), (False, False)])
def test_sign_up_follows_account_allow_registration(client, settings, allowed, form_shown):
    settings.ACCOUNT_ALLOW_REGISTRATION = allowed
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory" if allowed else "none"  # as settings.py derives it

    page = client.get("/accounts/signup/").content.decode()

    assert ('name="password1"' in page) is form_shown
