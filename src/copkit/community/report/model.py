"""The report's data model: sections, tables and charts, and helpers shared by the sections.

Pure data, no markup: the HTML and Markdown templates both read it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from copkit.community.report.values import fmt_value

__all__ = [
    "LEVEL_ORDER",
    "MEMBER_ROWS",
    "NETWORK_NODES",
    "ROLE_ROWS",
    "SECTION_CONCEPTS",
    "TIE_ROWS",
    "VERIFIED_LABELS",
    "Chart",
    "Concept",
    "ConceptIndex",
    "Report",
    "Section",
    "Table",
    "concept_from",
    "count_or_zero",
    "evidence_text",
    "level_names",
    "most_active",
    "number_or_none",
]

LEVEL_ORDER: tuple[str, ...] = (
    "core",
    "active",
    "occasional",
    "peripheral",
    "transactional",
    "lurker",
)
"""Wenger-Trayner levels from the centre outwards; ``lurker``: membership without activity."""

NETWORK_NODES = 20
"""How many members (most answers given first) the help-network chart draws; its table lists all."""

MEMBER_ROWS = 30
"""How many members (most active first) a members table lists; the JSON download has them all."""

ROLE_ROWS = 15
"""How many members (most active first) each role's table lists."""

TIE_ROWS = 20
"""How many help ties (strongest first) the report lists."""

SECTION_CONCEPTS: dict[str, tuple[str, ...]] = {
    "levels": (
        "levels_of_participation",
        "core",
        "active",
        "occasional",
        "peripheral",
        "transactional",
        "lurker",
        "onion",
        "participation_onion",
        "k_core",
        "core_periphery",
    ),
    "over_time": ("level_flows", "levels_of_participation"),
    "trajectories": ("trajectories", "level_transitions", "lpp", "peripherality"),
    "roles": ("coordinator", "betweenness", "constraint"),
    "response": ("time_to_first_response",),
    "help": (
        "help_network",
        "absence_factor",
        "contributor_absence_factor",
        "gini",
        "participation_inequality",
        "reciprocity",
    ),
    "newcomers": ("newcomer_experience", "newcomer", "lpp"),
    "subgroups": ("subgroups", "leiden"),
}
"""Concept ids each section cites when the analysis lists them in ``result["concepts"]``.

Concepts named inside the data (a role's or a trajectory's ``concept``) are cited as well.
"""

VERIFIED_LABELS = {
    "V": "verified in the source",
    "P": "partly verified",
    "U": "not verified: check before citing",
}


@dataclass(frozen=True)
class Concept:
    """A concept a section rests on, as the analysis describes it."""

    id: str
    name: str
    definition: str
    source: str
    verified: str
    verified_label: str
    url: str | None


@dataclass(frozen=True)
class Table:
    """A plain text table: every chart has one beside it."""

    caption: str
    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart with the table that carries the same numbers."""

    svg: str
    table: Table


@dataclass(frozen=True)
class Section:
    """One section of the report."""

    id: str
    title: str
    explanation: str
    concepts: list[Concept]
    facts: list[tuple[str, str]] = field(default_factory=list)
    rules: list[tuple[str, str]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    """Everything the templates need."""

    title: str
    generated_at: str
    sources: list[str]
    store_path: str
    window: list[tuple[str, str]]
    options: list[tuple[str, str]]
    sections: list[Section]
    concepts: list[Concept]
    concepts_total: int


def concept_from(concept_id: str, raw: Mapping[str, Any]) -> Concept:
    verified = str(raw.get("verified", "U"))
    return Concept(
        id=concept_id,
        name=str(raw.get("name", concept_id)),
        definition=str(raw.get("definition", "")),
        source=str(raw.get("source", "")),
        verified=verified,
        verified_label=VERIFIED_LABELS.get(verified, f"status {verified!r}"),
        url=raw.get("url") or None,
    )


class ConceptIndex:
    """Looks up concepts by id; ids that the analysis does not define are skipped."""

    def __init__(self, raw: Mapping[str, Mapping[str, Any]]) -> None:
        self._all = {cid: concept_from(cid, value) for cid, value in raw.items()}

    def pick(self, *ids: str) -> list[Concept]:
        seen: list[Concept] = []
        for cid in ids:
            concept = self._all.get(cid)
            if concept is not None and concept not in seen:
                seen.append(concept)
        return seen

    def name(self, cid: str) -> str:
        concept = self._all.get(cid)
        return concept.name if concept else cid


def level_names(counts: Mapping[str, Any]) -> list[str]:
    known = [lvl for lvl in LEVEL_ORDER if lvl in counts]
    return known + sorted(k for k in counts if k not in LEVEL_ORDER)


def count_or_zero(value: Any) -> int:
    """Counts to draw: an undefined count draws as nothing (the tables say why)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def number_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def most_active(members: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The :data:`MEMBER_ROWS` most active members, most active first (ties by name)."""
    ranked = sorted(
        members, key=lambda m: (-count_or_zero(m["activities"]), str(m["display_name"]))
    )
    return ranked[:MEMBER_ROWS]


def evidence_text(evidence: Any) -> str:
    """Render an evidence object as ``key: value`` pairs, the rule last."""
    if not isinstance(evidence, Mapping):
        return fmt_value(evidence)
    parts = [f"{k.replace('_', ' ')}: {fmt_value(v)}" for k, v in evidence.items() if k != "rule"]
    if "rule" in evidence:
        parts.append(f"rule: {evidence['rule']}")
    return "; ".join(parts)
