"""Who did something: every state change names its actor in the audit log."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    type: str  # "user", "runner", "run", "system"
    id: str

    @classmethod
    def user(cls, username: str) -> Actor:
        return cls("user", username)

    @classmethod
    def run(cls, step_run_id: int) -> Actor:
        return cls("run", str(step_run_id))

    @classmethod
    def runner(cls, name: str) -> Actor:
        return cls("runner", name)

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"


SYSTEM = Actor("system", "control-room")
