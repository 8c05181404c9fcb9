"""The endpoints that both read and write: the proposals (listed and filed, shown and
edited) and a proposal's comments (listed and posted)."""

from __future__ import annotations

from rest_framework import viewsets

from proposals.api.reading import CommentReading, ProposalReading
from proposals.api.writing import CommentPosting, ProposalWriting


class ProposalViewSet(ProposalWriting, ProposalReading, viewsets.GenericViewSet):
    """The proposals."""

    http_method_names = ["get", "post", "patch", "head", "options"]


class ProposalComments(CommentPosting, CommentReading):
    """A proposal's discussion."""
