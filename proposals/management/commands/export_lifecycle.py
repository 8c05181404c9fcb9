"""Export committees, members, projects, meetings and proposals as one JSON document.

    manage.py export_lifecycle --format json [--output FILE]

The document follows `proposals/export_schema.json` (documented in the README's
"Export schema" section): keys may be added, never renamed. Dates are YYYY-MM-DD, times
ISO 8601 in UTC. It also reports the audit chain's length, head hash and whether it
verified, so an archive can later be checked against the live log, and carries the log
itself (every event's hashed fields, hash and seal) with the newest signed checkpoint,
so that `verify_audit --export FILE --public-key KEY` checks it without the database.

The rows are read in one transaction so the export is a consistent snapshot (on
SQLite the transaction also holds the write lock, so writers wait until it is done).
The number of queries does not grow with the number of rows: related rows are
prefetched per chunk of proposals and written out as they are read.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from pmc.models import Committee, Meeting, Membership, Project, TeamReport
from proposals import checkpoints, signing
from proposals.audit import verify_chain
from proposals.models import (
    ChecklistItem,
    Comment,
    CommentVersion,
    Concern,
    Event,
    Proposal,
    ProposalMeeting,
    Vote,
)

FORMATS = ("json",)
FORMAT_NAME = "pmc-lifecycle-export"
FORMAT_VERSION = 1
CHUNK_SIZE = 500


class Command(BaseCommand):
    help = (
        "Export committees, members, projects, meetings and proposals (with their meeting "
        "mentions, checklists, votes, history, comments and concerns) as one JSON document "
        "described by proposals/export_schema.json. Writes to stdout unless --output is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--format",
            default="json",
            dest="output_format",
            help=f"Output format; supported: {', '.join(FORMATS)} (the default).",
        )
        parser.add_argument(
            "--output",
            metavar="FILE",
            help="Write to FILE (replaced only once the export is complete) instead of stdout.",
        )

    def handle(self, *args, output_format: str, output: str | None = None, **options) -> None:
        if output_format not in FORMATS:
            raise CommandError(
                f"Unknown format {output_format!r}. Supported: {', '.join(FORMATS)}; "
                "use --format json."
            )
        self._sign_checkpoint()
        if output:
            counts = self._export_to_file(Path(output))
            if options["verbosity"] >= 1:
                summary = ", ".join(f"{n} {key}" for key, n in counts.items())
                self.stdout.write(f"Exported {summary} to {output}.")
        else:
            self._export(lambda text: self.stdout.write(text, ending=""))

    def _sign_checkpoint(self) -> None:
        """Sign a checkpoint of the log as it is, so that the export carries one covering
        its events; without a key, or over a log that no longer extends the last
        checkpoint, the export carries the newest one there is (and says why)."""
        try:
            checkpoints.sign(only_if_new=True)
        except (signing.KeyMissing, checkpoints.CheckpointRefused) as why:
            self.stderr.write(f"Warning: no new checkpoint signed for the export: {why}")

    def _export_to_file(self, path: Path) -> dict[str, int]:
        # Write next to the target and rename, so a failed export never leaves a
        # truncated file where a good one was.
        directory = path.resolve().parent
        if not directory.is_dir():
            raise CommandError(f"Cannot write {path}: the directory {directory} does not exist.")
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                counts = self._export(out.write)
            os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private (0600)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        return counts

    def _export(self, write: Callable[[str], object]) -> dict[str, int]:
        with _snapshot():
            exported_at = timezone.now()
            report = verify_chain()
            if not report.ok:
                self.stderr.write(
                    f"Warning: the audit chain is broken at event #{report.broken_at} "
                    "(run verify_audit); exporting anyway with audit.verified = false."
                )
            sections: list[tuple[str, object]] = [
                ("format", FORMAT_NAME),
                ("version", FORMAT_VERSION),
                ("exported_at", _time(exported_at)),
                (
                    "audit",
                    {
                        "events": report.checked if report.ok else Event.objects.count(),
                        "head": report.head,
                        "verified": report.ok,
                        "broken_at": report.broken_at,
                        "checkpoint": _newest_checkpoint(),
                    },
                ),
                ("committees", committees()),
                ("members", members()),
                ("projects", projects()),
                ("meetings", meetings()),
                ("proposals", proposals()),
                ("events", events()),
            ]
            return write_json_object(write, sections)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


@contextlib.contextmanager
def _snapshot():
    """One read transaction for the whole export, unless the caller already opened one."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Each statement of a READ COMMITTED transaction sees a new snapshot; one
            # snapshot keeps proposals, votes and events consistent with each other.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def write_json_object(
    write: Callable[[str], object], sections: Iterable[tuple[str, object]]
) -> dict[str, int]:
    """Write {key: value, ...} as indented JSON; an iterator value is streamed as a list.

    Returns how many items each streamed list had.
    """
    counts: dict[str, int] = {}
    write("{")
    for index, (key, value) in enumerate(sections):
        write(",\n  " if index else "\n  ")
        write(f"{json.dumps(key)}: ")
        if isinstance(value, Iterator):
            count = 0
            for item in value:
                write(",\n    " if count else "[\n    ")
                write(_dumps(item, "    "))
                count += 1
            write("\n  ]" if count else "[]")
            counts[key] = count
        else:
            write(_dumps(value, "  "))
    write("\n}\n")
    return counts


