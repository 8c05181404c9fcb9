"""A proposal's earlier texts: the list of its revisions, each revision's text, and what
each edit changed. Whoever may read the proposal may read these."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from pmc.markup import MarkupTooComplex, render_markdown
from proposals import revisions as revision_log
from proposals.models import Proposal
from proposals.page_cache import kept_page
from proposals.views.access import readable


def _proposal_and_revisions(pk: int):
    proposal = get_object_or_404(Proposal.objects.select_related("committee", "project"), pk=pk)
    return proposal, revision_log.revisions(proposal)


def _numbered(found: list, number: int):
    revision = next((r for r in found if r.number == number), None)
    if revision is None:
        raise Http404(f"This proposal has no revision {number}; it has {len(found)}.")
    return revision


@readable
@kept_page
def revision_list(request, pk: int):
    proposal, found = _proposal_and_revisions(pk)
    return render(
        request,
        "proposals/revision_list.html",
        {"proposal": proposal, "revisions": list(reversed(found)), "labels": revision_log.LABELS},
    )


@readable
@kept_page
def revision_detail(request, pk: int, number: int):
    proposal, found = _proposal_and_revisions(pk)
    revision = _numbered(found, number)
    body = revision.fields["body"]
    try:
        body_html = render_markdown(body)
    except MarkupTooComplex:
        body_html = None  # shown as plain text: the rules for rendering changed since
    return render(
        request,
        "proposals/revision_detail.html",
        {
            "proposal": proposal,
            "revision": revision,
            "body_html": body_html,
            "latest": found[-1].number,
            "labels": revision_log.LABELS,
        },
    )


@readable
@kept_page
def revision_changes(request, pk: int, number: int):
    proposal, found = _proposal_and_revisions(pk)
    revision = _numbered(found, number)
    index = found.index(revision)
    if index == 0:
        raise Http404("Revision 1 is the text as filed; nothing came before it.")
    previous = found[index - 1]
    return render(
        request,
        "proposals/revision_changes.html",
        {
            "proposal": proposal,
            "revision": revision,
            "previous": previous,
            "changes": revision_log.changes(revision, previous),
            "latest": found[-1].number,
        },
    )
