"""Settings for the test suite: the application's own, with a test secret and fast hashing.

DATABASE_URL still chooses the database, so the same suite runs on SQLite and PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("SECURE_COOKIES", "0")

from pmc.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Background jobs run only where a test starts them (tests/background).
PMC_EMBEDDED_JOBS = False
# A file, not SQLite's shared in-memory database: the background tests run workers and
# jobs in threads with their own connections, and only a file gives them SQLite's real
# locking (IMMEDIATE transactions wait for each other instead of failing at once). One
# file per test run, so that runs side by side do not share it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"pmc-test-{os.getpid()}.sqlite3")
    }
# Second factors are required only where a test asks (pmc.second_factor's tests).
PMC_REQUIRE_MFA = False
# Public pages are rendered afresh in the tests (their rows change without events);
# tests/web/test_page_cache.py turns the cache on.
PMC_PAGE_CACHE_SECONDS = 0
# Webhooks go to receivers the tests start on 127.0.0.1 (their production checks are
# tested with this off).
PMC_WEBHOOKS_ALLOW_PRIVATE = True
# The audit log's signing key for the tests (public like the development key: it proves
# nothing outside them). Tests that need another key or none override these.
AUDIT_SIGNING_KEY = "dGVzdC1vbmx5IGF1ZGl0IGtleSwgMzIgYnl0ZXMgbG8="
AUDIT_SIGNING_KEY_FILE = ""
# The shared cache (the API's rate limits) in a folder of this run's own, whatever
# REDIS_URL says: tests that need Redis there set it themselves.
CACHES["shared"] = {  # noqa: F405
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": os.path.join(tempfile.gettempdir(), f"pmc-test-cache-{os.getpid()}"),
}
# Budgets no test meets by chance: the tests of the limits set small ones.
PMC_API_RATE = PMC_API_SESSION_RATE = PMC_API_ANONYMOUS_RATE = "100000/minute"
