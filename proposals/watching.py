"""Who watches a proposal, and so hears of its new comments and concerns.

Watching follows taking part: the proposer, everyone who commented, voted or raised a
concern on it watch it, as does anyone who pressed Watch; whoever pressed Unwatch does
not, even if they take part again later (their `Watch` row says `watching=False`). It
is read from those rows each time rather than copied into `Watch` rows when people
take part, so every proposal, the ones from before watching existed included, has its
watchers, and the actions that count as taking part need not know about it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from proposals.models import Comment, Concern, Proposal, Vote, Watch


def watchers(proposal: Proposal) -> QuerySet:
    """The people watching `proposal` (one query when evaluated)."""
    took_part = (
        Q(pk=proposal.proposer_id or 0)
        | Q(pk__in=Comment.objects.filter(proposal=proposal).values("author_id"))
        | Q(pk__in=Vote.objects.filter(proposal=proposal).values("voter_id"))
        | Q(pk__in=Concern.objects.filter(proposal=proposal).values("raised_by_id"))
        | Q(pk__in=Watch.objects.filter(proposal=proposal, watching=True).values("user_id"))
    )
    unwatched = Watch.objects.filter(proposal=proposal, watching=False).values("user_id")
    return get_user_model().objects.filter(took_part).exclude(pk__in=unwatched)


def is_watching(user, proposal: Proposal) -> bool:
    """Whether `user` watches `proposal` (one query; none for anonymous readers)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return watchers(proposal).filter(pk=user.pk).exists()
