"""E-mail notifications: from the outbox to one message per person and event.

The path of a notification:

1. `audit.record()` calls `write_outbox()` for each event written (registered with
   `audit.on_written()` by `ProposalsConfig.ready()`); for those that concern members the
   outbox row is written in the transaction of the change, so it exists exactly when the
   change does. After the commit, `background.outbox_written()` (registered with
   `on_outbox_committed()`) asks for a drain.
2. `drain_outbox()` turns each waiting outbox row into one `Notification` per recipient,
   keyed `outbox:<row>:<user>:<kind>` (unique), and marks the row processed, in one
   transaction. Running it twice, or on two workers at once, creates nothing twice.
   A row that fails is rolled back alone (a savepoint per row), recorded as a
   `JobFailure` and tried again after a growing delay; the rows after it go on.
3. The due notifications are handed out (to Celery workers in chunks, or delivered in
   the same process in the embedded mode) and `deliver()` claims each with a token
   before sending, then stamps `sent_at`: a second delivery of the same ids finds them
   claimed or sent and sends nothing.

Reminders and digests skip the outbox: their jobs create `Notification` rows with keys
that name the vote round or the day, and step 3 delivers them.

What happens once, and what at least once:

- Exactly once: the notification rows (unique keys) and each attempt's claim (of two
  senders, one gets a row). A task run twice, or on two workers, sends nothing twice,
  and a notification recorded as sent is never sent again.
- At least once: the hand-off to the mail server when an attempt ends before its
  success is recorded. Before the SMTP exchange the sender commits `last_error = "send
  began ..."`, after the answer `sent_at`; the previous message's `sent_at` and the next
  one's start are one UPDATE (`_hand_over()`), so every message the server took is
  recorded before the next is handed over. A sender killed between the two leaves the
  first record; its claims lapse `claim_lease()` (3 × EMAIL_TIMEOUT) after it last
  renewed them, the notifications are due again then, and the next drain hands them
  out. A timeout or a dropped connection while waiting for the answer is marked the
  same way (`interrupted send, then ...`). The next attempt sends the message again and
  notes the possible second copy in `last_error`; `attempts` counts both. (A live
  sender also loses a claim, and the message may go out twice, if one message's
  exchange outlasts the lease, which takes a server that answers each step just short
  of EMAIL_TIMEOUT.)
- Every attempt carries the same Message-ID (`message_id()`, from the key), so a
  second copy is recognisable and mail systems that de-duplicate on Message-ID drop
  it: after them each notification arrives once. Only a message in flight when its
  attempt broke off (one per sender) can arrive twice.

What a chunk of n notifications writes: its claim (one UPDATE, one SELECT), then one
statement and one commit per message (`_hand_over()`), and one at the end. Stamping
`sent_at` once per chunk would save those n commits, but a sender killed mid-chunk
would then lose the record of the messages the server took before it died, and all of
them would go out twice; the one statement per message is what keeps a second copy to
the one message in flight.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import logging
import math
import re
import smtplib
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.core.mail.utils import DNS_NAME
from django.db import connection as database
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pmc.models import Membership
from proposals import discussion_notices, events, failures, lifecycle
from proposals.actors import IMPORT
from proposals.models import (
    ChecklistItem,
    EligibleVoter,
    Event,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboxMessage,
    Proposal,
    Vote,
)
from proposals.states import State

logger = logging.getLogger(__name__)

# Which events concern the members of the proposal's committee: the transitions that
# name a notification.
EVENT_KINDS = {
    events.transition(name): transition.notifies
    for name, transition in lifecycle.TRANSITIONS.items()
    if transition.notifies is not None
}

# Events addressed to one person, named in the payload by user id, not to the committee:
# a vote the chair recorded on a member's behalf goes to that member.
PERSONAL_EVENT_KINDS = {events.VOTE_PROXY_RECORDED: (NotificationKind.PROXY_VOTE, "voter_id")}

DELIVERY_CHUNK = 50  # notifications per delivery task
# A claim lasts this many EMAIL_TIMEOUTs (see claim_lease()); the sender renews it before
# each message, so it only has to cover one message's SMTP exchange.
CLAIM_LEASE_TIMEOUTS = 3
# A chunk handed to the queue is handed out again after this if no sender claimed it (a
# worker died with the task reserved); a claimed one is due again when its claim lapses.
HAND_OUT_LEASE = datetime.timedelta(minutes=1)
MAX_ATTEMPTS = 8
# last_error while a message is being handed to the mail server. A sender that dies
# before the server answers leaves it behind: the next attempt may be a second copy.
SEND_BEGAN = "send began"
INTERRUPTED = "interrupted send"  # a possible second copy, sent or tried again

_silenced: contextvars.ContextVar[bool] = contextvars.ContextVar("pmc_silenced", default=False)


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """Write no outbox rows inside this block: for building history (the demo data), not
    for news."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def is_silenced() -> bool:
    """Whether news is silenced here (`silenced()`): webhooks keep quiet too."""
    return _silenced.get()


