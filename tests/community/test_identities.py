"""Identity merges: suggestions with reasons, merge, unmerge, and the log."""

from __future__ import annotations

import pytest

from copkit.community import Store, StoreError, import_paths
from copkit.community.identities import (
    identity_merge,
    identity_suggestions,
    identity_unmerge,
    merge_list,
)

from .conftest import FIXTURES, rows, scalar, snapshot

MODERN = FIXTURES / "slack" / "modern"
LIST = FIXTURES / "mbox" / "list.mbox"


def _ana(store: Store) -> tuple[str, str]:
    [suggestion] = [s for s in identity_suggestions(store) if s.reason == "same e-mail"]
    return suggestion.from_member, suggestion.into_member


def test_suggestions_by_email_and_name_with_confidence(store: Store) -> None:
    import_paths(store, [MODERN, LIST])
    suggestions = identity_suggestions(store)
    reasons = sorted((s.reason, s.confidence, "".join(sorted(s.sources))) for s in suggestions)
    # Ana: the same e-mail in Slack and on the list; Ben: the same name only
    assert [(r, c) for r, c, _ in reasons] == [("same e-mail", 0.95), ("same name", 0.6)]
    assert all(s.sources in ("slack/mbox", "mbox/slack") for s in suggestions)
    assert {s.reason for s in suggestions} == {"same e-mail", "same name"}
    # the member seen first is kept
    for s in suggestions:
        seen = dict(store.con.execute("SELECT member_id, first_seen FROM members").fetchall())
        assert seen[s.into_member] <= seen[s.from_member]


def test_merge_then_unmerge_restores_everything(store: Store) -> None:
    import_paths(store, [MODERN, LIST])
    before = snapshot(store)
    members = scalar(store, "SELECT count(*) FROM members")
    source, target = _ana(store)
    merge_id = identity_merge(store, from_member=source, into_member=target, reason="same e-mail")
    assert scalar(store, "SELECT count(*) FROM members") == members - 1
    assert scalar(store, "SELECT count(*) FROM activities WHERE actor_id = ?", source) == 0
    assert scalar(store, "SELECT count(*) FROM identities WHERE member_id = ?", target) == 2
    assert scalar(store, "SELECT count(*) FROM interactions WHERE from_member = to_member") == 0
    assert merge_list(store)[0][:4] == (merge_id, source, target, "same e-mail")
    # an import after the merge keeps the merged identity on the merged member
    assert import_paths(store, [LIST]).added_members == 0
    identity_unmerge(store, merge_id=merge_id)
    after = snapshot(store)
    for table in ("members", "identities", "activities", "interactions", "spaces"):
        assert after[table] == before[table], table
    with pytest.raises(StoreError, match="already undone"):
        identity_unmerge(store, merge_id=merge_id)


def test_chained_merges_unmerge_in_order(store: Store) -> None:
    import_paths(store, [MODERN])
    query = "SELECT member_id FROM members WHERE NOT is_bot ORDER BY member_id LIMIT 3"
    a, b, c = [str(r[0]) for r in rows(store, query)]
    first = identity_merge(store, from_member=a, into_member=b, reason="by hand")
    second = identity_merge(store, from_member=b, into_member=c, reason="by hand")
    with pytest.raises(StoreError, match=f"unmerge #{second} first"):
        identity_unmerge(store, merge_id=first)
    identity_unmerge(store, merge_id=second)
    identity_unmerge(store, merge_id=first)
    assert scalar(store, "SELECT count(*) FROM merges WHERE unmerged_at IS NULL") == 0


def test_bad_merges_are_refused(store: Store) -> None:
    import_paths(store, [LIST])
    source, *_ = [r[0] for r in store.con.execute("SELECT member_id FROM members").fetchall()]
    with pytest.raises(StoreError, match="into itself"):
        identity_merge(store, from_member=source, into_member=source, reason="x")
    with pytest.raises(StoreError, match="No member 'm-nobody'"):
        identity_merge(store, from_member=source, into_member="m-nobody", reason="x")
    with pytest.raises(StoreError, match="No merge #7"):
        identity_unmerge(store, merge_id=7)
    assert scalar(store, "SELECT count(*) FROM merges") == 0
