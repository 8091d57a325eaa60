"""The SVG chart module: valid, accessible SVG with exactly the marks the data asks for."""

from __future__ import annotations

import pytest
from lxml import etree

from copkit.community.report import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> etree._Element:
    root = etree.fromstring(svg.encode())
    assert root.tag == f"{SVG}svg"
    return root


def marks(root: etree._Element, tag: str | None = None) -> list[etree._Element]:
    found = root.xpath("//*[contains(concat(' ', @class, ' '), ' mark ')]")
    return [e for e in found if tag is None or e.tag == f"{SVG}{tag}"]


def test_every_chart_is_accessible() -> None:
    root = parse(charts.onion_chart([("core", 1)], chart_id="c1", title="T <1>", desc="D & d"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "T <1>"
    assert root.find(f"{SVG}desc").text == "D & d"


def test_onion_ring_areas_are_proportional_to_members() -> None:
    root = parse(
        charts.onion_chart(
            [("core", 1), ("active", 3), ("peripheral", 0)], chart_id="o", title="t", desc="d"
        )
    )
    circles = marks(root, "circle")
    assert len(circles) == 2  # the empty ring is not drawn
    radii = sorted(float(c.get("r")) for c in circles)
    assert radii == [57.0, 114.0]  # (120 - 6) * sqrt(1/4) and (120 - 6) * sqrt(4/4)


def test_onion_without_members_says_so() -> None:
    svg = charts.onion_chart([("core", 0)], chart_id="o", title="t", desc="d")
    assert marks(parse(svg)) == []
    assert "no members" in svg


def test_stacked_bars_one_rect_per_positive_value_scaled_to_the_tallest_bar() -> None:
    root = parse(
        charts.stacked_bar_chart(
            ["2024-01", "2024-02"],
            [("core", [2, 4]), ("active", [0, 4])],
            chart_id="s",
            title="t",
            desc="d",
        )
    )
    rects = marks(root, "rect")
    assert len(rects) == 3
    heights = [float(r.get("height")) for r in rects]
    assert heights == [50.0, 100.0, 100.0]  # plot height 200 for the peak total of 8


def test_alluvial_draws_nodes_and_one_band_per_flow() -> None:
    svg = charts.alluvial_chart(
        ["p1", "p2", "p3"],
        [
            [("core", "core", 2), ("peripheral", "active", 1), ("active", "core", 0)],
            [("core", "core", 2), ("active", "peripheral", 1)],
        ],
        order=("core", "active", "peripheral"),
        chart_id="a",
        title="t",
        desc="d",
    )
    root = parse(svg)
    assert len(marks(root, "path")) == 4
    # p1: core, peripheral; p2: core, active; p3: core, peripheral
    assert len(marks(root, "rect")) == 6


def test_alluvial_needs_one_transition_between_each_pair_of_periods() -> None:
    with pytest.raises(ValueError, match="between each pair"):
        charts.alluvial_chart(["p1", "p2"], [], order=(), chart_id="a", title="t", desc="d")


def test_network_ignores_unknown_nodes_and_self_ties_and_is_deterministic() -> None:
    nodes = [("a", "Ana", 5, "core"), ("b", "Bo", 1, "active"), ("c", "Cy", 0, "peripheral")]
    edges = [("a", "b", 3), ("a", "c", 1), ("a", "zz", 9), ("b", "b", 2)]
    svg = charts.network_chart(nodes, edges, chart_id="n", title="t", desc="d")
    root = parse(svg)
    assert len(marks(root, "circle")) == 3
    assert len(marks(root, "line")) == 2
    assert svg == charts.network_chart(nodes, edges, chart_id="n", title="t", desc="d")
    widths = [float(line.get("stroke-width")) for line in marks(root, "line")]
    assert widths == [4.0, pytest.approx(0.8 + 3.2 / 3, abs=0.01)]


def test_network_with_one_or_no_node() -> None:
    assert len(marks(parse(charts.network_chart([], [], chart_id="n", title="t", desc="d")))) == 0
    one = charts.network_chart([("a", "A", 1, "core")], [], chart_id="n", title="t", desc="d")
    assert len(marks(parse(one), "circle")) == 1


def test_response_time_undefined_median_draws_no_bar() -> None:
    svg = charts.response_time_chart(
        [
            ("2024-01", 2.0, 0.1),
            ("2024-02", None, 1.0),
            ("2024-03", 4.0, 0.5),
            ("2024-04", None, None),
        ],
        chart_id="r",
        title="t",
        desc="d",
    )
    root = parse(svg)
    bars = marks(root, "rect")
    assert [float(b.get("height")) for b in bars] == [90.0, 180.0]
    dots = marks(root, "circle")
    assert [float(d.get("cy")) for d in dots] == [178.0, 16.0, 106.0]  # 0.1, 1.0, 0.5 of 180
    assert "n/a" in svg


def test_heatmap_has_a_cell_per_pair_darkest_at_the_peak() -> None:
    root = parse(
        charts.heatmap_chart(
            ["g0", "g1", "g2"],
            {("g0", "g0"): 10, ("g0", "g1"): 5},
            chart_id="h",
            title="t",
            desc="d",
        )
    )
    cells = marks(root, "rect")
    assert len(cells) == 9
    fills = [c.get("fill") for c in cells]
    assert fills[0] == "#0f3d4c"
    assert fills[2] == "#f4f7fa"


def test_labels_are_escaped() -> None:
    svg = charts.heatmap_chart(
        ["<a&b>"], {("<a&b>", "<a&b>"): 1}, chart_id="h", title="t", desc="d"
    )
    root = parse(svg)
    assert "<a&b>" in "".join(root.itertext())


def test_network_labels_only_the_largest_nodes() -> None:
    nodes = [("a", "Ana", 5, "core"), ("b", "Bo", 1, "active"), ("c", "Cy", 3, "peripheral")]
    root = parse(charts.network_chart(nodes, [], chart_id="n", title="t", desc="d", labels=2))
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"Ana", "Cy"} <= texts and "Bo" not in texts
    legend = [t.text for t in root.iter(f"{SVG}text") if t.text in {"core", "active", "peripheral"}]
    assert legend == ["core", "active", "peripheral"]  # legend in level order
