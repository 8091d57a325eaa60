"""A Sink that records what a reader sends and checks the protocol's rules as it goes.

It implements our own :class:`copkit.community.sources.base.Sink` protocol (it is not a mock
of a service): every record is kept, and a reader that breaks the protocol (an activity
before its parent, an unknown actor or space, a naive datetime, an unknown kind) fails here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from copkit.community.schema import ACTIVITY_KINDS, INTERACTION_KINDS, SPACE_KINDS


class ProtocolViolation(AssertionError):
    """A reader broke the Sink protocol."""


@dataclass
class RecordingSink:
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    spaces: dict[str, dict[str, Any]] = field(default_factory=dict)
    activities: dict[str, dict[str, Any]] = field(default_factory=dict)
    interactions: list[dict[str, Any]] = field(default_factory=list)
    skips: Counter[str] = field(default_factory=Counter)

    def _aware(self, when: datetime | None, what: str) -> None:
        if when is not None and (when.tzinfo is None or when.utcoffset() is None):
            raise ProtocolViolation(f"{what}: naive datetime {when!r}")

    def member(
        self,
        *,
        user: str,
        name: str | None = None,
        handle: str | None = None,
        email: str | None = None,
        is_bot: bool = False,
        joined_at: datetime | None = None,
        roles: tuple[str, ...] = (),
    ) -> None:
        if not user:
            raise ProtocolViolation("member with an empty id")
        self._aware(joined_at, f"member {user}")
        if user in self.members:
            raise ProtocolViolation(f"member {user} sent twice")
        self.members[user] = {
            "name": name,
            "handle": handle,
            "email": email,
            "is_bot": is_bot,
            "joined_at": joined_at,
            "roles": roles,
        }

    def space(self, *, space: str, name: str, kind: str, created_by: str | None = None) -> None:
        if kind not in SPACE_KINDS:
            raise ProtocolViolation(f"space {space}: unknown kind {kind!r}")
        if space in self.spaces:
            raise ProtocolViolation(f"space {space} sent twice")
        self.spaces[space] = {"name": name, "kind": kind, "created_by": created_by}

    def activity(
        self,
        *,
        activity: str,
        actor: str,
        created_at: datetime,
        kind: str,
        space: str | None = None,
        thread: str | None = None,
        parent: str | None = None,
        is_question: bool = False,
        text: str | None = None,
        length: int | None = None,
    ) -> None:
        if kind not in ACTIVITY_KINDS:
            raise ProtocolViolation(f"activity {activity}: unknown kind {kind!r}")
        if activity in self.activities:
            raise ProtocolViolation(f"activity {activity} sent twice")
        if actor not in self.members:
            raise ProtocolViolation(f"activity {activity}: actor {actor} was never sent")
        if space is not None and space not in self.spaces:
            raise ProtocolViolation(f"activity {activity}: space {space} was never sent")
        self._aware(created_at, f"activity {activity}")
        if parent is not None and parent not in self.activities:
            raise ProtocolViolation(f"activity {activity}: parent {parent} not sent before it")
        if thread is not None and thread != activity and thread not in self.activities:
            raise ProtocolViolation(f"activity {activity}: thread {thread} not sent before it")
        if parent is not None and thread is not None:
            parent_thread = self.activities[parent]["thread"]
            if parent_thread != thread:
                raise ProtocolViolation(f"activity {activity}: parent is in another thread")
        if (parent is None) != (kind == "post"):
            raise ProtocolViolation(f"activity {activity}: a {kind} with parent {parent}")
        self.activities[activity] = {
            "actor": actor,
            "created_at": created_at,
            "kind": kind,
            "space": space,
            "thread": thread if thread is not None else activity,
            "parent": parent,
            "is_question": is_question,
            "text": text,
            "length": len(text or "") if length is None else length,
        }

    def interaction(
        self, *, actor: str, target: str, activity: str, kind: str, created_at: datetime
    ) -> None:
        if kind not in INTERACTION_KINDS or kind in ("reply", "answer"):
            raise ProtocolViolation(f"interaction {kind!r}: not an explicit kind")
        for who in (actor, target):
            if who not in self.members:
                raise ProtocolViolation(f"interaction {kind}: member {who} was never sent")
        if actor == target:
            raise ProtocolViolation(f"interaction {kind}: self-interaction of {actor}")
        if activity not in self.activities:
            raise ProtocolViolation(f"interaction {kind}: activity {activity} was never sent")
        self._aware(created_at, f"interaction {kind}")
        self.interactions.append(
            {
                "actor": actor,
                "target": target,
                "activity": activity,
                "kind": kind,
                "created_at": created_at,
            }
        )

    def skipped(self, reason: str, count: int = 1) -> None:
        if count < 1:
            raise ProtocolViolation(f"skipped {reason!r} with count {count}")
        self.skips[reason] += count

    def kinds(self) -> Counter[str]:
        return Counter(a["kind"] for a in self.activities.values())
