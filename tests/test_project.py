"""Project-wide promises: migrations match the models, production settings pass
Django's deployment checks, and bad configuration fails loudly."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import TestCase

ROOT = Path(__file__).resolve().parent.parent


class PendingMigrationsTests(TestCase):
    def test_it_has_a_migration_for_every_model_change(self):
        out = StringIO()
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
        self.assertIn("No changes detected", out.getvalue())


def _manage(args, tmp_path, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_COOKIES", "DATABASE_URL"}
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "pmc.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            **env,
        }
    )
    if environment["DATABASE_URL"] is None:
        del environment["DATABASE_URL"]
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7" * 30 + "-production-like-secret-for-the-check",
    "ALLOWED_HOSTS": "pmc.example.org",
    "AUDIT_SIGNING_KEY": "cHJvZHVjdGlvbi1saWtlIGF1ZGl0IGtleSBmb3IgY2g=",
}


def test_it_passes_the_deployment_checks_with_production_settings(tmp_path):
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_starts_without_an_audit_key_and_says_how_to_make_one(tmp_path):
    env = {key: value for key, value in PRODUCTION.items() if key != "AUDIT_SIGNING_KEY"}

    result = _manage(["check", "--deploy"], tmp_path, **env)

    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "proposals.W001" in output
    assert "No audit signing key is configured" in output
    assert "manage.py audit_key --new" in output
    strict = _manage(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, **env)
    assert strict.returncode != 0


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = _manage(["check"], tmp_path, DEBUG="0", ALLOWED_HOSTS="pmc.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_names_the_variable_when_a_boolean_is_misspelled(tmp_path):
    result = _manage(["check"], tmp_path, **{**PRODUCTION, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe'" in result.stderr


@pytest.mark.parametrize("debug", ["1", "0"])
def test_it_runs_on_sqlite_in_var_dir_without_database_url(tmp_path, debug):
    env = {**PRODUCTION, "DEBUG": debug, "PMC_VAR_DIR": str(tmp_path / "var")}
    result = _manage(["migrate", "--noinput", "-v", "0"], tmp_path, DATABASE_URL=None, **env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "db.sqlite3").exists()
