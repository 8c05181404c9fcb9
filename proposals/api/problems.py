"""Every error the API gives, as problem details (RFC 9457): `application/problem+json`
with `type`, `title`, `status` and `detail`, the detail a sentence that says what to do.

A refusal by an action keeps the sentence the site shows. Django REST framework's own
errors get sentences of ours; a 400 lists what is wrong with each field in `errors`; an
unexpected error is a 500 that names nothing of the server's internals. Django's own
error pages under /api/ (an unknown address, a failure before any view) are problem
details too (`handler404` and the others in pmc/urls.py).
"""

from __future__ import annotations

import http
import json
import logging
import math
import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from proposals.errors import (
    ConditionNotMet,
    InvalidTransition,
    LifecycleError,
    NotPermitted,
    StaleState,
)

PROBLEM = "application/problem+json"
API_PREFIX = "/api/"  # where pmc/urls.py mounts proposals.api.urls
logger = logging.getLogger(__name__)

# The HTTP status of each kind of refusal from the actions, and its `kind`.
STATUS = [
    (NotPermitted, status.HTTP_403_FORBIDDEN, "not-permitted"),
    (StaleState, status.HTTP_409_CONFLICT, "stale-state"),
    (InvalidTransition, status.HTTP_409_CONFLICT, "invalid-transition"),
    (ConditionNotMet, status.HTTP_409_CONFLICT, "condition-not-met"),
    (LifecycleError, status.HTTP_422_UNPROCESSABLE_ENTITY, "refused"),
]

INVALID = "The request has errors: correct the fields listed in `errors` and send it again."
NOT_AUTHENTICATED = (
    "Sign in, or send a personal token as `Authorization: Bearer <token>` (create one on "
    "your profile page)."
)
FORBIDDEN = (
    "You may not do this: ask a chair of the committee, or use the account of someone who may."
)
NOT_FOUND = (
    "There is nothing at this address: check the identifier in it, or find the item in "
    "its list (the API reference at /api/docs/ lists the addresses)."
)
NOT_ACCEPTABLE = "The API answers in JSON only: send `Accept: application/json`, or no Accept."
UNSUPPORTED = "Send the body as JSON, with the header `Content-Type: application/json`."
CSRF_FAILED = (
    "A request signed in with the site's session needs its CSRF token: send it in the "
    "X-CSRFToken header, or send a personal token (`Authorization: Bearer <token>`) instead."
)
UNSTORABLE = (
    "A value in the request cannot be used (a number out of range, or a NUL character in a "
    "text): correct it and send the request again."
)
SERVER_ERROR = (
    "The server failed to answer this request: try again later, and tell the site's "
    "administrators if it keeps failing."
)
DEFAULT_WAIT = 60  # seconds, for a 429 whose throttle did not say how long


class ProblemResponse(Response):
    """Rendered as JSON whatever the view's renderers (the schema's are YAML too)."""

    @property
    def rendered_content(self):
        self.accepted_renderer = JSONRenderer()
        self.accepted_media_type = PROBLEM
        if getattr(self, "renderer_context", None) is None:
            self.renderer_context = {}
        return super().rendered_content


def problem(status_code: int, title: str | None, detail: str, **extra) -> Response:
    """A problem details answer; a `title` of None is the status's own phrase."""
    body = {
        "type": "about:blank",
        "title": title or http.HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
    }
    body.update(extra)
    return ProblemResponse(body, status=status_code, content_type=PROBLEM)


def handle(error: Exception, context: dict) -> Response:
    """The API's exception handler (REST_FRAMEWORK["EXCEPTION_HANDLER"])."""
    if isinstance(error, LifecycleError):
        set_rollback()
        code, kind = next((code, kind) for cls, code, kind in STATUS if isinstance(error, cls))
        return problem(code, None, error.message, kind=kind)
    if isinstance(error, DjangoValidationError):
        error = exceptions.ValidationError(_django_errors(error))
    if isinstance(error, DataError):  # the database refused a value the checks let through
        set_rollback()
        return problem(status.HTTP_400_BAD_REQUEST, None, UNSTORABLE, kind="unstorable-value")
    response = exception_handler(error, context)
    if response is None:
        return _server_error(error, context)
    if isinstance(error, Http404):
        error = exceptions.NotFound(*error.args)
    elif isinstance(error, DjangoPermissionDenied):
        error = exceptions.PermissionDenied(*error.args)
    detail, extra = _explain(error, response.data, context)
    answer = problem(response.status_code, None, detail, **extra)
    for name, value in response.items():  # WWW-Authenticate, Retry-After
        if name.lower() != "content-type":
            answer[name] = value
    if isinstance(error, exceptions.Throttled):
        answer["Retry-After"] = str(_wait(error))
    return answer