# 1. The outbox, written by audit.record() in the change's transaction

# What runs once an outbox row has committed (see `on_outbox_committed`).
_on_outbox_commit: list[Callable[[], object]] = []


def write_outbox(event: Event) -> OutboxMessage | None:
    kind = (
        EVENT_KINDS.get(event.action)
        or discussion_notices.KINDS.get(event.action)
        or PERSONAL_EVENT_KINDS.get(event.action, (None,))[0]
    )
    if kind is None or event.proposal_id is None or _silenced.get():
        return None
    if event.action in discussion_notices.KINDS and not discussion_notices.needs_outbox(event):
        return None
    if event.actor_id is None and event.actor_name == str(IMPORT):
        return None  # imported meeting notes are history, not news
    if event.action == events.transition("withdraw") and event.from_state == State.DRAFT:
        return None  # nobody was told about the draft either
    message = OutboxMessage.objects.create(event=event, kind=kind, created_at=event.recorded_at)
    for callback in _on_outbox_commit:
        transaction.on_commit(callback)
    return message


def on_outbox_committed(callback: Callable[[], object]) -> None:
    """Call `callback()` on commit of each transaction that wrote outbox rows, once per
    row: registered by `ProposalsConfig.ready()` (background gets the drain going)."""
    if callback not in _on_outbox_commit:
        _on_outbox_commit.append(callback)


# 2. Draining the outbox


DRAIN_JOB = "drain_outbox"  # the name the failures of outbox rows are recorded under


@dataclass
class DrainResult:
    outbox_rows: int = 0
    notifications: int = 0
    handed_out: int = 0
    delivered: int = 0


def drain_outbox(
    *, hand_out: Callable[[list[int]], None] | None = None, batch: int = 20
) -> DrainResult:
    """Fan every waiting outbox row out into notifications, then deliver the due ones:
    through `hand_out` (which queues a chunk of ids for a worker) or, without it, here."""
    result = DrainResult()
    items = failures.Items(DRAIN_JOB, logger)
    while True:
        rows, created = _fan_out_batch(batch, items)
        if not rows:
            break
        result.outbox_rows += rows
        result.notifications += created
    if hand_out is None:
        result.delivered = deliver_due()
    else:
        result.handed_out = hand_out_due(hand_out)
    return result


def _fan_out_batch(batch: int, items: failures.Items) -> tuple[int, int]:
    """Fan out the next waiting rows that are due. Each row in its own savepoint: a row
    that fails (its event missing, its template failing) is rolled back alone, recorded
    and retried after a growing delay (`_retry_delay`); the others are processed."""
    with transaction.atomic():
        # SKIP LOCKED: a second drainer takes the next rows instead of waiting; on SQLite
        # the IMMEDIATE transaction serialises drainers and the second sees them done.
        now = timezone.now()
        rows = list(
            OutboxMessage.objects.filter(processed_at__isnull=True)
            .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
            .select_for_update(skip_locked=True)
            .order_by("id")[:batch]
        )
        # Fetched apart from the locked rows, so that a row whose event is missing is
        # taken (and fails) instead of being left out of every batch by a join.
        prefetch_related_objects(rows, "event__proposal__committee", "event__proposal__project")
        created = 0
        done = []
        for row in rows:
            with items.each(f"outbox {row.pk}", on_failure=partial(_fan_out_failed, row)):
                created += _fan_out(row)
                done.append(row.pk)
        OutboxMessage.objects.filter(pk__in=done).update(processed_at=timezone.now())
    return len(rows), created


