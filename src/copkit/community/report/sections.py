"""Turn an analysis JSON document into the report's sections (pure data, no markup).

Both the HTML and the Markdown templates read the same sections, so the two formats always
say the same thing. A section has a title, an explanation in plain words for a community
manager, the concepts it rests on (name, source, verification status), tables and charts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from copkit.community.report import charts
from copkit.community.report.values import fmt_count, fmt_hours, fmt_share, fmt_value

__all__ = [
    "LEVEL_ORDER",
    "MEMBER_ROWS",
    "ROLE_ROWS",
    "TIE_ROWS",
    "NETWORK_NODES",
    "SECTION_CONCEPTS",
    "Chart",
    "Concept",
    "Report",
    "Section",
    "Table",
    "build_report",
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


def _concept(concept_id: str, raw: Mapping[str, Any]) -> Concept:
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


class _Concepts:
    """Looks up concepts by id; ids that the analysis does not define are skipped."""

    def __init__(self, raw: Mapping[str, Mapping[str, Any]]) -> None:
        self._all = {cid: _concept(cid, value) for cid, value in raw.items()}

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


def _level_names(counts: Mapping[str, Any]) -> list[str]:
    known = [lvl for lvl in LEVEL_ORDER if lvl in counts]
    return known + sorted(k for k in counts if k not in LEVEL_ORDER)


def _int(value: Any) -> int:
    """Counts to draw: an undefined count draws as nothing (the tables say why)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _number_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _most_active(members: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The :data:`MEMBER_ROWS` most active members, most active first (ties by name)."""
    ranked = sorted(members, key=lambda m: (-_int(m["activities"]), str(m["display_name"])))
    return ranked[:MEMBER_ROWS]


def _evidence(evidence: Any) -> str:
    """Render an evidence object as ``key: value`` pairs, the rule last."""
    if not isinstance(evidence, Mapping):
        return fmt_value(evidence)
    parts = [f"{k.replace('_', ' ')}: {fmt_value(v)}" for k, v in evidence.items() if k != "rule"]
    if "rule" in evidence:
        parts.append(f"rule: {evidence['rule']}")
    return "; ".join(parts)


def _summary(result: Mapping[str, Any], concepts: _Concepts) -> Section:
    s = result["summary"]
    return Section(
        id="summary",
        title="At a glance",
        explanation=(
            "How big the community is in the data analysed: everyone the sources know, those "
            "who did anything, and the conversations (threads) they had. Bots are left out of "
            "every measure; their number is shown so that the counts can be checked against "
            "the platform's own."
        ),
        concepts=[],
        facts=[
            ("Members known", fmt_count(s["members"])),
            ("Members with activity", fmt_count(s["active_members"])),
            ("Activities (posts, replies, answers, comments)", fmt_count(s["activities"])),
            ("Threads", fmt_count(s["threads"])),
            ("Spaces (channels, categories, lists, tags)", fmt_count(s["spaces"])),
            ("Bots excluded", fmt_count(s["bots_excluded"])),
            ("First activity", fmt_value(s["first_activity"])),
            ("Last activity", fmt_value(s["last_activity"])),
        ],
    )


def _levels(result: Mapping[str, Any], concepts: _Concepts) -> Section:
    levels = result["levels"]
    counts = levels["counts"]
    names = _level_names(counts)
    rings = [(lvl, _int(counts[lvl])) for lvl in names]
    total = sum(n for _, n in rings)
    table = Table(
        caption="Members per level of participation",
        header=["Level", "Members", "Share"],
        rows=[
            [
                lvl,
                fmt_value(counts[lvl]),
                fmt_share(n / total) if total else "not defined: no members",
            ]
            for lvl, (_, n) in zip(names, rings, strict=True)
        ],
    )
    onion = levels["onion"]
    onion_rings = [(k, _int(onion[k])) for k in ("core", "regular", "casual") if k in onion]
    onion_table = Table(
        caption="Activity onion (GrimoireLab-comparable 80/95 % cut)",
        header=["Ring", "Members"],
        rows=[[k, fmt_value(onion[k])] for k in onion],
    )
    names_by_id = {m["member_id"]: m.get("display_name", m["member_id"]) for m in result["members"]}
    disagreements = Table(
        caption="Members on whom the two views disagree",
        header=["Member", "By activity share", "By network position"],
        rows=[
            [
                names_by_id.get(d["member_id"], d["member_id"]),
                d["activity_level"],
                d["network_level"],
            ]
            for d in levels["disagreements"]
        ],
    )
    rule = levels["rule"]
    return Section(
        id="levels",
        title="Levels of participation",
        explanation=(
            "Not everyone takes part in the same way, and that is healthy. The core group keeps "
            "the community going, active members take part regularly, occasional members now and "
            "then, peripheral members mostly watch and learn, and transactional participants "
            "drop in for something specific. copkit places each member twice: by their share of "
            "all activity and by their position in the network of replies. Where the two views "
            "disagree (a quiet member everybody answers, or a busy poster nobody replies to) the "
            "member is listed below: these are the people worth a conversation."
        ),
        concepts=concepts.pick(*SECTION_CONCEPTS["levels"]),
        rules=[
            ("By activity share", str(rule["activity"])),
            ("By network position", str(rule["network"])),
        ],
        charts=[
            Chart(
                svg=charts.onion_chart(
                    rings,
                    chart_id="chart-levels",
                    title="Participation levels",
                    desc="Concentric rings from the core outwards; the area of each ring is "
                    "proportional to its members. " + ", ".join(f"{lvl}: {n}" for lvl, n in rings),
                ),
                table=table,
            ),
            Chart(
                svg=charts.onion_chart(
                    onion_rings,
                    chart_id="chart-onion",
                    title="Activity onion (80/95 % cut)",
                    desc="Members making the first 80 % of activity (core), up to 95 % "
                    "(regular) and the rest (casual). "
                    + ", ".join(f"{k}: {n}" for k, n in onion_rings),
                ),
                table=onion_table,
            ),
        ],
        tables=[disagreements],
        notes=[] if disagreements.rows else ["The two views agree on every member."],
    )


def _over_time(result: Mapping[str, Any], concepts: _Concepts) -> Section:
    periods = result["periods"]
    level_keys: dict[str, None] = {}
    for p in periods:
        level_keys.update(dict.fromkeys(p["levels"]))
    names = _level_names(level_keys)
    labels = [p["period"] for p in periods]
    series = [(lvl, [_int(p["levels"].get(lvl, 0)) for p in periods]) for lvl in names]
    table = Table(
        caption="Members per level, activities and newcomers by period",
        header=["Period", "Active members", "Activities", "Newcomers", *names],
        rows=[
            [
                p["period"],
                fmt_value(p["active_members"]),
                fmt_value(p["activities"]),
                fmt_value(p["newcomers"]),
                *(fmt_value(p["levels"].get(lvl, 0)) for lvl in names),
            ]
            for p in periods
        ],
    )
    window = result["window"]
    return Section(
        id="over-time",
        title="Levels over time",
        explanation=(
            f"The same levels, counted again in every {window.get('period') or 'period'}. A "
            "steady core with a changing periphery is normal; a shrinking core, or a periphery "
            "that never grows into the active group, is a signal to act on. Newcomers are "
            "members whose first activity falls in that period."
        ),
        concepts=concepts.pick(*SECTION_CONCEPTS["over_time"]),
        charts=[
            Chart(
                svg=charts.stacked_bar_chart(
                    labels,
                    series,
                    chart_id="chart-over-time",
                    title="Members per level by period",
                    desc="One stacked bar per period, the core at the bottom.",
                ),
                table=table,
            )
        ]
        if periods
        else [],
        notes=[] if periods else ["not defined: the window holds no complete period"],
    )


def _trajectories(result: Mapping[str, Any], concepts: _Concepts) -> Section:
    traj = result["trajectories"]
    transitions = result["transitions"]
    referenced = sorted(
        {
            m["trajectory"]["concept"]
            for m in result["members"]
            if isinstance(m.get("trajectory"), Mapping) and m["trajectory"].get("concept")
        }
    )
    counts = Table(
        caption="Members per trajectory",
        header=["Trajectory", "Members", "Rule"],
        rows=[
            [kind, fmt_value(n), str(traj["rules"].get(kind, "—"))]
            for kind, n in traj["counts"].items()
        ],
    )
    moves = Table(
        caption="Moves between periods",
        header=["From", "To", "Moved up", "Held", "Moved down", "Entered", "Left"],
        rows=[
            [
                t["from"],
                t["to"],
                *(fmt_value(t[k]) for k in ("moved_up", "held", "moved_down", "entered", "left")),
            ]
            for t in transitions
        ],
    )
    shown = _most_active(result["members"])
    member_table = Table(
        caption=f"Trajectories of the most active members ({len(shown)} of "
        f"{len(result['members'])}), with the evidence",
        header=["Member", "Trajectory", "Level by period", "Evidence"],
        rows=[
            [
                m["display_name"],
                fmt_value(m["trajectory"]["kind"]),
                ", ".join(
                    f"{period}: {fmt_value(level)}"
                    for period, level in m["trajectory"]["levels_by_period"].items()
                ),
                _evidence(m["trajectory"].get("evidence", {})),
            ]
            for m in shown
            if isinstance(m.get("trajectory"), Mapping)
        ],
    )
    chart_list: list[Chart] = []
    if transitions:
        periods = [transitions[0]["from"], *(t["to"] for t in transitions)]
        flows = [
            [(f["from_level"], f["to_level"], _int(f["members"])) for f in t["flows"]]
            for t in transitions
        ]
        flow_table = Table(
            caption="Members flowing between levels",
            header=["From", "To", "Flows (level → level: members)"],
            rows=[
                [
                    t["from"],
                    t["to"],
                    "; ".join(
                        f"{f['from_level']} → {f['to_level']}: {fmt_value(f['members'])}"
                        for f in t["flows"]
                        if f["members"]
                    ),
                ]
                for t in transitions
            ],
        )
        chart_list.append(
            Chart(
                svg=charts.alluvial_chart(
                    periods,
                    flows,
                    order=(*LEVEL_ORDER, "absent"),
                    chart_id="chart-trajectories",
                    title="Trajectory flows between levels",
                    desc="Columns are periods; bands show how many members moved from one "
                    "level to another between consecutive periods.",
                ),
                table=flow_table,
            )
        )
    return Section(
        id="trajectories",
        title="Trajectories",
        explanation=(
            "People move: newcomers start at the edge and some move inwards, old-timers hold the "
            "centre, others drift away. Each member's level in every period gives their "
            "trajectory: peripheral (stays at the edge), inbound (moving towards the core), "
            "insider (stays in the centre), boundary (links this community to others) and "
            "outbound (on the way out). Movement between levels is a sign of health; a community "
            "where nobody ever moves up will not renew its core."
        ),
        concepts=concepts.pick(*SECTION_CONCEPTS["trajectories"], *referenced),
        charts=chart_list,
        tables=[counts, moves, member_table],
        notes=[] if transitions else ["not defined: trajectories need at least two periods"],
    )


def _roles(result: Mapping[str, Any], concepts: _Concepts) -> Section:
    by_role: dict[str, list[list[str]]] = {}
    referenced: list[str] = []
    for m in sorted(result["members"], key=lambda m: -_int(m["activities"])):
        for r in m["roles"]:
            by_role.setdefault(r["role"], []).append([m["display_name"], _evidence(r["evidence"])])
            if r.get("concept") and r["concept"] not in referenced:
                referenced.append(r["concept"])
    role_concept = {r["role"]: r.get("concept", "") for m in result["members"] for r in m["roles"]}
    tables = [
        Table(
            caption=f"{role.replace('_', ' ').capitalize()}: {len(rows)} members"
            + (f", the {ROLE_ROWS} most active shown" if len(rows) > ROLE_ROWS else "")
            + " · concept: "
            + (concepts.name(role_concept[role]) if role_concept[role] else "none given"),
            header=["Member", "Evidence"],
            rows=rows[:ROLE_ROWS],
        )
        for role, rows in sorted(by_role.items())
    ]
    members = result["members"]
    shown = _most_active(members)
    tables.append(
        Table(
            caption=f"Most active members ({len(shown)} of {len(members)})",
            header=[
                "Member",
                "Level (by activity / by network)",
                "Activities (threads started, replies)",
                "Answers (accepted; people helped)",
                "Trajectory; roles",
                "Evidence for the level",
            ],
            rows=[
                [
                    m["display_name"],
                    f"{m['level']} ({m['activity_level']} / {m['network_level']})",
                    f"{fmt_value(m['activities'])} ({fmt_value(m['threads_started'])}, "
                    f"{fmt_value(m['replies'])})",
                    f"{fmt_value(m['answers'])} ({fmt_value(m['accepted'])}; "
                    f"{fmt_value(m['people_helped'])})",
                    (
                        fmt_value(m["trajectory"]["kind"])
                        if isinstance(m.get("trajectory"), Mapping)
                        else "—"
                    )
                    + "; "
                    + (", ".join(r["role"].replace("_", " ") for r in m["roles"]) or "no role"),
                    _evidence(m.get("evidence", {})),
                ]
                for m in shown
            ],
        )
    )
    return Section(
        id="roles",
        title="Roles",
        explanation=(
            "Roles come from what members' messages do, not from how much they post: askers "
            "ask, experts answer many different people and get their answers accepted, brokers "
            "and connectors link people who would otherwise not meet, boundary spanners are "
            "active in several spaces, newcomers have just arrived. Each label below shows the "
            "numbers and the rule that gave it, so you can judge it yourself."
        ),
        concepts=concepts.pick(*SECTION_CONCEPTS["roles"], *referenced),
        tables=tables,
        notes=[] if by_role else ["No member met the rule of any role in this window."],
    )


def _ttfr_row(row: Mapping[str, Any]) -> list[str]:
    return [
        fmt_value(row["threads"]),
        fmt_value(row["answered"]),
        fmt_value(row["unanswered"]),
        fmt_share(row["unanswered_share"]),
        fmt_hours(row["median_hours"]),
        fmt_hours(row["mean_hours"]),
        fmt_hours(row["p90_hours"]),
    ]


_TTFR_HEADER = [
    "Threads",
    "Answered",
    "Unanswered",
    "Unanswered share",
    "Median",
    "Mean",
    "90th percentile",
]


def _response(result: Mapping[str, Any], concepts: _Concepts) -> Section:
    ttfr = result["flows"]["time_to_first_response"]
    overall = ttfr["overall"]
    by_period = ttfr["by_period"]
    period_table = Table(
        caption="Time to first response by period",
        header=["Period", *_TTFR_HEADER],
        rows=[[r["period"], *_ttfr_row(r)] for r in by_period],
    )
    space_table = Table(
        caption="Time to first response by space",
        header=["Space", *_TTFR_HEADER],
        rows=[[r["space"], *_ttfr_row(r)] for r in ttfr["by_space"]],
    )
    chart_list = []
    if by_period:
        chart_list.append(
            Chart(
                svg=charts.response_time_chart(
                    [
                        (
                            r["period"],
                            _number_or_none(r["median_hours"]),
                            _number_or_none(r["unanswered_share"]),
                        )
                        for r in by_period
                    ],
                    chart_id="chart-response",
                    title="Time to first response and unanswered threads",
                    desc="Bars: median hours until someone other than the author replied. "
                    "Dots: share of threads nobody answered.",
                ),
                table=period_table,
            )
        )
    return Section(
        id="response",
        title="Time to first response",
        explanation=(
            "How long someone waits before another member (not a bot, not themselves) replies "
            "to a thread they started. The median is the typical wait; the mean is pulled up by "
            "the long waits; the 90th percentile is how long the slowest tenth waited. Threads "
            "nobody answered are never dropped: their share is shown next to every time, because "
            "a fast median means little if many questions go unanswered."
        ),
        concepts=concepts.pick(*SECTION_CONCEPTS["response"]),
        facts=list(zip(["Threads", *_TTFR_HEADER[1:]], _ttfr_row(overall), strict=True)),
        charts=chart_list,
        tables=[space_table],
    )


def _help(result: Mapping[str, Any], concepts: _Concepts) -> Section:
    flows = result["flows"]
    net = flows["help_network"]
    names = {n["member_id"]: n["display_name"] for n in net["nodes"]}
    node_table = Table(
        caption="Members in the help network",
        header=["Member", "Level", "Answers given", "Questions asked"],
        rows=[
            [
                n["display_name"],
                n["level"],
                fmt_value(n["answers_given"]),
                fmt_value(n["questions_asked"]),
            ]
            for n in net["nodes"]
        ],
    )
    edge_table = Table(
        caption="Who helped whom (strongest ties first)",
        header=["Answerer", "Asker", "Answers"],
        rows=[
            [names.get(e["from"], e["from"]), names.get(e["to"], e["to"]), fmt_value(e["weight"])]
            # an undefined weight is listed first: it needs a look more than a strong tie
            for e in sorted(
                net["edges"],
                key=lambda e: (_number_or_none(e["weight"]) is not None, -_int(e["weight"])),
            )[:TIE_ROWS]
        ],
    )
    conc = flows["concentration"]
    chart_list = []
    if net["nodes"]:
        drawn = sorted(net["nodes"], key=lambda n: -_int(n["answers_given"]))[:NETWORK_NODES]
        chart_list.append(
            Chart(
                svg=charts.network_chart(
                    [
                        (n["member_id"], n["display_name"], _int(n["answers_given"]), n["level"])
                        for n in drawn
                    ],
                    [(e["from"], e["to"], _int(e["weight"])) for e in net["edges"]],
                    chart_id="chart-help",
                    title="Help network of the top members",
                    desc=f"The {len(drawn)} members who gave the most answers. Dots are "
                    "members (bigger: more answers given; colour: level). An arrow goes from "
                    "the member who answered to the member who asked.",
                ),
                table=node_table,
            )
        )
    return Section(
        id="help",
        title="Who helps whom",
        explanation=(
            "Knowledge flows along answers. An arrow goes from the member who answered to the "
            "member who asked. The absence factor is the smallest number of members who "
            "together give half of all answers: if it is 1 or 2, the community depends on very "
            "few people. The Gini coefficient says how unequal answering is (0: everyone "
            "answers equally, 1: one member answers everything). Reciprocity is the share of "
            "help ties that go both ways."
        ),
        concepts=concepts.pick(*SECTION_CONCEPTS["help"]),
        facts=[
            ("Absence factor", fmt_value(conc["absence_factor"])),
            ("Gini coefficient of answers", fmt_value(conc["gini"])),
            ("Reciprocity", fmt_share(flows["reciprocity"])),
        ],
        rules=[("Absence factor", str(conc["absence_factor_rule"]))],
        charts=chart_list,
        tables=[edge_table],
        notes=[] if net["nodes"] else ["not defined: nobody answered anybody in this window"],
    )


def _newcomers(result: Mapping[str, Any], concepts: _Concepts) -> Section:
    n = result["flows"]["newcomers"]
    return Section(
        id="newcomers",
        title="Newcomers",
        explanation=(
            "A community renews itself through newcomers who are welcomed and come back. These "
            "figures say how many arrived, how many got a reply to their first post and how "
            "fast, and how many were active again within 30 and 90 days."
        ),
        concepts=concepts.pick(*SECTION_CONCEPTS["newcomers"]),
        facts=[
            ("Newcomers", fmt_value(n["count"])),
            ("First post got a reply", fmt_share(n["first_post_replied_share"])),
            ("Median time to that reply", fmt_hours(n["median_hours_to_first_reply"])),
            ("Came back within 30 days", fmt_share(n["returned_30d_share"])),
            ("Came back within 90 days", fmt_share(n["returned_90d_share"])),
        ],
    )


def _subgroups(result: Mapping[str, Any], concepts: _Concepts) -> Section:
    flows = result["flows"]
    groups = result["subgroups"]
    names = {m["member_id"]: m["display_name"] for m in result["members"]}
    group_table = Table(
        caption="Subgroups",
        header=["Subgroup", "Members", "Ties inside", "Ties outside", "Best connected", "Spaces"],
        rows=[
            [
                f"group {g['id']}",
                fmt_value(g["size"]),
                fmt_value(g["internal_ties"]),
                fmt_value(g["external_ties"]),
                ", ".join(names.get(mid, mid) for mid in g["top_members"]),
                ", ".join(g["spaces"]),
            ]
            for g in groups
        ],
    )
    ids = sorted(
        {g["id"] for g in groups}
        | {f[k] for f in flows["between_subgroups"] for k in ("from", "to")}
    )
    labels = [f"group {i}" for i in ids]
    cells = {
        (f"group {f['from']}", f"group {f['to']}"): _int(f["weight"])
        for f in flows["between_subgroups"]
    }
    raw = {
        (f"group {f['from']}", f"group {f['to']}"): f["weight"] for f in flows["between_subgroups"]
    }
    matrix_table = Table(
        caption="Ties between subgroups (rows: from, columns: to)",
        header=["From \\ to", *labels],
        rows=[[r, *(fmt_count(raw.get((r, c), 0)) for c in labels)] for r in labels],
    )
    space_table = Table(
        caption="Replies crossing spaces (the same member active in both)",
        header=["From space", "To space", "Weight"],
        rows=[[f["from"], f["to"], fmt_value(f["weight"])] for f in flows["between_spaces"]],
    )
    chart_list = []
    if labels:
        chart_list.append(
            Chart(
                svg=charts.heatmap_chart(
                    labels,
                    cells,
                    chart_id="chart-subgroups",
                    title="Flows between subgroups",
                    desc="Rows send, columns receive; a darker cell means more ties. The "
                    "diagonal holds the ties inside each subgroup.",
                ),
                table=matrix_table,
            )
        )
    return Section(
        id="subgroups",
        title="Subgroups and the flows between them",
        explanation=(
            "Groups of members who talk more among themselves than with the rest. Some "
            "structure is natural (topics, time zones, projects); subgroups with almost no ties "
            "between them mean knowledge stays in pockets. The matrix shows how many ties run "
            "from each subgroup to each other one; its diagonal is the talk inside a subgroup."
        ),
        concepts=concepts.pick(*SECTION_CONCEPTS["subgroups"]),
        charts=chart_list,
        tables=[group_table, space_table],
        notes=[] if groups else ["not defined: no subgroups were found"],
    )


def _challenges(result: Mapping[str, Any], concepts: _Concepts) -> Section | None:
    items: Sequence[Mapping[str, Any]] | None = result.get("challenges")
    if not items:
        return None
    return Section(
        id="challenges",
        title="Challenges",
        explanation=(
            "Common problems of communities, each checked against a measure and a threshold. A "
            "flagged challenge is a prompt for a conversation, not a verdict; the suggested "
            "interventions are starting points."
        ),
        concepts=concepts.pick(*(str(c.get("concept", "")) for c in items)),
        tables=[
            Table(
                caption="Challenges checked",
                header=[
                    "Challenge",
                    "Flagged",
                    "Measure",
                    "Threshold",
                    "Evidence",
                    "Interventions",
                ],
                rows=[
                    [
                        str(c["id"]).replace("_", " "),
                        "yes" if c["flagged"] else "no",
                        fmt_value(c["measure"]),
                        fmt_value(c["threshold"]),
                        _evidence(c["evidence"]),
                        "; ".join(c["interventions"]),
                    ]
                    for c in items
                ],
            )
        ],
    )


def _stage(result: Mapping[str, Any], concepts: _Concepts) -> Section | None:
    stage = result.get("stage")
    if not stage:
        return None
    if not isinstance(stage, Mapping):
        return Section(
            id="stage",
            title="Stage of development",
            explanation="",
            concepts=[],
            facts=[("Stage", fmt_value(stage))],
        )
    concept_id = str(stage.get("concept", ""))
    return Section(
        id="stage",
        title="Stage of development",
        explanation=(
            "An estimate of where the community is in its life (potential, coalescing, maturing, "
            "stewardship, transformation), with the evidence that points there."
        ),
        concepts=concepts.pick(concept_id),
        facts=[
            (
                k.replace("_", " ").capitalize(),
                _evidence(v) if isinstance(v, Mapping) else fmt_value(v),
            )
            for k, v in stage.items()
            if k != "concept"
        ],
    )


def build_report(result: Mapping[str, Any], *, title: str | None = None) -> Report:
    """Build the sections of the report for one analysis document.

    Raises
    ------
    KeyError, TypeError
        When the document lacks a key of the contract; :func:`render` turns these into a
        :class:`~copkit.community.report.ReportError`.
    """
    concepts = _Concepts(result["concepts"])
    sections = [
        _summary(result, concepts),
        _levels(result, concepts),
        _over_time(result, concepts),
        _trajectories(result, concepts),
        _roles(result, concepts),
        _response(result, concepts),
        _help(result, concepts),
        _newcomers(result, concepts),
        _subgroups(result, concepts),
    ]
    sections.extend(s for s in (_stage(result, concepts), _challenges(result, concepts)) if s)
    window = result["window"]
    store = result["store"]
    return Report(
        title=title or "Community report",
        generated_at=fmt_value(result["generated_at"]),
        sources=[str(s) for s in store.get("sources", [])],
        store_path=str(store.get("path", "")),
        window=[
            (
                "Since",
                fmt_value(window.get("since")) if window.get("since") else "the first activity",
            ),
            (
                "Until",
                fmt_value(window.get("until")) if window.get("until") else "the last activity",
            ),
            ("Period", str(window.get("period") or "—")),
        ],
        options=[(str(k).replace("_", " "), fmt_value(v)) for k, v in result["options"].items()],
        sections=sections,
        concepts=sorted(
            {c.id: c for section in sections for c in section.concepts}.values(),
            key=lambda c: c.name.lower(),
        ),
        concepts_total=len(result["concepts"]),
    )
