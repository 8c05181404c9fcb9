"""A committee's outgoing webhooks, for its chair only: the list and the form that adds
one, each webhook's page (its secret, its form, its deliveries), and the buttons that
give it a new secret, remove it, or send a failed delivery again. Each change is one
action of `proposals.actions.webhooks`; anyone else gets a 403 and sees no secret."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pmc.models import Committee
from proposals import actions, permissions, webhooks
from proposals.errors import LifecycleError, NotPermitted
from proposals.models import Webhook, WebhookDelivery
from proposals.views.access import run_action
from proposals.webhook_forms import WebhookForm

DELIVERIES_SHOWN = 50


def _chaired(request, slug: str) -> Committee:
    committee = get_object_or_404(Committee, slug=slug)
    if not permissions.has_perm("proposals.manage_webhooks", request.user, committee):
        raise PermissionDenied(f"Only the chair of {committee} manages its webhooks.")
    return committee


def _hook(request, slug: str, pk: int) -> Webhook:
    committee = _chaired(request, slug)
    return get_object_or_404(
        Webhook.objects.select_related("committee"), pk=pk, committee=committee
    )


def _saved(request, form: WebhookForm, action, **kwargs):
    """Run the action with the form's values; a refusal becomes the form's error."""
    try:
        return action(
            actor=request.user,
            url=form.cleaned_data["url"],
            kinds=form.cleaned_data["kinds"],
            active=form.cleaned_data["active"],
            **kwargs,
        )
    except NotPermitted as refused:
        raise PermissionDenied(refused.message) from refused
    except LifecycleError as refused:
        form.add_error(None, refused.message)
        return None


@never_cache
@login_required
def webhook_list(request, slug: str):
    committee = _chaired(request, slug)
    form = WebhookForm(
        request.POST or None, initial={"active": True, "kinds": list(webhooks.KINDS)}
    )
    if request.method == "POST" and form.is_valid():
        hook = _saved(request, form, actions.do_create_webhook, committee=committee)
        if hook is not None:
            messages.success(
                request,
                "Webhook added. Give its secret (below) to the receiver, which checks each "
                "delivery's signature with it.",
            )
            return redirect("proposals:webhook", committee.slug, hook.pk)
    context = {
        "committee": committee,
        "hooks": Webhook.objects.filter(committee=committee).order_by("pk"),
        "form": form,
        "kinds": webhooks.KINDS,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "proposals/webhook_list.html", context, status=status)


@never_cache  # it shows the secret
@login_required
def webhook_detail(request, slug: str, pk: int):
    hook = _hook(request, slug, pk)
    form = WebhookForm.for_webhook(hook, request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _saved(request, form, actions.do_change_webhook, webhook=hook)
        if done is not None:
            messages.success(request, "Webhook saved.")
            return redirect("proposals:webhook", slug, hook.pk)
    deliveries = WebhookDelivery.objects.filter(webhook=hook).defer("body")
    context = {
        "committee": hook.committee,
        "hook": hook,
        "form": form,
        "deliveries": deliveries.order_by("-pk")[:DELIVERIES_SHOWN],
        "delivery_count": deliveries.count(),
        "max_attempts": webhooks.MAX_ATTEMPTS,
        "signature_header": webhooks.SIGNATURE_HEADER,
        "delivery_header": webhooks.DELIVERY_HEADER,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "proposals/webhook_detail.html", context, status=status)


@require_POST
@login_required
def rotate_secret(request, slug: str, pk: int):
    hook = _hook(request, slug, pk)
    run_action(
        request,
        actions.do_rotate_webhook_secret,
        "New secret made: the old one no longer signs. Give the new one to the receiver.",
        webhook=hook,
    )
    return redirect("proposals:webhook", slug, hook.pk)


@require_POST
@login_required
def remove_webhook(request, slug: str, pk: int):
    hook = _hook(request, slug, pk)
    done = run_action(request, actions.do_remove_webhook, "Webhook removed.", webhook=hook)
    if done is None and Webhook.objects.filter(pk=hook.pk).exists():
        return redirect("proposals:webhook", slug, hook.pk)
    return redirect("proposals:webhooks", slug)


@require_POST
@login_required
def resend_delivery(request, slug: str, pk: int, delivery: int):
    hook = _hook(request, slug, pk)
    row = get_object_or_404(WebhookDelivery, pk=delivery, webhook=hook)
    run_action(
        request,
        actions.do_resend_webhook_delivery,
        f"Delivery {row.pk} will be sent again in a moment.",
        delivery=row,
    )
    return redirect("proposals:webhook", slug, hook.pk)
