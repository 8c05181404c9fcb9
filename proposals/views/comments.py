"""The discussion on the web: posting (with a preview), replying, editing, withdrawing
and hiding comments, and reading a comment's versions. Each POST view checks the form,
calls one comment action and redirects; a refusal comes back beside the text typed, so
nothing is lost, and a refusal of permission is a 403 page that says why."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import linebreaks
from django.views.decorators.http import require_POST

from pmc.markup import MarkupTooComplex, render_markdown
from proposals import actions, permissions
from proposals.comment_forms import CommentForm, HideCommentForm, WithdrawCommentForm, comment_help
from proposals.errors import LifecycleError, NotPermitted
from proposals.models import Comment, Proposal
from proposals.views.access import readable
from proposals.views.proposal_pages import detail_context


@require_POST
@login_required
def comment_post(request, pk: int):
    """A new comment, or a reply when the form names `reply_to`; with `preview`, the
    page again with the text rendered and nothing saved."""
    proposal = get_object_or_404(_proposals(), pk=pk)
    form = CommentForm(request.POST)
    if not form.is_valid():  # only a forged reply_to can make it so
        messages.error(request, "That reply names no comment. Reload the page and try again.")
        return redirect(proposal)
    if "preview" in request.POST:
        refusal = permissions.comment_refusal(request.user, proposal)
        if refusal is not None:
            raise PermissionDenied(refusal)
        return _page_again(request, proposal, form, form.preview())
    try:
        comment = actions.do_post_comment(
            proposal=proposal,
            actor=request.user,
            body=form.cleaned_data["body"],
            reply_to=form.cleaned_data["reply_to"],
        )
    except NotPermitted as refused:
        raise PermissionDenied(refused.message) from refused
    except LifecycleError as refused:
        form.refuse(refused.message)
        return _page_again(request, proposal, form)
    messages.success(
        request, "Your reply is posted." if comment.parent_id else "Your comment is posted."
    )
    return redirect(f"{proposal.get_absolute_url()}#comment-{comment.pk}")


@login_required
def comment_edit(request, pk: int, comment_pk: int):
    """The author's comment with its current text, to change; every earlier version stays
    readable."""
    comment = _comment(pk, comment_pk)
    if not permissions.has_perm("proposals.withdraw_comment", request.user, comment):
        raise PermissionDenied("Only its author may edit a comment.")
    refusal = permissions.comment_refusal(request.user, comment.proposal)
    if refusal is not None:
        raise PermissionDenied(refusal)
    if request.method != "POST" and (comment.withdrawn_at or comment.hidden_at):
        messages.error(
            request,
            "This comment was withdrawn; there is nothing left to edit."
            if comment.withdrawn_at
            else "A chair hid this comment; it can no longer be edited.",
        )
        return redirect(f"{comment.proposal.get_absolute_url()}#comment-{comment.pk}")
    form = CommentForm(request.POST if request.method == "POST" else None)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = form.preview()
        else:
            try:
                actions.do_edit_comment(
                    comment=comment, actor=request.user, body=form.cleaned_data["body"]
                )
            except NotPermitted as refused:
                raise PermissionDenied(refused.message) from refused
            except LifecycleError as refused:
                form.refuse(refused.message)
            else:
                messages.success(request, "Your comment is updated; the earlier text is kept.")
                return redirect(f"{comment.proposal.get_absolute_url()}#comment-{comment.pk}")
    return render(
        request,
        "proposals/comment_edit.html",
        {
            "proposal": comment.proposal,
            "comment": comment,
            "form": form if form.is_bound else None,
            "preview": preview,
            "comment_help": comment_help(),
        },
    )


@login_required
def comment_withdraw(request, pk: int, comment_pk: int):
    """Asks the author to confirm; the POST withdraws. The thread keeps a placeholder."""
    comment = _comment(pk, comment_pk)
    if not permissions.has_perm("proposals.withdraw_comment", request.user, comment):
        raise PermissionDenied("Only its author may withdraw a comment.")
    form = WithdrawCommentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = _act(
            request,
            form,
            actions.do_withdraw_comment,
            comment=comment,
            reason=form.cleaned_data["reason"],
        )
        if done:
            messages.success(request, "Your comment is withdrawn; the thread says so.")
            return redirect(f"{comment.proposal.get_absolute_url()}#comment-{comment.pk}")
    return render(
        request,
        "proposals/comment_withdraw.html",
        {"proposal": comment.proposal, "comment": comment, "form": form},
    )


@login_required
def comment_hide(request, pk: int, comment_pk: int):
    """A chair hides a comment, giving the reason the thread shows in its place."""
    comment = _comment(pk, comment_pk)
    if not permissions.has_perm("proposals.hide_comment", request.user, comment):
        raise PermissionDenied(
            f"Only the chair of {comment.proposal.committee} or an administrator may hide "
            "a comment."
        )
    form = HideCommentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = _act(
            request,
            form,
            actions.do_hide_comment,
            comment=comment,
            reason=form.cleaned_data["reason"],
        )
        if done:
            messages.success(request, "The comment is hidden; the thread shows your reason.")
            return redirect(f"{comment.proposal.get_absolute_url()}#comment-{comment.pk}")
    return render(
        request,
        "proposals/comment_hide.html",
        {"proposal": comment.proposal, "comment": comment, "form": form},
    )


@readable
def comment_versions(request, pk: int, comment_pk: int):
    """Every version of a comment, oldest first, each rendered and sanitised. A withdrawn
    or hidden comment's text is for staff only, as in the thread."""
    comment = _comment(pk, comment_pk)
    shown = request.user.is_staff or (comment.withdrawn_at is None and comment.hidden_at is None)
    versions = []
    if shown:
        for version in comment.versions.order_by("number"):
            versions.append({"version": version, "html": _rendered(version.body)})
    return render(
        request,
        "proposals/comment_versions.html",
        {
            "proposal": comment.proposal,
            "comment": comment,
            "versions": list(reversed(versions)),
            "shown": shown,
        },
    )


def _proposals():
    return Proposal.objects.select_related("committee", "project", "proposer", "decided_in")


def _comment(pk: int, comment_pk: int) -> Comment:
    return get_object_or_404(
        Comment.objects.select_related("proposal__committee", "author", "hidden_by"),
        pk=comment_pk,
        proposal_id=pk,
    )


def _act(request, form, action, **kwargs) -> bool:
    """Run `action`; a refusal goes on the form, beside what was typed."""
    try:
        action(actor=request.user, **kwargs)
    except NotPermitted as refused:
        raise PermissionDenied(refused.message) from refused
    except LifecycleError as refused:
        form.add_error("reason", refused.message)
        return False
    return True


def _page_again(request, proposal: Proposal, form: CommentForm, preview: str | None = None):
    """The proposal's page with the comment form as sent: its text, its errors and its
    preview, in its place (under its thread for a reply)."""
    context = detail_context(request, proposal, comment_form=form, comment_preview=preview)
    return render(request, "proposals/proposal_detail.html", context)


def _rendered(body: str) -> str:
    # Versions were accepted by the action, so they render; an older text that a
    # tightened limit now refuses still shows, escaped, rather than failing the page.
    try:
        return render_markdown(body)
    except MarkupTooComplex:
        return linebreaks(body, autoescape=True)