def _dumps(value: object, indent: str) -> str:
    # json.dumps escapes newlines inside strings, so every newline is a line break.
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)


def _date(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _time(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _username(user) -> str | None:
    return None if user is None else user.get_username()


# The sections. Each reads its rows with a fixed number of queries.


def _newest_checkpoint() -> dict | None:
    newest = checkpoints.newest_signed(signing.keyring())
    return checkpoints.as_json(newest) if newest else None


def events() -> Iterator[dict]:
    """The log itself: each event's hashed fields, hash and seal, so that the chain can be
    re-computed from the file alone (`verify_audit --export`)."""
    for event in Event.objects.order_by("id").iterator(chunk_size=2000):
        yield {
            "id": event.pk,
            "hash": event.hash,
            "seal": event.seal,
            "hashed": event.hashed_fields(),
        }


def committees() -> Iterator[dict]:
    for committee in Committee.objects.order_by("name").iterator():
        yield {
            "id": committee.pk,
            "name": committee.name,
            "slug": committee.slug,
            "voting_policy": committee.voting_rules(),
        }


def members() -> Iterator[dict]:
    rows = Membership.objects.select_related("user", "committee").order_by(
        "committee__name", "user__username", "started_on", "id"
    )
    for membership in rows.iterator():
        yield {
            "user": membership.user.get_username(),
            "committee": membership.committee.name,
            "role": membership.role,
            "start": _date(membership.started_on),
            "end": _date(membership.ended_on),
        }


def projects() -> Iterator[dict]:
    for project in Project.objects.select_related("committee").order_by("name").iterator():
        yield {
            "id": project.pk,
            "name": project.name,
            "committee": project.committee.name,
            "status": project.status,
            "former_names": list(project.former_names),
            "lead": project.lead or None,
            "repository_urls": list(project.repository_urls),
        }


def meetings() -> Iterator[dict]:
    rows = (
        Meeting.objects.select_related("committee")
        .prefetch_related(
            Prefetch("team_reports", queryset=TeamReport.objects.order_by("position", "id"))
        )
        .order_by("date", "committee__name", "id")
    )
    for meeting in rows.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "id": meeting.pk,
            "committee": meeting.committee.name,
            "date": _date(meeting.date),
            "title": meeting.title,
            "source": meeting.source,
            "team_reports": [
                {"team": report.team, "lead": report.lead or None}
                for report in meeting.team_reports.all()
            ],
        }


def proposals() -> Iterator[dict]:
    rows = (
        Proposal.objects.select_related("committee", "project", "proposer")
        .prefetch_related(
            Prefetch(
                "mentions",
                queryset=ProposalMeeting.objects.select_related("meeting__committee").order_by(
                    "meeting__date", "id"
                ),
            ),
            Prefetch(
                "checklist",
                queryset=ChecklistItem.objects.select_related("owner", "done_by").order_by(
                    "position", "id"
                ),
            ),
            Prefetch(
                "votes",
                queryset=Vote.objects.select_related("voter", "recorded_by").order_by(
                    "round", "cast_at", "id"
                ),
            ),
            Prefetch(
                "comments",
                queryset=Comment.objects.select_related("author", "hidden_by")
                .prefetch_related(
                    Prefetch("versions", queryset=CommentVersion.objects.order_by("number"))
                )
                .order_by("created_at", "id"),
            ),
            Prefetch(
                "concerns",
                queryset=Concern.objects.select_related("raised_by", "resolved_by").order_by(
                    "raised_at", "id"
                ),
            ),
            Prefetch(
                "events",
                queryset=Event.objects.only(
                    "id", "proposal_id", "at", "actor_name", "action", "from_state", "to_state",
                    "reason",
                ).order_by("id"),
            ),
        )
        .order_by("id")
    )  # fmt: skip
    for proposal in rows.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "id": proposal.pk,
            "committee": proposal.committee.name,
            "kind": proposal.kind,
            "project": proposal.project.name if proposal.project else None,
            "title": proposal.title,
            "state": proposal.state,
            "condition": proposal.condition,
            "proposing_team": proposal.proposing_team,
            "proposer": _username(proposal.proposer),
            "new_name": proposal.new_name,
            "new_lead": proposal.new_lead,
            "body": proposal.body,
            "revision": proposal.revision,
            "created_at": _time(proposal.created_at),
            "meetings": [
                {
                    "id": mention.meeting.pk,
                    "committee": mention.meeting.committee.name,
                    "date": _date(mention.meeting.date),
                    "section": mention.section,
                    "excerpt": mention.excerpt,
                }
                for mention in proposal.mentions.all()
            ],
            "checklist": [
                {
                    "text": item.text,
                    "owner": _username(item.owner),
                    "done": item.done,
                    "done_at": _time(item.done_at),
                    "done_by": _username(item.done_by),
                }
                for item in proposal.checklist.all()
            ],
            "votes": [
                {
                    "voter": vote.voter.get_username(),
                    "round": vote.round,
                    "value": vote.value,
                    "recused": vote.recused,
                    "binding": vote.binding,
                    "reason": vote.reason,
                    "cast_at": _time(vote.cast_at),
                    "revision": vote.revision,
                    "recorded_by": vote.recorded_by.get_username() if vote.recorded_by else None,
                    "proxy_note": vote.proxy_note,
                }
                for vote in proposal.votes.all()
            ],
            "history": [
                {
                    "id": event.pk,
                    "at": _time(event.at),
                    "actor": event.actor_name,
                    "action": event.action,
                    "from_state": event.from_state,
                    "to_state": event.to_state,
                    "reason": event.reason,
                }
                for event in proposal.events.all()
            ],
            "comments": discussion(proposal.comments.all()),
            "concerns": [concern_row(concern) for concern in proposal.concerns.all()],
        }


