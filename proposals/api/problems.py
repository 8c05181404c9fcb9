"""Refusals as problem details (RFC 9457): `application/problem+json` with `type`, `title`,
`status` and `detail`, the detail being the same sentence the site shows."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from proposals.errors import (
    ConditionNotMet,
    InvalidTransition,
    LifecycleError,
    NotPermitted,
    StaleState,
)

PROBLEM = "application/problem+json"

# The HTTP status of each kind of refusal from the actions.
STATUS = [
    (NotPermitted, status.HTTP_403_FORBIDDEN),
    (StaleState, status.HTTP_409_CONFLICT),
    (InvalidTransition, status.HTTP_409_CONFLICT),
    (ConditionNotMet, status.HTTP_409_CONFLICT),
    (LifecycleError, status.HTTP_422_UNPROCESSABLE_ENTITY),
]


def problem(status_code: int, title: str, detail: str, **extra) -> Response:
    body = {"type": "about:blank", "title": title, "status": status_code, "detail": detail}
    body.update(extra)
    return Response(body, status=status_code, content_type=PROBLEM)


def handle(error: Exception, context: dict) -> Response | None:
    """The API's exception handler (REST_FRAMEWORK["EXCEPTION_HANDLER"])."""
    if isinstance(error, LifecycleError):
        code = next(code for kind, code in STATUS if isinstance(error, kind))
        return problem(code, type(error).__name__, error.message)
    response = exception_handler(error, context)
    if response is None:
        return None
    data = response.data
    detail = data.get("detail") if isinstance(data, dict) else None
    extra = {} if detail is not None else {"errors": data}
    text = str(detail) if detail is not None else "The request has errors: see `errors`."
    answer = problem(response.status_code, response.status_text, text, **extra)
    for name, value in response.items():  # WWW-Authenticate, Retry-After, Allow
        if name.lower() != "content-type":
            answer[name] = value
    return answer
