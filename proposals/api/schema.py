"""The OpenAPI schema's conventions: bearer tokens, the `Idempotency-Key` header of the
writes that take it, and the problem details every operation may answer with."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from proposals.api.problems import PROBLEM

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "Problem details (RFC 9457): what went wrong, and what to do.",
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string", "description": "The HTTP status's phrase."},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What happened and what to do."},
        "kind": {"type": "string", "description": "Which refusal, when the API names it."},
        "errors": {
            "type": "object",
            "description": "For a 400: the messages of each invalid field.",
            "additionalProperties": True,
        },
    },
    "required": ["type", "title", "status", "detail"],
    "additionalProperties": True,
}

# What each problem means, for every operation (READ) and for writes (WRITE) too.
READ = {
    400: "The request is invalid (see `errors`).",
    401: "No valid token or session.",
    403: "The token's owner, or its scope, may not do this.",
    404: "Nothing at this address.",
    406: "The API answers in JSON only.",
    429: "Too many requests: wait for the Retry-After seconds.",
    500: "The server failed; nothing to fix on the client's side.",
}
WRITE = {
    **READ,
    409: "The state does not allow this now (or an Idempotency-Key's first request is "
    "still running).",
    415: "The body must be JSON.",
    422: "Refused (or the Idempotency-Key was used for another request).",
}
HEADERS = {
    401: {"WWW-Authenticate": "How to authenticate: `Bearer`."},
    429: {"Retry-After": "Seconds to wait before the next request."},
    409: {"Retry-After": "With an Idempotency-Key in use: seconds before retrying."},
}
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "Any unique string up to 255 characters (a UUID). A retry with the same key and "
        "the same request gets the first answer again (with `Idempotent-Replayed: true`) "
        "instead of doing the work twice; keys are the token owner's and last 24 hours."
    ),
)


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "proposals.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token."}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's, with the problem details and the `Idempotency-Key` header."""

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        # The method that answers: a viewset's action ("create", "vote") or an APIView's
        # HTTP method ("post").
        name = getattr(self.view, "action", None) or self.method.lower()
        if getattr(getattr(self.view, name, None), "idempotent", False):
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        component = ResolvedComponent(
            name="Problem", type=ResolvedComponent.SCHEMA, object="Problem", schema=PROBLEM_SCHEMA
        )
        registry.register_on_missing(component)
        problems = READ if self.method in ("GET", "HEAD") else WRITE
        responses = operation.setdefault("responses", {})
        for code, description in problems.items():
            answer = responses.setdefault(str(code), {"description": description})
            answer.setdefault("content", {})[PROBLEM] = {"schema": component.ref}
            headers = HEADERS.get(code)
            if headers:
                answer.setdefault("headers", {}).update(
                    {
                        name: {"schema": {"type": "string"}, "description": text}
                        for name, text in headers.items()
                    }
                )
        return operation
