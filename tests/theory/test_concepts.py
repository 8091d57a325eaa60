"""The concepts: complete, sourced, honestly marked, and the same as docs/concepts.md."""

from __future__ import annotations

import dataclasses
import doctest
from pathlib import Path

import pytest

import copkit.community.analysis as analysis
import copkit.theory.concepts
from copkit.community.analysis.model import LEVELS
from copkit.community.analysis.roles import ROLE_RULES
from copkit.community.analysis.trajectories import TRAJECTORY_KINDS
from copkit.theory import CATEGORIES, CONCEPTS, concept, concepts_in
from copkit.theory.markdown import concepts_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_every_label_the_analysis_uses_is_a_concept() -> None:
    needed = set(LEVELS) | set(ROLE_RULES) | {f"trajectory_{k}" for k in TRAJECTORY_KINDS}
    needed |= {"lpp", "onion", "time_to_first_response", "absence_factor", "gini"}
    needed |= {"reciprocity", "betweenness", "constraint", "leiden", "k_core"}
    assert needed <= set(CONCEPTS)


@pytest.mark.parametrize(
    ("category", "ids"),
    [
        ("element", ["domain", "community", "practice"]),
        ("stage", ["stage_potential", "stage_coalescing", "stage_maturing"]),
        ("mode", ["mode_convey", "mode_contribute", "mode_collaborate", "mode_co_create"]),
        ("value", ["value_immediate", "value_potential", "value_applied", "value_realized"]),
    ],
)
def test_categories_hold_the_framework(category: str, ids: list[str]) -> None:
    assert [c.id for c in concepts_in(category)][: len(ids)] == ids


def test_every_concept_is_sourced_and_marked() -> None:
    for c in CONCEPTS.values():
        assert c.category in CATEGORIES
        assert c.name and c.definition and c.source
        assert c.verified in ("V", "P", "U")
        assert c.url is None or c.url.startswith("http")


def test_unverified_facts_are_not_marked_verified() -> None:
    """THEORY-NOTES marks these [U] or [P]; they must not be presented as verified."""
    assert concept("stage_stewardship").verified != "V"
    assert concept("k_core").verified == "U"
    assert concept("gini").verified == "U"
    assert concept("onion").verified == "P"


def test_concepts_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        concept("core").name = "x"  # type: ignore[misc]


def test_unknown_category_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="unknown concept category"):
        concepts_in("nope")


def test_docs_concepts_md_matches_the_data() -> None:
    page = (ROOT / "docs" / "concepts.md").read_text()
    assert page == concepts_markdown(), "regenerate docs/concepts.md (see copkit.theory.markdown)"


def test_docstring_examples_run() -> None:
    for module in (copkit.theory.concepts, copkit.theory):
        assert doctest.testmod(module).failed == 0


def test_every_public_measure_is_documented() -> None:
    for name in analysis.__all__:
        obj = getattr(analysis, name)
        if callable(obj) and not isinstance(obj, type):
            doc = obj.__doc__ or ""
            assert len(doc) > 40, f"{name} needs a docstring"