def _fan_out_failed(row: OutboxMessage, error: Exception) -> None:
    attempts = row.attempts + 1
    OutboxMessage.objects.filter(pk=row.pk).update(
        attempts=attempts, retry_at=timezone.now() + _retry_delay(attempts)
    )


def _retry_delay(attempts: int) -> datetime.timedelta:
    """1, 2, 4, ... minutes after the failures of an outbox row, at most an hour: a row
    is never given up (its change happened), and staff see it failing meanwhile."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _fan_out(row: OutboxMessage) -> int:
    event = row.event
    proposal = event.proposal
    if event.action in discussion_notices.KINDS:
        return _fan_out_discussion(row)
    members = Membership.objects.active().filter(committee_id=proposal.committee_id)
    addressed = Q(pk__in=members.values("user_id")) | Q(pk=proposal.proposer_id or 0)
    if event.action in PERSONAL_EVENT_KINDS:
        addressed = Q(pk=event.payload.get(PERSONAL_EVENT_KINDS[event.action][1]) or 0)
    recipients = _reachable(row.kind).filter(addressed).exclude(pk=event.actor_id or 0).only("pk")
    subject, body = render_email(
        f"emails/{row.kind}.txt",
        {
            "event": event,
            "proposal": proposal,
            "committee": proposal.committee,
            "url": absolute_url(proposal.get_absolute_url()),
            "payload": event.payload,
        },
    )
    notifications = [
        Notification(
            key=f"outbox:{row.pk}:{user.pk}:{row.kind}",
            user=user,
            kind=row.kind,
            outbox=row,
            proposal=proposal,
            subject=subject,
            body=body,
        )
        for user in recipients
    ]
    Notification.objects.bulk_create(notifications, ignore_conflicts=True, batch_size=500)
    return len(notifications)


def _fan_out_discussion(row: OutboxMessage) -> int:
    """A comment's or a concern's event: each person told once, as the kind that
    concerns them most (`discussion_notices`)."""
    event = row.event
    proposal = event.proposal
    told = discussion_notices.told(event, row.pk, _reachable)
    if told is None:
        return 0
    context = {
        "event": event,
        "proposal": proposal,
        "committee": proposal.committee,
        "url": absolute_url(proposal.get_absolute_url()),
        "payload": event.payload,
        **told.context,
    }
    rendered: dict[str, tuple[str, str]] = {}
    notifications = []
    for user, kind, key in told.recipients:
        if kind not in rendered:
            rendered[kind] = render_email(f"emails/{kind}.txt", context)
        subject, body = rendered[kind]
        notifications.append(
            Notification(
                key=key,
                user=user,
                kind=kind,
                outbox=row,
                proposal=proposal,
                subject=subject,
                body=body,
            )
        )
    # A key that exists already (a mention an earlier version told) is skipped.
    Notification.objects.bulk_create(notifications, ignore_conflicts=True, batch_size=500)
    return len(notifications)


def _reachable(kind: str) -> QuerySet:
    """Active users with an address who have not turned `kind` off."""
    turned_off = NotificationPreference.objects.filter(
        user=OuterRef("pk"), kind=kind, enabled=False
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .exclude(Exists(turned_off))
    )


# 3. Handing out and delivering


def hand_out_due(hand_out: Callable[[list[int]], None], *, limit: int = 5000) -> int:
    """Pass the ids of due notifications to `hand_out` in chunks. A chunk is not handed
    out again for a while (it is on its way); one that could not be handed out is due
    again at once."""
    ids = _take_due(limit)
    handed = 0
    for chunk in _chunks(ids, DELIVERY_CHUNK):
        try:
            hand_out(chunk)
        except Exception:
            Notification.objects.filter(pk__in=chunk, sent_at__isnull=True).update(
                due_at=timezone.now()
            )
            raise
        handed += len(chunk)
    return handed


def deliver_due(*, limit: int = 5000) -> int:
    """Deliver due notifications in this process (the embedded mode)."""
    sent = 0
    for chunk in _chunks(_take_due(limit), DELIVERY_CHUNK):
        sent += deliver(chunk)
    return sent


def _take_due(limit: int) -> list[int]:
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.pending()
            .filter(due_at__lte=now)
            .select_for_update(skip_locked=True)
            .order_by("due_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        Notification.objects.filter(pk__in=ids).update(due_at=now + HAND_OUT_LEASE)
    return ids


def claim_lease() -> datetime.timedelta:
    """How long a sender's claim lasts without renewal: CLAIM_LEASE_TIMEOUTS times
    EMAIL_TIMEOUT, the longest each SMTP round trip may wait. A sender renews its claims
    before each message, so a live one keeps them however slow the chunk; a dead one's
    lapse this long after its last renewal, and the notifications are due again then."""
    return datetime.timedelta(seconds=CLAIM_LEASE_TIMEOUTS * (settings.EMAIL_TIMEOUT or 10))


def message_id(notification: Notification) -> str:
    """The notification's RFC 5322 Message-ID: its key (which names the outbox row or the
    vote round or the day, and the recipient) and its creation time, at the site's
    domain. Every attempt sends the same one, so a second copy after an interrupted send
    can be recognised and dropped by the mail systems; the time keeps a database that
    was reset, and so reuses keys, from reusing Message-IDs."""
    local = re.sub(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+", ".", notification.key).strip(".")
    created = notification.created_at.astimezone(datetime.UTC).strftime("%Y%m%d%H%M%S%f")
    domain = urlsplit(settings.PMC_SITE_URL).hostname or ""
    if not re.fullmatch(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*", domain):
        domain = str(DNS_NAME)
    return f"<{local}.{created}@{domain}>"


def deliver(ids: Iterable[int]) -> int:
    """Send the given notifications that nobody has sent or is sending; return how many
    this call sent. Safe to run twice, or on two workers at once, with the same ids.

    Each notification is claimed once (the conditional UPDATE: of two senders only one
    matches a row) and handed to the mail server at least once: a sender that dies
    between the record that a send began and the record that it succeeded leaves a
    message the server may or may not have taken, and the next attempt sends it again
    with the same Message-ID (see the module docstring)."""
    token = uuid.uuid4().hex
    lease = claim_lease()
    claimed = _claim(list(ids), token, lease)
    if not claimed:
        return 0
    _warn_of_second_copies(claimed)
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:  # the mail server is down: every claimed one waits
        for notification in claimed:
            _failed(notification, token, error)
        return 0
    try:
        return _send_claimed(claimed, token, lease, connection)
    finally:
        connection.close()


def _claim(ids: list[int], token: str, lease: datetime.timedelta) -> list[Notification]:
    """Claim the pending ones of `ids` that no live sender holds; return those claimed."""
    now = timezone.now()
    Notification.objects.pending().filter(pk__in=ids).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    ).update(
        claimed_by=token,
        claimed_until=now + lease,
        due_at=now + lease,  # if this sender dies, due again when its claim lapses
        attempts=F("attempts") + 1,
    )
    return list(Notification.objects.pending().filter(claimed_by=token).select_related("user"))


def _warn_of_second_copies(claimed: list[Notification]) -> None:
    for notification in claimed:
        if _interrupted(notification):
            logger.warning(
                "notification %s to user %s: an earlier send stopped before the mail server"
                " answered; sending it again as %s, which may be a second copy",
                notification.pk,
                notification.user_id,
                message_id(notification),
            )


def _send_claimed(
    claimed: list[Notification], token: str, lease: datetime.timedelta, connection
) -> int:
    """Send the claimed notifications one by one over `connection`; return how many the
    mail server took."""
    sent = 0
    renewed = time.monotonic()
    accepted: Notification | None = None  # the mail server took it; not yet marked sent
    try:
        for position, notification in enumerate(claimed):
            if time.monotonic() - renewed >= lease.total_seconds() / 3:
                _renew(token, lease)  # the rest of the chunk, while a slow server works
                renewed = time.monotonic()
            # One statement per message: the previous one's sent_at with this one's start.
            began = _hand_over(accepted, notification, token, lease)
            if accepted is not None:
                sent, accepted = sent + 1, None
            if not began:
                continue
            try:
                if _send(notification, token, connection):
                    accepted = notification
            except _Broken as broken:  # the rest wait, as when the server is down
                for rest in claimed[position + 1 :]:
                    _failed(rest, token, broken.error)
                break
    finally:
        if accepted is not None:
            _hand_over(accepted, None, token, lease)
            sent += 1
    return sent


def _renew(token: str, lease: datetime.timedelta) -> None:
    until = timezone.now() + lease
    Notification.objects.pending().filter(claimed_by=token, claimed_until__isnull=False).update(
        claimed_until=until, due_at=until
    )


def _interrupted(notification: Notification) -> bool:
    """Whether an earlier attempt may have reached the mail server (as loaded at the
    claim: a sender that died left its record that the send began)."""
    return notification.last_error.startswith((SEND_BEGAN, INTERRUPTED))


def _hand_over(
    accepted: Notification | None,
    following: Notification | None,
    token: str,
    lease: datetime.timedelta,
) -> bool:
    """In one UPDATE (one statement, one commit): mark `accepted` sent (the mail server
    took it) and record that the hand-off of `following` begins, committed before the
    server can answer, renewing its claim. Return whether `following` is to be sent:
    False if there is nothing to send (no address) or its claim lapsed and another
    sender took it over."""
    if following is not None and not _sendable(following):
        if accepted is not None:
            _hand_over(accepted, None, token, lease)
        Notification.objects.filter(pk=following.pk, claimed_by=token).update(
            failed_at=timezone.now(), claimed_until=None, last_error="no e-mail address"
        )
        return False
    now = timezone.now()
    until = now + lease
    adapt = database.ops.adapt_datetimefield_value
    with database.cursor() as cursor:
        cursor.execute(
            _HAND_OVER_SQL,
            {
                "accepted": accepted.pk if accepted else None,
                "following": following.pk if following else None,
                "token": token,
                "now": adapt(now),
                "until": adapt(until),
                "began": _began(following, now) if following else "",
                "outcome": _sent_outcome(accepted) if accepted else "",
            },
        )
        updated = {row[0] for row in cursor.fetchall()}
    return following is not None and following.pk in updated


def _hand_over_sql() -> str:
    """The UPDATE of `_hand_over`, in SQL: one statement of two rows, whose RETURNING
    says which matched (the ORM's update() only counts them, and its CASE expressions
    cost more to build than the statement takes to run, once per message)."""
    column = {name: Notification._meta.get_field(name).column for name in _HAND_OVER_FIELDS}
    # Names from the model's own metadata; every value is a parameter.
    return f"""
        UPDATE {Notification._meta.db_table} SET
            {column["sent_at"]} = CASE WHEN {column["id"]} = %(accepted)s THEN %(now)s
                ELSE {column["sent_at"]} END,
            {column["claimed_until"]} = CASE WHEN {column["id"]} = %(following)s
                THEN %(until)s ELSE NULL END,
            {column["due_at"]} = CASE WHEN {column["id"]} = %(following)s THEN %(until)s
                ELSE {column["due_at"]} END,
            {column["last_error"]} = CASE WHEN {column["id"]} = %(following)s THEN %(began)s
                ELSE %(outcome)s END
        WHERE {column["claimed_by"]} = %(token)s AND (
            {column["id"]} = %(accepted)s
            OR ({column["id"]} = %(following)s AND {column["claimed_until"]} IS NOT NULL
                AND {column["sent_at"]} IS NULL)
        )
        RETURNING {column["id"]}
    """  # noqa: S608


_HAND_OVER_FIELDS = ("id", "sent_at", "claimed_until", "due_at", "last_error", "claimed_by")
_HAND_OVER_SQL = _hand_over_sql()


def _sendable(notification: Notification) -> bool:
    user = notification.user
    return user.is_active and bool(user.email)


def _began(notification: Notification, now: datetime.datetime) -> str:
    """The record that the hand-off to the mail server begins."""
    began = f"{SEND_BEGAN} {now.isoformat(timespec='seconds')} as {message_id(notification)}"
    if _interrupted(notification):
        began += ", again after an interrupted send"
    return began


def _sent_outcome(notification: Notification) -> str:
    """last_error once the mail server took the message: empty, or the note that it may
    hold an earlier copy."""
    if not _interrupted(notification):
        return ""
    return (
        f"{INTERRUPTED}: sent again as {message_id(notification)};"
        " the mail server may hold an earlier copy"
    )


def _send(notification: Notification, token: str, connection) -> bool:
    """Hand the message to the mail server; True once it answered that it took it, False
    if it refused it, `_Broken` if the exchange broke off before its answer."""
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        to=[notification.user.email],
        connection=connection,
        headers={
            "Message-ID": message_id(notification),
            "Auto-Submitted": "auto-generated",
            "X-PMC-Notification": notification.key,
        },
    )
    try:
        message.send()
    except Exception as error:
        # A refusal is the server's answer; a timeout or a dropped connection is none
        # (other errors, such as a header Django will not write, come before the exchange).
        refused = isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)
        broken = isinstance(error, OSError) and not refused
        _failed(notification, token, error, maybe_taken=broken)
        if broken:
            raise _Broken(error) from error
        return False
    return True


class _Broken(Exception):
    """The exchange with the mail server broke off: the connection is of no more use."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _failed(
    notification: Notification, token: str, error: Exception, *, maybe_taken: bool = False
) -> None:
    """Try again later, with a growing delay; give up after MAX_ATTEMPTS. `maybe_taken`:
    the exchange broke off without the server's answer, which may have taken the message."""
    now = timezone.now()
    attempts = notification.attempts  # already counts this attempt (the claim added it)
    give_up = attempts >= MAX_ATTEMPTS
    reason = f"{type(error).__name__}: {error}"
    if maybe_taken or _interrupted(notification):  # the server may hold a copy already
        reason = f"{INTERRUPTED}, then {reason}"
    Notification.objects.filter(pk=notification.pk, claimed_by=token).update(
        claimed_until=None,
        last_error=reason[:2000],
        due_at=now + _backoff(attempts),
        failed_at=now if give_up else None,
    )
    logger.warning(
        "notification %s to user %s failed (attempt %s%s): %s",
        notification.pk,
        notification.user_id,
        attempts,
        ", giving up" if give_up else "",
        error,
    )


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# Reminders and digests


