"""A committee's outgoing webhooks: its chair adds, changes and removes them, gives one a
new secret, and sends a failed delivery again.

Each change writes its event under the committee. The events name the webhook by its
id and the address's origin only (`https://hooks.example.org`): the secret is never
written, and neither is the rest of the address, which for some receivers carries a
token of its own.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.utils import timezone

from pmc.models import Committee
from proposals import audit, events, permissions, webhook_http, webhooks
from proposals.actions._base import action
from proposals.errors import LifecycleError, NotPermitted
from proposals.models import Webhook, WebhookDelivery

MAX_PER_COMMITTEE = 10
URL_MAX_CHARS = Webhook._meta.get_field("url").max_length


def _require_chair(actor, committee: Committee) -> None:
    if not permissions.has_perm("proposals.manage_webhooks", actor, committee):
        raise NotPermitted(f"Only the chair of {committee} manages its webhooks.")


def _checked_url(url: str) -> str:
    if len(url.strip()) > URL_MAX_CHARS:
        raise LifecycleError(f"The webhook's address is too long: keep it to {URL_MAX_CHARS}.")
    try:
        return webhook_http.check_url(url)
    except webhook_http.TargetRefused as refused:
        raise LifecycleError(refused.message) from None


def _checked_kinds(kinds: list[str]) -> list[str]:
    unknown = sorted(set(kinds) - set(webhooks.KINDS))
    if unknown:
        raise LifecycleError(
            f"Unknown webhook events: {', '.join(unknown)}. Choose from "
            f"{', '.join(webhooks.KINDS)}."
        )
    if not kinds:
        raise LifecycleError("Choose at least one event for the webhook to send.")
    return [kind for kind in webhooks.KINDS if kind in kinds]  # in the offered order


def origin(url: str) -> str:
    """The scheme, host and port of `url`: what an event says of a webhook's address."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _locked(webhook: Webhook | int) -> Webhook:
    pk = webhook.pk if isinstance(webhook, Webhook) else webhook
    return Webhook.objects.select_for_update(of=("self",)).select_related("committee").get(pk=pk)


def _record(action_name: str, actor, hook: Webhook, **payload) -> None:
    audit.record(
        action=action_name,
        actor=actor,
        committee=hook.committee,
        payload={"webhook": hook.pk, "target": origin(hook.url), **payload},
    )


@action
def do_create_webhook(
    *, committee: Committee, actor, url: str, kinds: list[str], active: bool = True
) -> Webhook:
    """Add a webhook to `committee`, with a new secret: its chair only."""
    _require_chair(actor, committee)
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    if Webhook.objects.filter(committee=committee).count() >= MAX_PER_COMMITTEE:
        raise LifecycleError(
            f"{committee} has {MAX_PER_COMMITTEE} webhooks already: remove one first."
        )
    hook = Webhook.objects.create(
        committee=committee,
        url=_checked_url(url),
        events=_checked_kinds(kinds),
        secret=webhooks.new_secret(),
        active=bool(active),
        created_by=actor,
        created_at=timezone.now(),
    )
    _record(events.WEBHOOK_CREATED, actor, hook, events=hook.events, active=hook.active)
    return hook


@action
def do_change_webhook(
    *, webhook: Webhook | int, actor, url: str, kinds: list[str], active: bool
) -> Webhook:
    """Change a webhook's address, events or whether it is sent: its committee's chair.
    Deliveries waiting go to the new address; those of an inactive webhook wait."""
    hook = _locked(webhook)
    _require_chair(actor, hook.committee)
    new = {"url": _checked_url(url), "events": _checked_kinds(kinds), "active": bool(active)}
    changed = {}
    for field, value in new.items():
        old = getattr(hook, field)
        if old != value:
            shown = origin if field == "url" else (lambda v: v)
            changed[field] = {"from": shown(old), "to": shown(value)}
            setattr(hook, field, value)
    if changed:
        hook.save(update_fields=list(changed))
        _record(events.WEBHOOK_CHANGED, actor, hook, changed=changed)
    return hook


@action
def do_rotate_webhook_secret(*, webhook: Webhook | int, actor) -> Webhook:
    """Give a webhook a new secret (the old one stops signing at once)."""
    hook = _locked(webhook)
    _require_chair(actor, hook.committee)
    hook.secret = webhooks.new_secret()
    hook.save(update_fields=["secret"])
    _record(events.WEBHOOK_CHANGED, actor, hook, secret_rotated=True)
    return hook


@action
def do_remove_webhook(*, webhook: Webhook | int, actor) -> None:
    """Remove a webhook with its deliveries (sent or waiting)."""
    hook = _locked(webhook)
    _require_chair(actor, hook.committee)
    _record(events.WEBHOOK_REMOVED, actor, hook, events=hook.events)
    hook.delete()


@action
def do_resend_webhook_delivery(*, delivery: WebhookDelivery | int, actor) -> WebhookDelivery:
    """Send a delivery that was given up again, with a fresh round of attempts."""
    pk = delivery.pk if isinstance(delivery, WebhookDelivery) else delivery
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("webhook__committee")
        .get(pk=pk)
    )
    _require_chair(actor, delivery.webhook.committee)
    if delivery.failed_at is None:
        raise LifecycleError(
            "Only a delivery that was given up is sent again; this one is "
            f"{'delivered' if delivery.delivered_at else 'still being tried'}."
        )
    now = timezone.now()
    delivery.failed_at = None
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.claimed_until = None
    delivery.save(update_fields=["failed_at", "attempts", "next_attempt_at", "claimed_until"])
    _record(
        events.WEBHOOK_DELIVERY_RESENT,
        actor,
        delivery.webhook,
        delivery=delivery.pk,
        kind=delivery.kind,
        event=delivery.event_id,
    )
    webhooks.wake_on_commit()
    return delivery