def discussion(comments: Iterable[Comment]) -> list[dict]:
    """Top-level comments, oldest first, each with its replies under it."""
    comments = list(comments)
    replies: dict[int, list[dict]] = {}
    for comment in comments:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(comment_row(comment))
    return [
        comment_row(comment) | {"replies": replies.get(comment.pk, [])}
        for comment in comments
        if comment.parent_id is None
    ]


def comment_state(comment: Comment) -> str:
    if comment.hidden_at is not None:
        return "hidden"
    if comment.withdrawn_at is not None:
        return "withdrawn"
    return "edited" if comment.version > 1 else "visible"


def comment_row(comment: Comment) -> dict:
    return {
        "id": comment.pk,
        "author": comment.author.get_username(),
        "by_member": comment.by_member,
        "created_at": _time(comment.created_at),
        "state": comment_state(comment),
        "body": comment.body,
        "version": comment.version,
        "edited_at": _time(comment.edited_at),
        "withdrawn_at": _time(comment.withdrawn_at),
        "hidden": None
        if comment.hidden_at is None
        else {
            "at": _time(comment.hidden_at),
            "by": _username(comment.hidden_by),
            "reason": comment.hidden_reason,
        },
        "versions": [
            {
                "number": version.number,
                "body": version.body,
                "written_at": _time(version.written_at),
            }
            for version in comment.versions.all()
        ],
    }


def concern_row(concern: Concern) -> dict:
    return {
        "id": concern.pk,
        "title": concern.title,
        "comment": concern.comment_id,
        "raised_by": concern.raised_by.get_username(),
        "raised_at": _time(concern.raised_at),
        "raised_in": concern.raised_in,
        "resolved_at": _time(concern.resolved_at),
        "resolved_by": _username(concern.resolved_by),
        "resolution": concern.resolution,
    }
