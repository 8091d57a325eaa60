"""Report sections on knowledge flows: response times, the help network, newcomers, subgroups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from copkit.community.report import charts
from copkit.community.report.model import (
    NETWORK_NODES,
    SECTION_CONCEPTS,
    TIE_ROWS,
    Chart,
    ConceptIndex,
    Section,
    Table,
    count_or_zero,
    number_or_none,
)
from copkit.community.report.values import fmt_count, fmt_hours, fmt_share, fmt_value

__all__ = ["help_section", "newcomers_section", "response_section", "subgroups_section"]


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


def response_section(result: Mapping[str, Any], concepts: ConceptIndex) -> Section:
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
                            number_or_none(r["median_hours"]),
                            number_or_none(r["unanswered_share"]),
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


def help_section(result: Mapping[str, Any], concepts: ConceptIndex) -> Section:
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
                key=lambda e: (
                    number_or_none(e["weight"]) is not None,
                    -count_or_zero(e["weight"]),
                ),
            )[:TIE_ROWS]
        ],
    )
    conc = flows["concentration"]
    chart_list = []
    if net["nodes"]:
        drawn = sorted(net["nodes"], key=lambda n: -count_or_zero(n["answers_given"]))[
            :NETWORK_NODES
        ]
        chart_list.append(
            Chart(
                svg=charts.network_chart(
                    [
                        (
                            n["member_id"],
                            n["display_name"],
                            count_or_zero(n["answers_given"]),
                            n["level"],
                        )
                        for n in drawn
                    ],
                    [(e["from"], e["to"], count_or_zero(e["weight"])) for e in net["edges"]],
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


def newcomers_section(result: Mapping[str, Any], concepts: ConceptIndex) -> Section:
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


def subgroups_section(result: Mapping[str, Any], concepts: ConceptIndex) -> Section:
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
        (f"group {f['from']}", f"group {f['to']}"): count_or_zero(f["weight"])
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
