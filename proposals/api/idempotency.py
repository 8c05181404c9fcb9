"""`Idempotency-Key` on POST: a client that retries with the same key gets the first
answer again, and the work is done once (stored in `IdempotentRequest`).

The key is claimed by inserting its row, committed at once: the unique (user, key)
constraint lets one request in, whichever web process serves it, and shows the others
that it is running (409). The work and its stored answer are then committed together, so
an answer is on record exactly when its work is. A request that fails (an error, a
refusal raised by an action, a 5xx) writes nothing and gives the key back: its retry runs
again. A claim left unanswered (its process died) is taken over after ABANDONED_AFTER.
Keys last KEPT_FOR; each claim deletes the expired ones.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from django.http import HttpResponse, RawPostDataException
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException

from proposals.models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEPT_FOR = datetime.timedelta(hours=24)
ABANDONED_AFTER = datetime.timedelta(minutes=5)
MAX_LENGTH = 255
RETRY_AFTER = 1  # seconds a client waits for a key's first request to finish


class InvalidKey(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    kind = "idempotency-key-invalid"
    default_detail = (
        f"This {HEADER} is malformed: send 1 to {MAX_LENGTH} printable ASCII characters "
        "(a UUID is best)."
    )


class KeyInUse(APIException):
    status_code = status.HTTP_409_CONFLICT
    kind = "idempotency-key-in-use"
    default_detail = (
        f"The first request with this {HEADER} is still running: retry the same request in "
        "a moment to get its answer."
    )
    wait = RETRY_AFTER  # sent as Retry-After


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    kind = "idempotency-key-reused"
    default_detail = (
        f"This {HEADER} was used for another request (another address or body) in the "
        "last 24 hours: send a new key with each new request."
    )


def idempotent(method):
    """Wrap a DRF view method that handles a POST."""

    @functools.wraps(method)
    def run(self, request, *args, **kwargs):
        key = _key(request)
        if key is None:
            return method(self, request, *args, **kwargs)
        claim = _claim(request, key)
        if isinstance(claim, HttpResponse):
            return claim
        try:
            with transaction.atomic():
                response = self.finalize_response(
                    request, method(self, request, *args, **kwargs), *args, **kwargs
                )
                if hasattr(response, "render"):
                    response.render()
                if response.status_code >= 500:  # a failure: undo what it did, keep nothing
                    raise _NotKept(response)
                if response.streaming:  # nothing to store: the work stands, the key is free
                    _release(claim)
                    return response
                IdempotentRequest.objects.filter(pk=claim.pk).update(
                    status_code=response.status_code,
                    response_body=response.content.decode(response.charset or "utf-8"),
                    response_type=response.get("Content-Type", ""),
                )
        except _NotKept as failed:
            _release(claim)
            return failed.response
        except BaseException:
            _release(claim)
            raise
        return response

    run.idempotent = True  # read by proposals.api.schema to document the header
    return run


class _NotKept(Exception):
    """Leaves the transaction without committing an answer that is not kept."""

    def __init__(self, response) -> None:
        super().__init__(response.status_code)
        self.response = response


def _key(request) -> str | None:
    """The request's key, or None when the request is not idempotent."""
    value = request.headers.get(HEADER)
    if value is None or request.method != "POST" or not request.user.is_authenticated:
        return None
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':  # a structured-field string
        value = value[1:-1]
    if not 1 <= len(value) <= MAX_LENGTH or not all(" " <= c <= "~" for c in value):
        raise InvalidKey()
    return value


def _request_hash(request) -> str:
    digest = hashlib.sha256(f"{request.method}\n{request.get_full_path()}\n".encode())
    try:
        digest.update(request.body)
    except RawPostDataException:  # the body was parsed already: hash what it held
        digest.update(json.dumps(request.data, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _claim(request, key: str) -> IdempotentRequest | HttpResponse:
    """This request's claim on the key, or the stored answer to replay; raises the
    problem when the key is busy or was used for another request."""
    now = timezone.now()
    fingerprint = _request_hash(request)
    IdempotentRequest.objects.filter(created_at__lt=now - KEPT_FOR).delete()
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                user=request.user,
                key=key,
                method=request.method,
                path=request.path[:500],
                request_hash=fingerprint,
                created_at=now,
            )
    except IntegrityError:
        pass
    found = IdempotentRequest.objects.filter(user=request.user, key=key).first()
    if found is None:  # expired and deleted by another request meanwhile
        raise KeyInUse()
    if found.request_hash != fingerprint:
        raise KeyReused()
    if found.status_code is not None:
        return _replay(found)
    if found.created_at < now - ABANDONED_AFTER:
        taken = IdempotentRequest.objects.filter(
            pk=found.pk, status_code__isnull=True, created_at=found.created_at
        ).update(created_at=now)
        if taken:
            found.created_at = now
            return found
    raise KeyInUse()


def _replay(stored: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(
        stored.response_body, status=stored.status_code, content_type=stored.response_type
    )
    response[REPLAYED] = "true"
    return response


def _release(claim: IdempotentRequest) -> None:
    """Give the key back after a failure, so that a retry runs again."""
    IdempotentRequest.objects.filter(pk=claim.pk, status_code__isnull=True).delete()
