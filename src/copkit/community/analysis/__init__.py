"""Community analysis: participation levels, roles, trajectories and knowledge flows.

Pure Python over the activity store (Ibis on DuckDB for the aggregates, igraph for the network
measures); never imports Django. The entry point is :func:`analyze`;
every measure is also a function of its own, named after what it returns.

Examples
--------
>>> from copkit.community.analysis import analyze  # doctest: +SKIP
>>> result = analyze("community.duckdb", period="month")  # doctest: +SKIP
>>> result.to_json()["levels"]["counts"]  # doctest: +SKIP
{'core': 3, 'active': 5, ...}
"""

from __future__ import annotations

from copkit.community.analysis.data import CommunityData, load_community
from copkit.community.analysis.flows import (
    absence_factor,
    answer_concentration,
    gini,
    help_network,
    newcomer_experience,
    reciprocity,
    space_flows,
    subgroups,
    time_to_first_response,
)
from copkit.community.analysis.levels import (
    activity_levels,
    network_levels,
    onion,
    participation_levels,
    period_levels,
    reply_graph,
)
from copkit.community.analysis.model import Options, Undefined
from copkit.community.analysis.result import AnalysisResult, analyze
from copkit.community.analysis.roles import brokerage, member_roles
from copkit.community.analysis.trajectories import level_transitions, trajectories

__all__ = [
    "AnalysisResult",
    "CommunityData",
    "Options",
    "Undefined",
    "absence_factor",
    "activity_levels",
    "analyze",
    "answer_concentration",
    "brokerage",
    "gini",
    "help_network",
    "level_transitions",
    "load_community",
    "member_roles",
    "network_levels",
    "newcomer_experience",
    "onion",
    "participation_levels",
    "period_levels",
    "reciprocity",
    "reply_graph",
    "space_flows",
    "subgroups",
    "time_to_first_response",
    "trajectories",
]
