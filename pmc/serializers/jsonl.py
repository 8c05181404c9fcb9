"""Django's `jsonl` serialisation format, with times to the microsecond (see the package)."""

from __future__ import annotations

from django.core.serializers import jsonl as django_jsonl

from pmc.serializers import ExactTimeEncoder

Deserializer = django_jsonl.Deserializer


class Serializer(django_jsonl.Serializer):
    def _init_options(self) -> None:
        self.options.setdefault("cls", ExactTimeEncoder)
        super()._init_options()
