"""Django's `json` serialisation format, with times to the microsecond (see the package)."""

from __future__ import annotations

from django.core.serializers import json as django_json

from pmc.serializers import ExactTimeEncoder

Deserializer = django_json.Deserializer


class Serializer(django_json.Serializer):
    def _init_options(self) -> None:
        self.options.setdefault("cls", ExactTimeEncoder)
        super()._init_options()
