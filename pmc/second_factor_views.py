"""Setting up and confirming a second factor (see pmc.second_factor for who needs one)."""

from __future__ import annotations

import base64
import math

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from pmc import second_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=64,
        help_text="The 6 digits your authenticator app shows now.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


def _qr_code(uri: str) -> str:
    """The otpauth URI as a QR code, an SVG in a data: URL (the policy allows data: images
    and no inline styles)."""
    svg = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, border=2).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def _refusal(device) -> str | None:
    """Why no code may be tried now (too many wrong ones in a row), or None."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    wait = math.ceil((data["locked_until"] - timezone.now()).total_seconds()) if data else 1
    return (
        f"Too many wrong codes in a row ({data['failure_count'] if data else 'several'}). "
        f"Wait {max(wait, 1)} second{'s' if wait != 1 else ''}, then try again."
    )


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    next_url = second_factor.safe_next(request, request.GET.get("next"))
    if second_factor.authenticator(request.user) is not None and not request.user.is_verified():
        # Replacing an authenticator needs the current one first.
        return redirect(f"{reverse('second_factor:verify')}?{request.GET.urlencode()}")
    device = second_factor.pending_authenticator(request.user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        refusal = _refusal(device)
        if refusal:
            form.add_error("code", refusal)
            status = 429
        elif device.verify_token(form.cleaned_data["code"]):
            codes = second_factor.confirm_authenticator(device)
            otp_login(request, device)
            return render(
                request,
                "registration/second_factor_recovery_codes.html",
                {"codes": codes, "next": next_url, "first_time": True},
            )
        else:
            form.add_error(
                "code",
                "That code is not the one your app shows for this secret. Check that the "
                "app's clock is right and that you added the secret shown here, then try "
                "the newest code.",
            )
    uri = device.config_url
    context = {
        "form": form,
        "secret": second_factor.secret_text(device),
        "qr_code": _qr_code(uri),
        "next": next_url,
        "required": second_factor.required_for(request.user),
        "replacing": second_factor.authenticator(request.user) is not None,
    }
    return render(request, "registration/second_factor_setup.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    next_url = second_factor.safe_next(request, request.GET.get("next"))
    if second_factor.authenticator(request.user) is None:
        return redirect(f"{reverse('second_factor:setup')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        device = second_factor.device_for_code(request.user, code)
        refusal = _refusal(device) if device else None
        if refusal:
            form.add_error("code", refusal)
            status = 429
        elif device and device.verify_token(code):
            otp_login(request, device)
            if isinstance(device, second_factor.StaticDevice):
                left = second_factor.recovery_code_used(request.user)
                messages.warning(
                    request,
                    f"You used a recovery code; it will not work again. {left} remain: "
                    "make new ones on the second-factor page if you are running out.",
                )
            else:
                messages.success(request, "Second factor confirmed for this session.")
            return redirect(next_url)
        else:
            form.add_error(
                "code",
                "That code is not right: enter the 6 digits your authenticator app shows "
                "now, or one of your unused recovery codes.",
            )
    return render(
        request,
        "registration/second_factor_verify.html",
        {"form": form, "next": next_url},
        status=status,
    )


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), for a session that has confirmed
    its second factor."""
    if not request.user.is_verified():
        return redirect("second_factor:verify")
    codes = second_factor.new_recovery_codes(request.user)
    return render(
        request,
        "registration/second_factor_recovery_codes.html",
        {"codes": codes, "next": second_factor.safe_next(request, None), "first_time": False},
    )