REMINDER_JOB = "vote_reminders"
DIGEST_JOB = "chair_digests"


def create_vote_reminders(*, now: datetime.datetime | None = None) -> int:
    """One reminder per eligible voter who has not voted, once the vote closes within
    PMC_REMINDER_HOURS. The key names the round and the extension, so a member is
    reminded once per deadline however often this runs."""
    now = now or timezone.now()
    lead = datetime.timedelta(hours=settings.PMC_REMINDER_HOURS)
    proposals = (
        Proposal.objects.voting()
        .filter(closes_at__gt=now, closes_at__lte=now + lead)
        .select_related("committee", "project")
        .order_by("closes_at", "pk")
    )
    created = 0
    items = failures.Items(REMINDER_JOB, logger)  # one proposal failing stops no other
    for proposal in proposals:
        with items.each(f"proposal {proposal.pk}"):
            created += _remind(proposal, now)
    return created


def _remind(proposal: Proposal, now: datetime.datetime) -> int:
    """The reminders for one proposal whose vote closes soon; returns how many are new."""
    eligible = EligibleVoter.objects.filter(proposal=proposal, round=proposal.vote_round)
    voted = Vote.objects.filter(proposal=proposal, round=proposal.vote_round)
    recipients = (
        _reachable(NotificationKind.REMINDER)
        .filter(pk__in=eligible.values("user_id"))
        .exclude(pk__in=voted.values("voter_id"))
        .only("pk")
    )
    prefix = f"reminder:{proposal.pk}:{proposal.vote_round}:{proposal.vote_extensions}"
    subject, body = render_email(
        "emails/reminder.txt",
        {
            "proposal": proposal,
            "committee": proposal.committee,
            "url": absolute_url(proposal.get_absolute_url()),
            "hours_left": math.ceil((proposal.closes_at - now).total_seconds() / 3600),
        },
    )
    rows = [
        Notification(
            key=f"{prefix}:{user.pk}",
            user=user,
            kind=NotificationKind.REMINDER,
            proposal=proposal,
            subject=subject,
            body=body,
        )
        for user in recipients
    ]
    return _insert_new(rows)