def _explain(error: Exception, data, context: dict) -> tuple[str, dict]:
    """The detail sentence for a Django REST framework error, and extra members."""
    detail = data.get("detail") if isinstance(data, dict) else None
    extra = {"kind": error.kind} if isinstance(getattr(error, "kind", None), str) else {}
    if isinstance(error, exceptions.ValidationError):
        if isinstance(data, list):
            data = {"non_field_errors": data}
        return INVALID, {**extra, "errors": data}
    if isinstance(error, exceptions.ParseError):
        return (
            f"The body is not valid JSON ({_plain(detail)}): send a JSON object with "
            "`Content-Type: application/json`.",
            extra,
        )
    if isinstance(error, exceptions.MethodNotAllowed):
        view = context.get("view")
        allowed = ", ".join(
            m for m in getattr(view, "allowed_methods", []) if m not in ("OPTIONS", "HEAD")
        )
        method = context["request"].method if context.get("request") else "this method"
        return f"This address does not accept {method}: use {allowed or 'another address'}.", extra
    if isinstance(error, exceptions.NotAcceptable):
        return NOT_ACCEPTABLE, extra
    if isinstance(error, exceptions.UnsupportedMediaType):
        return UNSUPPORTED, extra
    if isinstance(error, exceptions.Throttled) and _is_default_throttled(detail):
        wait = _wait(error)
        return (
            f"Too many requests: wait {wait} second{'s' if wait != 1 else ''} (the "
            "Retry-After header) before the next one.",
            extra,
        )
    text = str(detail)
    if isinstance(error, exceptions.PermissionDenied) and text.startswith("CSRF Failed"):
        return CSRF_FAILED, extra
    ours = _DEFAULTS.get(type(error))
    if ours and _is_default(error, detail):
        return ours, extra
    return text, extra


_DEFAULTS = {
    exceptions.NotAuthenticated: NOT_AUTHENTICATED,
    exceptions.AuthenticationFailed: NOT_AUTHENTICATED,
    exceptions.PermissionDenied: FORBIDDEN,
    exceptions.NotFound: NOT_FOUND,
}


def _is_default(error: Exception, detail) -> bool:
    """Whether the error carries Django REST framework's or Django's own wording (not
    actionable), rather than a sentence of ours."""
    if detail is None or str(detail) == str(getattr(type(error), "default_detail", "")):
        return True
    return isinstance(error, exceptions.NotFound) and bool(
        re.fullmatch(r"No .* matches the given query\.", str(detail))
    )


def _is_default_throttled(detail) -> bool:
    """Whether a 429 has Django REST framework's wording, not a throttle's own sentence
    (`proposals.api.throttles` says whose budget ran out and its limit)."""
    return str(detail or "").startswith(str(exceptions.Throttled.default_detail))


def _plain(detail) -> str:
    text = str(detail or "malformed")
    return text.removeprefix("JSON parse error - ").rstrip(".")


def _wait(error: exceptions.Throttled) -> int:
    return math.ceil(error.wait) if error.wait else DEFAULT_WAIT


def _django_errors(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {field: messages for field, messages in error.message_dict.items()}
    return list(error.messages)


def _server_error(error: Exception, context: dict) -> Response:
    request = context.get("request")
    logger.error(
        "API error on %s %s",
        getattr(request, "method", "?"),
        getattr(request, "path", "?"),
        exc_info=error,
    )
    set_rollback()
    return problem(status.HTTP_500_INTERNAL_SERVER_ERROR, None, SERVER_ERROR)


# Django's error views (handler400 ... handler500 in pmc/urls.py): problem details under
# /api/, the site's pages elsewhere.


def _plain_problem(status_code: int, detail: str) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": http.HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
    }
    return HttpResponse(json.dumps(body), status=status_code, content_type=PROBLEM)


def _in_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def bad_request(request, exception, template_name="400.html"):
    if _in_api(request):
        return _plain_problem(
            400, "The request is malformed: check its address, headers and host name."
        )
    return defaults.bad_request(request, exception, template_name)


def permission_denied(request, exception, template_name="403.html"):
    if _in_api(request):
        return _plain_problem(403, FORBIDDEN)
    return defaults.permission_denied(request, exception, template_name)


def page_not_found(request, exception, template_name="404.html"):
    if _in_api(request):
        return _plain_problem(404, NOT_FOUND)
    return defaults.page_not_found(request, exception, template_name)


def server_error(request, template_name="500.html"):
    if _in_api(request):
        return _plain_problem(500, SERVER_ERROR)
    return defaults.server_error(request, template_name)
