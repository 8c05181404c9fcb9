"""JSON for `dumpdata` and `loaddata` that keeps times to the microsecond.

Django's JSON encoder cuts a time's microseconds to milliseconds. Every audit event's
hash covers its times to the microsecond, so a backup made with `dumpdata` and read
back with `loaddata` would no longer verify. These formats replace Django's `json` and
`jsonl` (settings.SERIALIZATION_MODULES): the same files, whose times keep all their
digits; Django's own reader reads them, and files written before read as they did.
"""

from __future__ import annotations

import datetime

from django.core.serializers.json import DjangoJSONEncoder


class ExactTimeEncoder(DjangoJSONEncoder):
    """Django's JSON encoder, except that times keep their microseconds."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time) and o.utcoffset() is None:
            return o.isoformat()
        return super().default(o)
