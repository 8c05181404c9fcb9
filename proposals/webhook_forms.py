"""The form a committee's chair adds or changes a webhook with."""

from __future__ import annotations

from django import forms

from proposals import webhooks
from proposals.models import Webhook


class WebhookForm(forms.Form):
    url = forms.CharField(
        label="Address",
        max_length=Webhook._meta.get_field("url").max_length,
        help_text="Where each delivery is POSTed, e.g. https://hooks.example.org/pmc.",
    )
    kinds = forms.MultipleChoiceField(
        label="Events to send",
        choices=list(webhooks.KINDS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event for the webhook to send."},
    )
    active = forms.BooleanField(
        label="Send deliveries (untick to pause; deliveries wait until it is ticked again)",
        required=False,
        initial=True,
    )

    @classmethod
    def for_webhook(cls, hook: Webhook, data=None) -> WebhookForm:
        initial = {"url": hook.url, "kinds": hook.events, "active": hook.active}
        return cls(data, initial=initial, auto_id="hook_%s")
