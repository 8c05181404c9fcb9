"""Django for a benchmark: the project's own settings on a fresh SQLite database in a
temporary folder, with DEBUG off (DEBUG keeps every query in memory)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(work: Path, database: str = "bench.sqlite3") -> None:
    """Point Django at `work` (its database file and var folder) and set it up."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "pmc.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
    os.environ["DATABASE_URL"] = f"sqlite:///{work / database}"
    os.environ["PMC_VAR_DIR"] = str(work)
    import django

    django.setup()
