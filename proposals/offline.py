"""Verifying an `export_lifecycle` file without the database (`verify_audit --export`).

The export carries every event's hashed fields, hash and seal, and the newest signed
checkpoint. This re-computes the chain from the fields (`chain.hash_fields`, the same
pure function the application uses), checks the seals and the checkpoint's signature
against a public key the verifier trusts, that the checkpoint's head is in the chain at
its position, and that each proposal's history in the file says what its events say.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from proposals import chain, signing


@dataclass
class OfflineReport:
    events: int = 0
    head: str = chain.GENESIS_HASH
    checkpoint: int | None = None
    covered: int = 0
    signed_at: str = ""
    key_id: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# What a proposal's history entry repeats of its event's hashed fields.
_HISTORY_FIELDS = {
    "actor": "actor_name",
    "action": "action",
    "from_state": "from_state",
    "to_state": "to_state",
    "reason": "reason",
}


def verify_export(data: dict, keys: signing.Keyring) -> OfflineReport:
    report = OfflineReport()
    if not isinstance(data, dict) or data.get("format") != "pmc-lifecycle-export":
        report.problems.append("the file is not a PMC Lifecycle export")
        return report
    events = data.get("events")
    if not isinstance(events, list):
        report.problems.append(
            "the export carries no events (made by a version before exports carried the log)"
        )
        return report
    by_id = _walk(events, keys, report)
    _check_checkpoint(data.get("audit", {}).get("checkpoint"), events, keys, report)
    audit = data.get("audit", {})
    if audit.get("events") != len(events) or audit.get("head") != report.head:
        report.problems.append(
            f"the export's audit summary ({audit.get('events')} events, head "
            f"{audit.get('head')}) does not match its events ({len(events)}, head {report.head})"
        )
    _check_histories(data.get("proposals", []), by_id, report)
    return report


def _walk(events: list, keys: signing.Keyring, report: OfflineReport) -> dict[int, dict]:
    previous, sealing_began, by_id = chain.GENESIS_HASH, False, {}
    for position, row in enumerate(events, start=1):
        try:
            fields, stated, seal = row["hashed"], row["hash"], row.get("seal", "")
            event_id = row["id"]
        except (KeyError, TypeError):
            report.problems.append(f"event at position {position} lacks its id, hash or fields")
            return by_id
        by_id[event_id] = fields
        if fields.get("prev") != previous:
            report.problems.append(
                f"event #{event_id} does not follow the event before it (an event was "
                "removed, re-ordered or re-hashed)"
            )
            return by_id
        if chain.hash_fields(fields) != stated:
            report.problems.append(
                f"event #{event_id} was edited: its fields no longer match its hash"
            )
            return by_id
        sealing_began = sealing_began or bool(seal)
        if seal and not keys.verifies(signing.event_statement(stated), seal):
            report.problems.append(f"the seal of event #{event_id} is not by the key given")
        elif sealing_began and not seal:
            report.problems.append(f"event #{event_id} carries no seal")
        previous = stated
        report.events, report.head = position, stated
    return by_id


def _check_checkpoint(data, events: list, keys: signing.Keyring, report: OfflineReport) -> None:
    if not data:
        report.problems.append("the export carries no signed checkpoint")
        return
    try:
        sequence, count, head = int(data["sequence"]), int(data["events"]), str(data["head"])
        signed_at = datetime.datetime.fromisoformat(str(data["signed_at"]).replace("Z", "+00:00"))
        statement = signing.checkpoint_statement(
            sequence=sequence, events=count, head=head, signed_at=signed_at
        )
        signature, key_id = str(data["signature"]), str(data.get("key_id", ""))
    except (KeyError, TypeError, ValueError) as error:
        report.problems.append(f"the export's checkpoint cannot be read ({error})")
        return
    report.checkpoint, report.covered, report.key_id = sequence, count, key_id
    report.signed_at = signing.time_text(signed_at)[:19] + "Z"
    if not keys.verifies(statement, signature, key_id if key_id in keys.trusted else ""):
        report.problems.append(
            f"checkpoint #{sequence} is not signed by the public key given (forged, or "
            "signed by another key)"
        )
        return
    if count > len(events):
        report.problems.append(
            f"checkpoint #{sequence} covered {count} events but the export has only {len(events)}"
        )
    elif count and events[count - 1].get("hash") != head:
        report.problems.append(
            f"checkpoint #{sequence}'s head is not the hash of event {count} in the export"
        )


def _check_histories(proposals, by_id: dict[int, dict], report: OfflineReport) -> None:
    for proposal in proposals if isinstance(proposals, list) else []:
        for entry in proposal.get("history", []):
            fields = by_id.get(entry.get("id"))
            if fields is None:
                report.problems.append(
                    f"proposal #{proposal.get('id')}'s history names event #{entry.get('id')}, "
                    "which is not in the exported log"
                )
                continue
            for name, hashed in _HISTORY_FIELDS.items():
                if entry.get(name) != fields.get(hashed):
                    report.problems.append(
                        f"proposal #{proposal.get('id')}'s history says {name} "
                        f"{entry.get(name)!r} for event #{entry.get('id')}; the log says "
                        f"{fields.get(hashed)!r}"
                    )
