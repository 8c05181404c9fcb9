"""Starts the OpenID Connect provider of provider.mjs (Node's oidc-provider) in its own
process on 127.0.0.1, for the single sign-on browser tests."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from pmc.sso_settings import form_action_origins

HERE = Path(__file__).resolve().parent
PROVIDER = HERE / "provider.mjs"
MODULES = HERE.parent / "node_modules"
CLIENT_ID = "pmc-lifecycle"
CLIENT_SECRET = "test-client-secret-for-the-local-provider"  # noqa: S105


def missing() -> str | None:
    if shutil.which("node") is None:
        return "Node.js is not installed: the OpenID Connect tests need it (apt-get install nodejs)"
    if not (MODULES / "oidc-provider").exists():
        return f"oidc-provider is not installed in {MODULES}: run npm ci --prefix tests/e2e"
    return None


@dataclass
class Provider:
    issuer: str

    def settings(self, name: str = "Foundation ID") -> dict:
        """SOCIALACCOUNT_PROVIDERS as pmc.sso_settings makes them from OIDC_* variables."""
        return {
            "oidc": {
                "OAUTH_PKCE_ENABLED": True,
                "APPS": [
                    {
                        "provider_id": "oidc",
                        "name": name,
                        "client_id": CLIENT_ID,
                        "secret": CLIENT_SECRET,
                        "settings": {"server_url": self.issuer},
                    }
                ],
            }
        }


def policy_allowing(providers: dict) -> dict:
    """The site's Content Security Policy with form-action widened as pmc.settings
    widens it for the configured providers."""
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [
        *policy["DIRECTIVES"]["form-action"],
        *form_action_origins(providers),
    ]
    return policy


@contextmanager
def running_provider(
    *,
    redirect_uri: str,
    accounts: dict,
    token_mode: str = "honest",  # noqa: S107
) -> Iterator[Provider]:
    env = {
        **os.environ,
        "PORT": "0",
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URI": redirect_uri,
        "ACCOUNTS": json.dumps(accounts),
        "TOKEN_MODE": token_mode,
    }
    process = subprocess.Popen(  # noqa: S603
        ["node", str(PROVIDER)],  # noqa: S607
        cwd=HERE.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
        if not line.startswith("listening "):
            raise RuntimeError(f"the OpenID Connect provider did not start: {line!r}")
        yield Provider(issuer=line.split()[1])
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
