"""Who may read pages, and turning refused actions into answers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from pmc.markup import MarkupTooComplex
from proposals import permissions
from proposals.errors import LifecycleError, NotPermitted


def readable(view):
    """Reading is public unless PMC_PUBLIC_READ is off; then it is for members of a
    committee (and staff) only."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PMC_PUBLIC_READ:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (request.user.is_staff or permissions.roles_by_committee(request.user)):
                raise PermissionDenied(
                    "These pages are for members of a committee. Ask a chair for a seat."
                )
        return view(request, *args, **kwargs)

    return wrapper


def run_action(request, action, success: str | Callable[[Any], str], **kwargs):
    """Run one action for the signed-in user; a permission refusal becomes a 403 page that
    says why, any other refusal a message on the page the user returns to. `success` is
    the message on success, or makes it from what the action returned."""
    try:
        result = action(actor=request.user, **kwargs)
    except NotPermitted as refused:
        raise PermissionDenied(refused.message) from refused
    except LifecycleError as refused:
        messages.error(request, refused.message)
        return None
    except MarkupTooComplex as refused:  # a text the renderer refuses, found on saving
        messages.error(request, str(refused))
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result
