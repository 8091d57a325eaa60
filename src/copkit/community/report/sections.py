"""Turn an analysis JSON document into the report's sections (pure data, no markup).

Both the HTML and the Markdown templates read the same sections, so the two formats always
say the same thing. A section has a title, an explanation in plain words for a community
manager, the concepts it rests on (name, source, verification status), tables and charts.
The knowledge-flow sections live in :mod:`copkit.community.report.flows`; the data model in
:mod:`copkit.community.report.model`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from copkit.community.report import charts
from copkit.community.report.flows import (
    help_section,
    newcomers_section,
    response_section,
    subgroups_section,
)
from copkit.community.report.model import (
    LEVEL_ORDER,
    ROLE_ROWS,
    SECTION_CONCEPTS,
    Chart,
    ConceptIndex,
    Report,
    Section,
    Table,
    count_or_zero,
    evidence_text,
    level_names,
    most_active,
)
from copkit.community.report.values import fmt_count, fmt_share, fmt_value

__all__ = ["build_report"]


def _summary(result: Mapping[str, Any], concepts: ConceptIndex) -> Section:
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


def _levels(result: Mapping[str, Any], concepts: ConceptIndex) -> Section:
    levels = result["levels"]
    counts = levels["counts"]
    names = level_names(counts)
    rings = [(lvl, count_or_zero(counts[lvl])) for lvl in names]
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
    onion_rings = [
        (k, count_or_zero(onion[k])) for k in ("core", "regular", "casual") if k in onion
    ]
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


def _over_time(result: Mapping[str, Any], concepts: ConceptIndex) -> Section:
    periods = result["periods"]
    level_keys: dict[str, None] = {}
    for p in periods:
        level_keys.update(dict.fromkeys(p["levels"]))
    names = level_names(level_keys)
    labels = [p["period"] for p in periods]
    series = [(lvl, [count_or_zero(p["levels"].get(lvl, 0)) for p in periods]) for lvl in names]
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


def _trajectories(result: Mapping[str, Any], concepts: ConceptIndex) -> Section:
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
    shown = most_active(result["members"])
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
                evidence_text(m["trajectory"].get("evidence", {})),
            ]
            for m in shown
            if isinstance(m.get("trajectory"), Mapping)
        ],
    )
    chart_list: list[Chart] = []
    if transitions:
        periods = [transitions[0]["from"], *(t["to"] for t in transitions)]
        flows = [
            [(f["from_level"], f["to_level"], count_or_zero(f["members"])) for f in t["flows"]]
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


def _roles(result: Mapping[str, Any], concepts: ConceptIndex) -> Section:
    by_role: dict[str, list[list[str]]] = {}
    referenced: list[str] = []
    for m in sorted(result["members"], key=lambda m: -count_or_zero(m["activities"])):
        for r in m["roles"]:
            by_role.setdefault(r["role"], []).append(
                [m["display_name"], evidence_text(r["evidence"])]
            )
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
    shown = most_active(members)
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
                    evidence_text(m.get("evidence", {})),
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


def _challenges(result: Mapping[str, Any], concepts: ConceptIndex) -> Section | None:
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
                        evidence_text(c["evidence"]),
                        "; ".join(c["interventions"]),
                    ]
                    for c in items
                ],
            )
        ],
    )


def _stage(result: Mapping[str, Any], concepts: ConceptIndex) -> Section | None:
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
                evidence_text(v) if isinstance(v, Mapping) else fmt_value(v),
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
    concepts = ConceptIndex(result["concepts"])
    sections = [
        _summary(result, concepts),
        _levels(result, concepts),
        _over_time(result, concepts),
        _trajectories(result, concepts),
        _roles(result, concepts),
        response_section(result, concepts),
        help_section(result, concepts),
        newcomers_section(result, concepts),
        subgroups_section(result, concepts),
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
