"""The docstring examples of the analysis modules run (networkx style)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["model", "levels", "flows", "roles", "trajectories"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(f"copkit.community.analysis.{name}")
    result = doctest.testmod(module)
    assert result.failed == 0
    assert result.attempted > 0
