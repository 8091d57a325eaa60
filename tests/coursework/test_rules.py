from __future__ import annotations

import doctest
import itertools

import pytest

from copkit.coursework import rules
from copkit.errors import ApplicationError


def test_doctests() -> None:
    result = doctest.testmod(rules)
    assert result.attempted >= 3 and result.failed == 0


@pytest.mark.parametrize("n", [2, 4, 6, 8, 10])
def test_even_rotation_meets_everyone_once_before_any_repeat(n: int) -> None:
    members = list(range(n))
    seen: set[frozenset[int]] = set()
    for r in range(n - 1):
        groups = rules.coworking_groups(members, round_index=r)
        assert sorted(x for g in groups for x in g) == members
        assert all(len(g) == 2 for g in groups)
        for g in groups:
            assert frozenset(g) not in seen
            seen.add(frozenset(g))
    assert len(seen) == n * (n - 1) // 2


@pytest.mark.parametrize("n", [3, 5, 7, 9])
def test_odd_counts_make_one_trio_and_cover_everyone(n: int) -> None:
    members = list(range(n))
    history: list[frozenset[int]] = []
    for r in range(n):
        groups = rules.coworking_groups(members, round_index=r, history=history)
        assert sorted(x for g in groups for x in g) == members
        assert sorted(len(g) for g in groups) == [2] * (n // 2 - 1) + [3]
        history += [frozenset(p) for g in groups for p in itertools.combinations(g, 2)]
    # the circle pairs alone cover every pair once over n rounds
    assert {frozenset(p) for p in itertools.combinations(members, 2)} <= set(history)


def test_rotation_is_deterministic_and_small_cases() -> None:
    assert rules.coworking_groups([], round_index=0) == []
    assert rules.coworking_groups(["solo"], round_index=3) == [("solo",)]
    assert rules.coworking_groups(list("abcd"), round_index=1) == rules.coworking_groups(
        list("abcd"), round_index=1
    )


def test_trio_joins_the_pair_met_least() -> None:
    # round 0 of a,b,c,d,e: bye pairs with a; circle pairs (b,e), (c,d)
    history = [frozenset("ab"), frozenset("ae")]
    groups = rules.coworking_groups(list("abcde"), round_index=0, history=history)
    assert ("c", "d", "a") in groups


@pytest.mark.parametrize(
    ("name", "size", "head", "message"),
    [
        ("evil.exe", 10, b"MZ", "not accepted"),
        ("noext", 10, b"", "no extension"),
        ("big.pdf", rules.MAX_UPLOAD_BYTES + 1, b"%PDF", "the limit is 10 MB"),
        ("empty.txt", 0, b"", "empty"),
        ("fake.pdf", 10, b"MZ\x90", "not a .pdf file"),
    ],
)
def test_upload_check_refuses(name: str, size: int, head: bytes, message: str) -> None:
    with pytest.raises(ApplicationError, match=message) as info:
        rules.upload_check(name=name, size=size, head=head)
    assert name.split("/")[-1] in info.value.message


def test_upload_check_accepts_and_strips_paths() -> None:
    assert rules.upload_check(name="../../etc/Plan.PDF", size=5, head=b"%PDF-") == "pdf"
    assert rules.upload_check(name="notes.md", size=5, head=b"# hi") == "md"


def test_rubric_levels_parse_errors_name_the_line() -> None:
    assert rules.rubric_levels_parse("3: Good\n\n1: Weak") == [(1, "Weak"), (3, "Good")]
    with pytest.raises(ApplicationError, match="line 2"):
        rules.rubric_levels_parse("1: ok\nthree: bad")
    with pytest.raises(ApplicationError, match="appear twice"):
        rules.rubric_levels_parse("1: a\n1: b")
    with pytest.raises(ApplicationError, match="at least two"):
        rules.rubric_levels_parse("1: a")


def test_score_check() -> None:
    rules.score_check(criterion="Clarity", points=2, allowed=[0, 1, 2])
    with pytest.raises(ApplicationError, match="Score for 'Clarity' is 5; choose one of"):
        rules.score_check(criterion="Clarity", points=5, allowed=[0, 1, 2])
