"""Outgoing webhooks: what a committee's webhooks are sent, the body and its signature,
and delivering it with retries.

The path of a delivery:

1. `write_deliveries()` runs for each event written (registered with `audit.on_written()`
   by `ProposalsConfig.ready()`), in the transaction of the change: for a transition
   that makes a kind of delivery (`custom["webhook"]` on the transition, and
   `proposal.decided` for whatever ends in accepted or rejected) it writes one
   `WebhookDelivery` per active webhook of the committee that takes that kind, with the
   JSON body as it will be signed. The unique (webhook, event, kind) makes that once.
   After the commit the background jobs are woken (`on_deliveries_committed()`).
2. `deliver_due()` runs on the jobs (a Celery worker, or the embedded jobs thread),
   never in a request: it claims one due delivery at a time with a lease
   (`claimed_until`, a conditional UPDATE of a row locked with SKIP LOCKED), POSTs it,
   and records the answer. Two workers never hold the same delivery at once.
3. A 2xx answer is delivered. Anything else (another status, a refused or timed-out
   connection, an address now refused) is tried again after RETRY_DELAYS, and given up
   (`failed_at`) after MAX_ATTEMPTS; the chair may send a failed one again.

Each delivery is sent at least once: a sender that dies after the receiver took the
request, before recording it, leaves it to be sent again once its lease lapses. The
`X-PMC-Delivery` header (the same on every attempt) lets a receiver drop a second copy.

The signature, as a receiver checks it (README "Webhooks"): `X-PMC-Signature:
t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the webhook's secret>`.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from proposals import lifecycle, notifications, webhook_http
from proposals.actors import IMPORT
from proposals.models import Event, Proposal, Webhook, WebhookDelivery
from proposals.states import State

logger = logging.getLogger(__name__)

JOB = "webhooks"  # the name failures of the deliveries' job are recorded under
DECIDED = "proposal.decided"
# The kinds a chair chooses from, as the form offers them.
KINDS = {
    "proposal.submitted": "A proposal is submitted for discussion",
    "vote.opened": "A vote opens",
    "vote.closed": "A vote closes, or returns to discussion",
    DECIDED: "A proposal is accepted or rejected, by a vote or in a meeting",
    "proposal.completed": "An accepted proposal is completed",
}
DECIDED_STATES = (State.ACCEPTED, State.REJECTED)
# After the nth failed attempt, the next is this much later; after the last, given up.
RETRY_DELAYS = tuple(datetime.timedelta(minutes=minutes) for minutes in (1, 5, 30, 120, 360, 720))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# How long a sender holds a delivery it claimed: a few times one request's timeouts.
LEASE = datetime.timedelta(seconds=60)
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, no secret)
SIGNATURE_HEADER = "X-PMC-Signature"
DELIVERY_HEADER = "X-PMC-Delivery"
KIND_HEADER = "X-PMC-Event"
USER_AGENT = "PMC-Lifecycle-Webhooks/1"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def kinds_of(event: Event) -> list[str]:
    """The kinds of delivery `event` makes: its transition's, and `proposal.decided`
    when it ends in accepted or rejected. A transition that stays where it was (a vote
    extended for want of quorum) makes none."""
    transition = lifecycle.TRANSITIONS.get(event.action.removeprefix("proposal."))
    if transition is None or not event.action.startswith("proposal."):
        return []
    if event.from_state == event.to_state:
        return []
    kinds = [transition.webhook] if transition.webhook else []
    if event.to_state in DECIDED_STATES and DECIDED not in kinds:
        kinds.append(DECIDED)
    return kinds


# 1. Deliveries, written in the change's transaction

_on_committed: list[Callable[[], object]] = []


def on_deliveries_committed(callback: Callable[[], object]) -> None:
    """Call `callback()` on commit of each transaction that wrote deliveries (registered
    by `ProposalsConfig.ready()`: the background jobs are woken)."""
    if callback not in _on_committed:
        _on_committed.append(callback)


def write_deliveries(event: Event) -> list[WebhookDelivery]:
    """The deliveries of `event` to its committee's webhooks (none for imported history
    or demo data)."""
    if event.proposal_id is None or notifications.is_silenced():
        return []
    if event.actor_id is None and event.actor_name == str(IMPORT):
        return []
    kinds = kinds_of(event)
    if not kinds:
        return []
    hooks = [
        hook
        for hook in Webhook.objects.filter(committee_id=event.committee_id, active=True)
        if set(kinds) & set(hook.events)
    ]
    if not hooks:
        return []
    proposal = Proposal.objects.select_related("committee").get(pk=event.proposal_id)
    bodies = {kind: body(event, kind, proposal) for kind in kinds}
    rows = [
        WebhookDelivery(
            webhook=hook,
            event=event,
            kind=kind,
            body=bodies[kind],
            created_at=event.recorded_at,
            next_attempt_at=event.recorded_at,
        )
        for hook in hooks
        for kind in kinds
        if kind in hook.events
    ]
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    wake_on_commit()
    return rows


def wake_on_commit() -> None:
    """Get the deliveries written in this transaction going once it commits."""
    for callback in _on_committed:
        transaction.on_commit(callback)


def body(event: Event, kind: str, proposal: Proposal) -> str:
    """The JSON sent for `event` as `kind`: compact, keys sorted, signed as it is."""
    return json.dumps(
        {
            "kind": kind,
            "at": event.at.astimezone(datetime.UTC).isoformat(),
            "actor": event.actor_name,
            "proposal": {
                "id": proposal.pk,
                "title": proposal.title,
                "state": event.to_state,
                "from_state": event.from_state,
                "url": notifications.absolute_url(proposal.get_absolute_url()),
            },
            "committee": {"slug": proposal.committee.slug, "name": proposal.committee.name},
            "event": {"id": event.pk, "action": event.action, "hash": event.hash},
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def signature(secret: str, timestamp: int, body: str) -> str:
    """The `X-PMC-Signature` header: the time and the HMAC-SHA256 of "<time>.<body>"."""
    signed = f"{timestamp}.{body}".encode()
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# 2. Delivering


def due(now: datetime.datetime) -> QuerySet:
    """Deliveries to try now: neither delivered nor given up, due, held by no sender,
    to an active webhook."""
    return WebhookDelivery.objects.filter(
        delivered_at__isnull=True,
        failed_at__isnull=True,
        next_attempt_at__lte=now,
        webhook__active=True,
    ).filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def any_due() -> bool:
    return due(timezone.now()).exists()


def deliver_due(*, limit: int = 100, now: datetime.datetime | None = None) -> int:
    """Send due deliveries one after another, at most `limit`; return how many were
    delivered. Several senders may run at once: each takes other deliveries. `now` is
    the time that decides what is due (by default, the time of each claim)."""
    delivered = 0
    for _ in range(limit):
        delivery = claim_next(now)
        if delivery is None:
            break
        delivered += send(delivery)
    return delivered


def claim_next(now: datetime.datetime | None = None) -> WebhookDelivery | None:
    """Take the next due delivery for this sender, or None when none is left. SKIP
    LOCKED makes a second sender take another row instead of waiting; on SQLite the
    IMMEDIATE transaction serialises them. The conditional UPDATE is the claim."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if delivery is None:
            return None
        until = now + LEASE
        claimed = (
            due(now).filter(pk=delivery.pk).update(claimed_until=until, attempts=F("attempts") + 1)
        )
    if not claimed:
        return None
    delivery.claimed_until = until
    delivery.attempts += 1
    return delivery


