"""Who acts when no person does: the application itself."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """The application itself acting: a deadline sweep, an import."""

    name: str = "system"
    is_system: bool = True
    is_authenticated: bool = False
    pk: None = None

    def __str__(self) -> str:
        return f"system:{self.name}"


SYSTEM = SystemActor()
IMPORT = SystemActor("import")
