"""A person's API tokens, on their profile page: create one (its text is shown once, in
the answer to the form, which nothing stores: a reload sends the form again, which the
name already taken refuses) and revoke one. Each is one action
(`proposals.actions.api_tokens`), with its event."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from proposals import actions
from proposals.errors import LifecycleError, NotPermitted
from proposals.models import ApiToken
from proposals.views.profile import ApiTokenForm, profile_page

ANCHOR = "api-tokens-h"


@never_cache
@login_required
@require_POST
def create_token(request):
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            new = actions.do_create_api_token(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                actor=request.user,
            )
        except NotPermitted as refused:
            raise PermissionDenied(refused.message) from refused
        except LifecycleError as refused:
            form.add_error(None, refused.message)
        else:
            return render(request, "proposals/api_token_created.html", {"new": new})
    return profile_page(request, status=400, token_form=form)


@login_required
@require_POST
def revoke_token(request, pk: int):
    # Another person's token is not found: whose tokens exist is nobody else's business.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if actions.do_revoke_api_token(token=token, actor=request.user):
        messages.success(
            request, f"The token “{token.name}” ({token.prefix}…) is revoked: it works no more."
        )
    else:
        messages.info(request, f"The token “{token.name}” was already revoked.")
    return redirect(f"{reverse('proposals:profile')}#{ANCHOR}")