def send(delivery: WebhookDelivery) -> bool:
    """POST a claimed delivery and record the answer; True if it was delivered."""
    hook = Webhook.objects.filter(pk=delivery.webhook_id).first()
    if hook is None:  # removed, with its deliveries, since the claim
        return False
    timestamp = int(timezone.now().timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        KIND_HEADER: delivery.kind,
        DELIVERY_HEADER: str(delivery.pk),
        SIGNATURE_HEADER: signature(hook.secret, timestamp, delivery.body),
    }
    try:
        answer = webhook_http.post(hook.url, delivery.body.encode(), headers)
    except webhook_http.TargetRefused as refused:
        return _record(delivery, status=None, error=refused.message)
    except (OSError, ValueError) as error:  # refused, timed out, TLS, a broken answer
        return _record(delivery, status=None, error=f"{type(error).__name__}: {error}")
    if answer.ok:
        return _record(delivery, status=answer.status, error="")
    return _record(delivery, status=answer.status, error=answer.text.strip() or "no text")


def _record(delivery: WebhookDelivery, *, status: int | None, error: str) -> bool:
    """Record one attempt's outcome, if this sender still holds the delivery."""
    now = timezone.now()
    fields = {"claimed_until": None, "last_status_code": status, "last_error": error[:2000]}
    ok = status is not None and 200 <= status < 300
    if ok:
        fields.update(delivered_at=now, next_attempt_at=None)
    elif delivery.attempts >= MAX_ATTEMPTS:
        fields.update(failed_at=now, next_attempt_at=None)
    else:
        # From the claim, so that the delays hold whatever `now` the sender judged by.
        claimed_at = delivery.claimed_until - LEASE
        fields.update(next_attempt_at=claimed_at + RETRY_DELAYS[delivery.attempts - 1])
    held = WebhookDelivery.objects.filter(pk=delivery.pk, claimed_until=delivery.claimed_until)
    if not held.update(**fields):
        logger.warning("webhook delivery %s: its claim lapsed while sending", delivery.pk)
        return False
    if not ok:
        logger.info(
            "webhook delivery %s (attempt %s) failed: %s %s",
            delivery.pk,
            delivery.attempts,
            status,
            error[:200],
        )
    return ok
