"""What the schema says of refusals: each is a problem details document (RFC 9457,
`proposals.api.problems`), whose `detail` is the sentence the site shows."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from proposals.api.access import SignedIn
from proposals.api.problems import PROBLEM


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="`about:blank`: the status says what kind.")
    title = serializers.CharField(help_text="The kind of refusal, e.g. NotPermitted.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What happened, and what to do instead.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For a 400: each field's errors, by the field's name.",
    )


def _problem(description: str) -> OpenApiResponse:
    return OpenApiResponse(ProblemSerializer, description=description)


UNSIGNED = {(401, PROBLEM): _problem("Not signed in, or an unknown or revoked token.")}
READ_REFUSALS = {
    **UNSIGNED,
    (403, PROBLEM): _problem("The site is for members only (PMC_PUBLIC_READ is off)."),
}
LIST_REFUSALS = {(400, PROBLEM): _problem("A filter or the cursor does not read."), **READ_REFUSALS}
NOT_FOUND = {(404, PROBLEM): _problem("No such row.")}
WRITE_REFUSALS = {
    (400, PROBLEM): _problem("The request has errors: see `errors`."),
    **UNSIGNED,
    (403, PROBLEM): _problem(
        "Refused: the actor may not do this (the reason names who may), or the token only reads."
    ),
    (409, PROBLEM): _problem("The proposal's state does not allow it, or it moved meanwhile."),
    (422, PROBLEM): _problem("Refused for another reason, said in `detail`."),
}


class TokenScheme(OpenApiAuthenticationExtension):
    """The personal tokens of `proposals.api.authentication`, as the schema names them."""

    target_class = "proposals.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_requirement(self, auto_schema) -> list[dict]:
        # Reading needs no one signed in while the site is public (PMC_PUBLIC_READ).
        view = auto_schema.view
        signed_in = any(isinstance(rule, SignedIn) for rule in view.get_permissions())
        anonymous = [{}] if auto_schema.method in SAFE_METHODS and not signed_in else []
        return [{self.name: []}, *anonymous]

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token from the profile page: `Authorization: Bearer "
            "<token>`. A read token only reads.",
        }
