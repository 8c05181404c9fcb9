"""Projects: adding them to a committee's list and correcting their details."""

from __future__ import annotations

import datetime

from pmc.models import Committee, Project, ProjectStatus
from proposals import audit, events
from proposals.actions._base import (
    _apply_changes,
    _nonblank,
    _require_committee_admin,
    _require_free_name,
    _require_known_fields,
    _single_line,
    action,
)

PROJECT_FIELDS = ("name", "status", "repository_urls", "lead", "former_names")


@action
def do_create_project(
    *,
    committee: Committee,
    actor,
    name: str,
    status: str = ProjectStatus.PROPOSED,
    repository_urls: list[str] | None = None,
    lead: str = "",
    former_names: list[str] | None = None,
    reason: str = "",
    at: datetime.datetime | None = None,
) -> Project:
    """Put a project on a committee's list (its chair and administrators may)."""
    _require_committee_admin(actor, committee, "change its projects")
    _single_line(name=name, lead=lead, former_names=list(former_names or []))
    name = _nonblank(name, "A project needs a name.")
    _require_free_name(name)
    project = Project.objects.create(
        committee=committee,
        name=name,
        status=status,
        repository_urls=list(repository_urls or []),
        lead=lead,
        former_names=list(former_names or []),
    )
    audit.record(
        action=events.PROJECT_CREATED,
        actor=actor,
        at=at,
        committee=committee,
        project=project,
        reason=reason,
        payload={
            "from": "",
            "to": project.status,
            "name": project.name,
            "repository_urls": project.repository_urls,
            "lead": project.lead,
            "former_names": project.former_names,
        },
    )
    return project


@action
def do_update_project(
    *, project: Project | int, actor, reason: str = "", at=None, **changes
) -> Project:
    """Correct a project's details outside a proposal (its chair and administrators may).

    Renames, leads and status normally change when a proposal is completed; this is
    for corrections, and records the old and new values like any other change.
    """
    _require_known_fields(changes, PROJECT_FIELDS, "changed")
    pk = project.pk if isinstance(project, Project) else project
    project = Project.objects.select_for_update().select_related("committee").get(pk=pk)
    _require_committee_admin(actor, project.committee, "change its projects")
    _single_line(
        **{field: changes[field] for field in ("name", "lead", "former_names") if field in changes}
    )
    if "name" in changes:
        changes["name"] = _nonblank(changes["name"], "A project needs a name.")
        _require_free_name(changes["name"], project)
    changed = _apply_changes(project, changes)
    if not changed:
        return project
    project.save(update_fields=list(changed))
    audit.record(
        action=events.PROJECT_UPDATED,
        actor=actor,
        at=at,
        committee=project.committee,
        project=project,
        reason=reason,
        payload={"changed": changed, "name": project.name},
    )
    return project
