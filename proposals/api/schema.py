"""The OpenAPI schema's conventions, in one place: the bearer token and the session as
security schemes, the `Idempotency-Key` header of the writes that take it, and the
problem details (RFC 9457, `proposals.api.problems`) every operation may answer with.

A view documents only what is its own: its answer, and where a refusal means something
particular there, the refusal's description (`refusals`, `LIST_REFUSALS`, ...).
`AutoSchema` adds every other problem status with its generic description, and gives
each the one `Problem` component and its headers."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated

from proposals.api.access import SignedIn
from proposals.api.problems import PROBLEM

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "Problem details (RFC 9457): what went wrong, and what to do.",
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string", "description": "The HTTP status's phrase."},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What happened and what to do."},
        "kind": {
            "type": "string",
            "description": "Which refusal, when the API names it (e.g. `not-permitted`).",
        },
        "errors": {
            "type": "object",
            "description": "For a 400: the messages of each invalid field, by its name.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail"],
    "additionalProperties": True,
}
PROBLEM_COMPONENT = ResolvedComponent(
    name="Problem", type=ResolvedComponent.SCHEMA, object="Problem", schema=PROBLEM_SCHEMA
)

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
    409: "The state does not allow this now, it moved meanwhile, or an Idempotency-Key's "
    "first request is still running.",
    415: "The body must be JSON.",
    422: "Refused for another reason, said in `detail` (or the Idempotency-Key was used "
    "for another request).",
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


def refusals(descriptions: dict[int, str]) -> dict[int, OpenApiResponse]:
    """An operation's own descriptions of some problem statuses (for `extend_schema`'s
    `responses`); `AutoSchema` gives them their content."""
    return {code: OpenApiResponse(description=text) for code, text in descriptions.items()}


UNSIGNED = {401: "Not signed in, or an unknown or revoked token."}
READ_REFUSALS = refusals(
    {**UNSIGNED, 403: "The site is for members only (PMC_PUBLIC_READ is off)."}
)
LIST_REFUSALS = {
    **refusals({400: "A filter or the cursor does not read."}),
    **READ_REFUSALS,
}
NOT_FOUND = refusals({404: "No such row."})
WRITE_REFUSALS = refusals(
    {
        400: "The request has errors: see `errors`.",
        **UNSIGNED,
        403: "Refused: the actor may not do this (the reason names who may), the token "
        "only reads, or a chair has not confirmed a second factor.",
        409: "The proposal's state does not allow it, or it moved meanwhile.",
        422: "Refused for another reason, said in `detail`.",
    }
)


def closed_request_bodies(result, generator, request, public) -> dict:
    """The writes refuse a field they do not take rather than ignore it
    (`proposals.api.writing`): their bodies' schemas admit no other property
    (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    schemas = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for media in operation.get("requestBody", {}).get("content", {}).values():
                name = media.get("schema", {}).get("$ref", "").rpartition("/")[2]
                if name in schemas:
                    schemas[name]["additionalProperties"] = False
    return result


class TokenScheme(OpenApiAuthenticationExtension):
    """The personal tokens of `proposals.api.authentication`."""

    target_class = "proposals.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_requirement(self, auto_schema) -> list[dict]:
        # Reading needs no one signed in while the site is public (PMC_PUBLIC_READ),
        # except where the view asks for someone (/api/me/).
        view = auto_schema.view
        rules = view.get_permissions()
        signed_in = any(isinstance(rule, (SignedIn, IsAuthenticated)) for rule in rules)
        anonymous = [{}] if auto_schema.method in SAFE_METHODS and not signed_in else []
        return [{self.name: []}, *anonymous]

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token from the profile page: `Authorization: Bearer "
            "<token>`. A read token only reads.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    """The site's session (a browser signed in, as the reference's Try it out is)."""

    target_class = "proposals.api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


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
        registry.register_on_missing(PROBLEM_COMPONENT)
        problems = READ if self.method in SAFE_METHODS else WRITE
        responses = operation.setdefault("responses", {})
        for code, description in problems.items():
            answer = responses.setdefault(str(code), {"description": description})
            answer["content"] = {PROBLEM: {"schema": PROBLEM_COMPONENT.ref}}
            headers = HEADERS.get(code)
            if headers:
                answer.setdefault("headers", {}).update(
                    {
                        name: {"schema": {"type": "string"}, "description": text}
                        for name, text in headers.items()
                    }
                )
        return operation
