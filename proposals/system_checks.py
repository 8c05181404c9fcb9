"""Django system checks: the site starts without an audit signing key, and says so at
every start (`runserver`, `migrate`, `check`) and in `check --deploy`."""

from __future__ import annotations

from django.core import checks

from proposals import signing


@checks.register(checks.Tags.security)
def audit_signing_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    keys = signing.keyring()
    if keys.problem:
        return [
            checks.Warning(
                keys.problem,
                hint="Verification fails while the log cannot be checked against a key; "
                "writing goes on.",
                id="proposals.W001",
            )
        ]
    return []
