"""The analysis on a tiny community whose every figure was computed by hand.

The community (``small_community``): bob asks q1 (answered by alice after 2 h; a bot
replied earlier and bob replied to himself, neither counts), carol asks q2 (alice after
4 h, then bob), bob asks q3 in another space (never answered), carol asks q4 a month later
(alice after 6 h), newcomer erin asks q5 (alice after 1 h, accepted). dave is an admin who
never contributed; bot1 is a bot.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from copkit.community.analysis import AnalysisResult, analyze
from copkit.community.errors import StoreError
from tests.community.test_analysis_fixtures import StoreBuilder, at, small_community


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> AnalysisResult:
    return analyze(small_community(tmp_path_factory.mktemp("small") / "s.duckdb"))


@pytest.fixture(scope="module")
def doc(result: AnalysisResult) -> dict:
    return result.to_json()


def member(doc: dict, mid: str) -> dict:
    return next(m for m in doc["members"] if m["member_id"] == mid)


def roles(doc: dict, mid: str) -> set[str]:
    return {r["role"] for r in member(doc, mid)["roles"]}


def test_summary_counts_contributions_without_bots_or_joins(doc: dict) -> None:
    assert doc["summary"] == {
        "members": 5,
        "active_members": 4,
        "activities": 11,
        "threads": 5,
        "spaces": 2,
        "bots_excluded": 1,
        "first_activity": "2024-01-01T00:00:00Z",
        "last_activity": "2024-02-02T01:00:00Z",
    }


def test_time_to_first_response_excludes_author_and_bots_and_keeps_unanswered(doc: dict) -> None:
    ttfr = doc["flows"]["time_to_first_response"]
    assert ttfr["overall"] == {
        "threads": 5,
        "answered": 4,
        "unanswered": 1,
        "unanswered_share": 0.2,
        "median_hours": 3.0,
        "mean_hours": 3.25,
        "p90_hours": pytest.approx(5.4),
    }
    general = next(s for s in ttfr["by_space"] if s["space"] == "general")
    assert general["unanswered_share"] == 1.0
    assert general["median_hours"] == {
        "undefined": "no thread got a response from someone other than its author"
    }
    jan = ttfr["by_period"][0]
    assert (jan["period"], jan["threads"], jan["median_hours"]) == ("2024-01", 3, 3.0)


def test_levels_activity_and_network_views(doc: dict) -> None:
    levels = doc["levels"]
    assert levels["counts"] == {
        "core": 0,
        "active": 2,
        "occasional": 1,
        "peripheral": 0,
        "transactional": 1,
        "lurker": 1,
    }
    assert levels["onion"] == {"core": 3, "regular": 1, "casual": 0}
    assert levels["disagreements"] == [
        {"member_id": "carol", "activity_level": "occasional", "network_level": "core"}
    ]
    assert member(doc, "erin")["network_level"] == "peripheral"
    assert member(doc, "dave")["level"] == "lurker"
    bob, dave = member(doc, "bob"), member(doc, "dave")
    assert (bob["first_seen"], bob["last_seen"]) == ("2024-01-01T00:00:00Z", "2024-01-03T00:00:00Z")
    assert (dave["first_seen"], dave["last_seen"]) == (None, None)
    assert [m["member_id"] for m in doc["members"]] == ["alice", "bob", "carol", "erin", "dave"]


def test_roles_from_what_messages_do(doc: dict) -> None:
    assert roles(doc, "alice") == {"expert", "connector", "broker", "coordinator"}
    assert roles(doc, "bob") == {"asker"}
    assert roles(doc, "carol") == {"asker"}
    assert roles(doc, "erin") == {"newcomer"}
    assert roles(doc, "dave") == {"coordinator"}
    alice = member(doc, "alice")
    assert (alice["answers"], alice["accepted"], alice["people_helped"]) == (4, 1, 3)
    expert = next(r for r in alice["roles"] if r["role"] == "expert")
    assert expert["concept"] == "expert"
    assert expert["evidence"]["people_helped"] == 3
    assert "rule" in expert["evidence"]


def test_concentration_reciprocity_and_help_network(doc: dict) -> None:
    flows = doc["flows"]
    assert flows["concentration"]["absence_factor"] == 1
    assert flows["concentration"]["gini"] == pytest.approx(0.65)
    assert flows["reciprocity"] == 0.0
    edges = {(e["from"], e["to"]): e["weight"] for e in flows["help_network"]["edges"]}
    assert edges == {
        ("alice", "carol"): 2,
        ("alice", "bob"): 1,
        ("alice", "erin"): 1,
        ("bob", "carol"): 1,
    }


def test_newcomers_and_censored_return(doc: dict) -> None:
    assert doc["flows"]["newcomers"] == {
        "count": 4,
        "first_post_replied_share": 0.75,
        "median_hours_to_first_reply": 2.0,
        "returned_30d_share": 1.0,
        "returned_90d_share": {
            "undefined": "no newcomer can be followed for 90 days before the window ends"
        },
    }


def test_trajectories_and_transitions(doc: dict) -> None:
    assert member(doc, "alice")["trajectory"]["kind"] == "inbound"
    assert member(doc, "alice")["trajectory"]["levels_by_period"] == {
        "2024-01": "occasional",
        "2024-02": "active",
    }
    assert member(doc, "carol")["trajectory"]["kind"] == "peripheral"
    assert "undefined" in member(doc, "bob")["trajectory"]["kind"]
    assert doc["trajectories"]["counts"] == {
        "peripheral": 1,
        "inbound": 1,
        "insider": 0,
        "boundary": 0,
        "outbound": 0,
        "undefined": 2,
    }
    (t,) = doc["transitions"]
    assert (t["from"], t["to"], t["moved_up"], t["held"], t["moved_down"]) == (
        "2024-01",
        "2024-02",
        1,
        1,
        0,
    )
    assert (t["entered"], t["left"]) == (1, 1)
    assert {"from_level": "absent", "to_level": "peripheral", "members": 1} in t["flows"]
    assert [p["active_members"] for p in doc["periods"]] == [3, 3]
    assert [p["newcomers"] for p in doc["periods"]] == [3, 1]


def test_json_is_serialisable_and_every_label_links_to_a_concept(doc: dict) -> None:
    text = json.dumps(doc)
    assert json.loads(text)["format"] == "copkit-analysis"
    assert doc["version"] == 1
    for m in doc["members"]:
        for r in m["roles"]:
            assert r["concept"] in doc["concepts"]
        assert m["trajectory"]["concept"] in doc["concepts"]
        assert m["level"] in doc["concepts"]
    assert doc["concepts"]["core"]["verified"] == "V"


def test_window_and_period_options(tmp_path: Path) -> None:
    path = small_community(tmp_path / "s.duckdb")
    feb = analyze(path, since=datetime(2024, 2, 1, tzinfo=UTC), period="week").to_json()
    assert feb["summary"]["threads"] == 2
    assert feb["window"] == {"since": "2024-02-01T00:00:00Z", "until": None, "period": "week"}
    assert [p["period"] for p in feb["periods"]] == ["2024-W05"]
    with_bots = analyze(path, exclude_bots=False).to_json()
    assert with_bots["summary"]["bots_excluded"] == 0
    # The bot's reply after 30 minutes now counts as q1's first response.
    assert with_bots["flows"]["time_to_first_response"]["overall"]["median_hours"] == 2.5


def test_an_empty_store_is_undefined_not_zero(tmp_path: Path) -> None:
    path = StoreBuilder(tmp_path / "e.duckdb").close()
    doc = analyze(path).to_json()
    assert doc["summary"]["activities"] == 0
    overall = doc["flows"]["time_to_first_response"]["overall"]
    assert overall["median_hours"] == {"undefined": "no thread started in the window"}
    assert doc["flows"]["reciprocity"] == {"undefined": "no help ties in the window"}
    assert "undefined" in doc["flows"]["concentration"]["gini"]
    assert doc["flows"]["newcomers"]["count"] == 0
    json.dumps(doc)


def test_missing_or_foreign_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such store"):
        analyze(tmp_path / "nope.duckdb")
    other = tmp_path / "other.duckdb"
    import duckdb

    duckdb.connect(str(other)).close()
    with pytest.raises(StoreError, match="missing tables"):
        analyze(other)
    with pytest.raises(ValueError, match="timezone-aware"):
        analyze(other, since=datetime(2024, 1, 1))  # noqa: DTZ001


def test_outbound_and_insider(tmp_path: Path) -> None:
    """Over five months: 'old' carries January-March then stops; 'ins' carries every month."""
    b = StoreBuilder(tmp_path / "o.duckdb")
    people = ["old", "ins"] + [f"p{i}" for i in range(8)]
    for p in people:
        b.member(p)
    n = 0
    for month in range(5):
        for i in range(8):
            n += 1
            b.post(f"t{n}", f"p{i}", at(30 * month + i))
            if month < 3:
                for k in range(3):
                    b.reply(f"o{n}-{k}", "old", at(30 * month + i, 1 + k), f"t{n}")
            b.reply(f"i{n}", "ins", at(30 * month + i, 5), f"t{n}")
            b.reply(f"j{n}", "ins", at(30 * month + i, 6), f"t{n}")
    doc = analyze(b.close()).to_json()
    assert member(doc, "old")["trajectory"]["kind"] == "outbound"
    assert member(doc, "ins")["trajectory"]["kind"] == "insider"


def test_json_has_every_key_of_the_contract(doc: dict) -> None:
    stats = {"threads", "answered", "unanswered", "unanswered_share", "median_hours"}
    stats |= {"mean_hours", "p90_hours"}
    assert set(doc) >= {"format", "version", "generated_at", "store", "window", "options"}
    assert set(doc) >= {"summary", "concepts", "levels", "members", "periods", "transitions"}
    assert set(doc) >= {"trajectories", "flows", "subgroups"}
    assert set(doc["levels"]) == {"rule", "counts", "onion", "disagreements"}
    assert set(doc["members"][0]) == {
        "member_id", "display_name", "level", "activity_level", "network_level", "activities",
        "threads_started", "replies", "answers", "accepted", "people_helped", "first_seen",
        "last_seen", "roles", "trajectory", "evidence",
    }  # fmt: skip
    assert set(doc["members"][0]["trajectory"]) == {
        "kind",
        "concept",
        "levels_by_period",
        "evidence",
    }
    assert set(doc["periods"][0]) == {
        "period",
        "active_members",
        "activities",
        "levels",
        "newcomers",
    }
    assert set(doc["transitions"][0]) == {
        "from", "to", "moved_up", "held", "moved_down", "entered", "left", "flows",
    }  # fmt: skip
    flows = doc["flows"]
    assert set(flows) == {
        "time_to_first_response", "help_network", "concentration", "reciprocity", "newcomers",
        "between_subgroups", "between_spaces",
    }  # fmt: skip
    ttfr = flows["time_to_first_response"]
    assert set(ttfr["overall"]) == stats
    assert set(ttfr["by_space"][0]) == stats | {"space_id", "space"}
    assert set(ttfr["by_period"][0]) == stats | {"period"}
    node = flows["help_network"]["nodes"][0]
    assert set(node) == {"member_id", "display_name", "answers_given", "questions_asked", "level"}
    assert set(flows["concentration"]) == {"absence_factor", "absence_factor_rule", "gini"}
    assert set(doc["subgroups"][0]) == {
        "id", "size", "top_members", "internal_ties", "external_ties", "spaces",
    }  # fmt: skip
    assert set(doc["trajectories"]["counts"]) == {
        "peripheral", "inbound", "insider", "boundary", "outbound", "undefined",
    }  # fmt: skip
