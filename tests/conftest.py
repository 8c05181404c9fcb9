import shutil

import pytest
from django.conf import settings
from django.db import connection


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")


@pytest.fixture(scope="session", autouse=True)
def _shared_cache_folder():
    """The run's own folder of the shared cache (tests/settings.py), removed at its end."""
    yield
    shared = settings.CACHES["shared"]
    if shared["BACKEND"].endswith("FileBasedCache"):
        shutil.rmtree(shared["LOCATION"], ignore_errors=True)