@dataclass
class OverdueProposal:
    proposal: Proposal
    accepted_at: datetime.datetime
    open_items: list[ChecklistItem]
    url: str


def overdue_checklists(now: datetime.datetime | None = None) -> dict[int, list[OverdueProposal]]:
    """{committee id: accepted proposals with open checklist items}, for proposals
    accepted more than PMC_CHECKLIST_OVERDUE_DAYS ago."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PMC_CHECKLIST_OVERDUE_DAYS)
    proposals = (
        Proposal.objects.filter(state=State.ACCEPTED)
        .filter(
            Q(vote_closed_at__lte=cutoff) | Q(vote_closed_at__isnull=True, decided_at__lte=cutoff)
        )
        .filter(checklist__done=False, checklist__by_system=False)
        .distinct()
        .select_related("committee", "project")
        .order_by("committee__name", "pk")
    )
    items = ChecklistItem.objects.to_do().filter(proposal__in=proposals).select_related("owner")
    open_items: dict[int, list[ChecklistItem]] = {}
    for item in items.order_by("proposal", "position"):
        open_items.setdefault(item.proposal_id, []).append(item)
    overdue: dict[int, list[OverdueProposal]] = {}
    for proposal in proposals:
        overdue.setdefault(proposal.committee_id, []).append(
            OverdueProposal(
                proposal=proposal,
                accepted_at=proposal.vote_closed_at or proposal.decided_at,
                open_items=open_items.get(proposal.pk, []),
                url=absolute_url(proposal.get_absolute_url()),
            )
        )
    return overdue


def create_chair_digests(*, now: datetime.datetime | None = None) -> int:
    """One digest a day per chair whose committee has overdue checklist items."""
    now = now or timezone.now()
    overdue = overdue_checklists(now)
    if not overdue:
        return 0
    chairs = Membership.objects.active().chairs().filter(committee_id__in=overdue)
    committees_of: dict[int, list[int]] = {}
    for user_id, committee_id in chairs.values_list("user_id", "committee_id"):
        committees_of.setdefault(user_id, []).append(committee_id)
    users = _reachable(NotificationKind.DIGEST).filter(pk__in=list(committees_of))
    day = timezone.localdate(now)
    created = 0
    items = failures.Items(DIGEST_JOB, logger)  # one chair's digest failing stops no other
    for user in users:
        with items.each(f"chair {user.pk}"):
            sections = []
            for committee_id in sorted(committees_of[user.pk]):
                entries = overdue[committee_id]
                sections.append({"committee": entries[0].proposal.committee, "proposals": entries})
            subject, body = render_email(
                "emails/digest.txt",
                {
                    "user": user,
                    "day": day,
                    "sections": sections,
                    "overdue_days": settings.PMC_CHECKLIST_OVERDUE_DAYS,
                },
            )
            digest = Notification(
                key=f"digest:{user.pk}:{day.isoformat()}",
                user=user,
                kind=NotificationKind.DIGEST,
                subject=subject,
                body=body,
            )
            created += _insert_new([digest])
    return created


def _insert_new(rows: list[Notification]) -> int:
    """Insert the rows whose key is new; return how many were new."""
    if not rows:
        return 0
    keys = [row.key for row in rows]
    before = Notification.objects.filter(key__in=keys).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return Notification.objects.filter(key__in=keys).count() - before


# Rendering


def render_email(template: str, context: dict) -> tuple[str, str]:
    """Render a plain-text e-mail template: its first line is the subject, the rest
    (after one blank line) the body. The templates turn autoescaping off: the text is
    never HTML, and HTML entities would only garble it."""
    context = {"profile_url": absolute_url(reverse("proposals:profile")), **context}
    text = render_to_string(template, context).lstrip("\n")
    subject, _, body = text.partition("\n")
    # Titles are user input: no line breaks can reach the header.
    subject = _shortened(re.sub(r"\s+", " ", subject).strip(), SUBJECT_LIMIT)
    return subject, body.strip("\n") + "\n"


SUBJECT_LIMIT = Notification._meta.get_field("subject").max_length


def _shortened(text: str, limit: int) -> str:
    """`text`, or its first `limit` - 1 characters and an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def absolute_url(path: str) -> str:
    return f"{settings.PMC_SITE_URL}{path}"


def backlog(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the oldest work still waiting beyond PMC_OUTBOX_ALERT_MINUTES was written,
    or None when nothing waits that long. One query."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.PMC_OUTBOX_ALERT_MINUTES)
    waiting_rows = (
        OutboxMessage.objects.filter(processed_at__isnull=True, created_at__lt=cutoff)
        .order_by()
        .values_list("created_at", flat=True)
    )
    unsent = (
        Notification.objects.pending()
        .filter(created_at__lt=cutoff)
        .order_by()
        .values_list("created_at", flat=True)
    )
    oldest = waiting_rows.union(unsent).order_by("created_at")[:1]
    return next(iter(oldest), None)
