"""The audit chain's hash, as a pure function of an event's fields.

No Django and no database: `manage.py verify_audit --export` re-computes the chain of an
exported log with it, and anyone can do the same in a few lines of any language: the
hash is SHA-256 over the UTF-8 JSON of the fields (keys sorted, no spaces, characters
not escaped), the previous event's hash among them as `prev`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Mapping

GENESIS_HASH = "0" * 64


def hash_fields(fields: Mapping) -> str:
    """The hash of an event whose hashed fields (its `prev` hash included) are `fields`."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def canonical_time(value: datetime.datetime) -> str:
    """A time as the hash covers it: UTC, ISO 8601, always with microseconds."""
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
