"""The report renderer on a realistic analysis document that follows the JSON contract."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from copkit.community.report import FORMATS, ReportError, render, render_fragment

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "report" / "analysis-example.json"
SECTIONS = (
    "summary",
    "levels",
    "over-time",
    "trajectories",
    "roles",
    "response",
    "help",
    "newcomers",
    "subgroups",
    "challenges",
    "concepts",
)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def result() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text())
    return data


def html_tree(result: dict[str, Any]) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(render(result, "html"))


def svgs(tree: lxml.html.HtmlElement) -> dict[str, etree._Element]:
    """Every chart, re-parsed as standalone XML: proves each is well-formed SVG."""
    out = {}
    for element in tree.xpath("//svg"):
        markup = lxml.html.tostring(element, encoding="unicode", method="xml")
        root = etree.fromstring(markup.encode())
        out[element.get("id")] = root
    return out


def count_marks(root: etree._Element, tag: str) -> int:
    return len(root.xpath(f"//*[local-name()='{tag}'][contains(@class, 'mark')]"))


def test_formats() -> None:
    assert FORMATS == ("html", "md", "pdf")


def test_every_section_renders_with_explanation_and_concepts(result: dict[str, Any]) -> None:
    tree = html_tree(result)
    for section in SECTIONS:
        found = tree.xpath(f"//section[@id='{section}']")
        assert found, section
        assert found[0].xpath(".//h2"), section
    levels = tree.xpath("//section[@id='levels']")[0]
    text = levels.text_content()
    assert "Levels of participation" in text
    assert "Wenger-Trayner" in text  # the source
    assert "verified in the source" in text  # its status
    assert "partly verified" in text  # the onion concept is [P]
    assert "k-core of the undirected reply graph" in text  # the rule behind the labels


def test_role_and_trajectory_concepts_are_cited_with_evidence(result: dict[str, Any]) -> None:
    tree = html_tree(result)
    roles = tree.xpath("//section[@id='roles']")[0].text_content()
    assert "Zhang, Ackerman & Adamic (2007)" in roles
    assert "not verified: check before citing" in roles  # the broker concept is [U]
    assert "rule: answers >= 10 and people_helped >= 5" in roles
    trajectories = tree.xpath("//section[@id='trajectories']")[0].text_content()
    assert "Wenger, E. (1998)" in trajectories
    assert "level rises by at least one step" in trajectories


def test_undefined_values_render_as_not_defined(result: dict[str, Any]) -> None:
    tree = html_tree(result)
    newcomers = tree.xpath("//section[@id='newcomers']")[0].text_content()
    assert "not defined: fewer than 90 days of data after the newcomers' first posts" in newcomers
    response = tree.xpath("//section[@id='response']")[0].text_content()
    assert "not defined: no thread in this group was answered" in response
    roles = tree.xpath("//section[@id='roles']")[0].text_content()
    assert "not defined: active in one period only" in roles
    assert tree.xpath("//td[@class='undefined']")
    md = render(result, "md").decode()
    assert "not defined: fewer than 90 days of data" in md


def test_charts_are_valid_svg_with_the_right_number_of_marks(result: dict[str, Any]) -> None:
    charts = svgs(html_tree(result))
    assert set(charts) == {
        "chart-levels",
        "chart-onion",
        "chart-over-time",
        "chart-trajectories",
        "chart-help",
        "chart-response",
        "chart-subgroups",
    }
    for root in charts.values():
        assert root.find(f"{SVG}title") is not None
        assert root.find(f"{SVG}desc") is not None
    counts = result["levels"]["counts"]
    assert count_marks(charts["chart-levels"], "circle") == sum(1 for n in counts.values() if n)
    assert count_marks(charts["chart-onion"], "circle") == 3
    positive = sum(1 for p in result["periods"] for n in p["levels"].values() if n > 0)
    assert count_marks(charts["chart-over-time"], "rect") == positive
    flows = sum(1 for t in result["transitions"] for f in t["flows"] if f["members"] > 0)
    assert count_marks(charts["chart-trajectories"], "path") == flows
    network = result["flows"]["help_network"]
    assert count_marks(charts["chart-help"], "circle") == len(network["nodes"])
    assert count_marks(charts["chart-help"], "line") == len(network["edges"])
    by_period = result["flows"]["time_to_first_response"]["by_period"]
    assert count_marks(charts["chart-response"], "circle") == len(by_period)
    assert count_marks(charts["chart-response"], "rect") == len(by_period)
    groups = {f[k] for f in result["flows"]["between_subgroups"] for k in ("from", "to")}
    assert count_marks(charts["chart-subgroups"], "rect") == len(groups) ** 2


def test_each_chart_has_a_table_beside_it(result: dict[str, Any]) -> None:
    tree = html_tree(result)
    for figure in tree.xpath("//figure[@class='chart-block']"):
        assert figure.xpath("./svg") and figure.xpath(".//table")


def test_markdown_contains_the_tables(result: dict[str, Any]) -> None:
    md = render(result, "md").decode()
    assert md.startswith("# Community report")
    assert "| Level | Members | Share |" in md
    assert "| core | 3 | 7.5 % |" in md
    assert "| Trajectory | Members | Rule |" in md
    assert "| 2024-01 | 2024-02 | 2 | 17 | 1 | 2 | 1 |" in md  # moves between periods
    assert "| #random | 14 | 0 | 14 | 100.0 % | not defined:" in md
    assert "| Concept | Definition | Source | Status |" in md
    for heading in ("## Levels of participation", "## Trajectories", "## Who helps whom"):
        assert heading in md
    assert "<svg" not in md


def test_markdown_escapes_cells_and_markup(result: dict[str, Any]) -> None:
    result["members"][0]["display_name"] = "<b>a</b>|b"
    md = render(result, "md").decode()
    assert "&lt;b&gt;a&lt;/b&gt;\\|b" in md
    assert "<b>a</b>" not in md


def test_html_escapes_names_from_the_data(result: dict[str, Any]) -> None:
    result["members"][0]["display_name"] = "<script>alert(1)</script>"
    result["flows"]["help_network"]["nodes"][0]["display_name"] = "<script>alert(2)</script>"
    html = render(result, "html").decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)" in html
    assert "&lt;script&gt;alert(2)" in html


def test_fragment_is_embeddable(result: dict[str, Any]) -> None:
    fragment = render_fragment(result)
    assert fragment.lstrip().startswith('<div class="copkit-report">')
    assert "<html" not in fragment and "<body" not in fragment


@pytest.mark.slow
def test_pdf_is_a_real_pdf_with_the_text(result: dict[str, Any], tmp_path: Path) -> None:
    pdf = render(result, "pdf")
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    # fixed argv of poppler's tools on a file the test wrote
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)  # noqa: S603, S607
    pages = int(
        next(line for line in info.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )
    assert pages >= 5
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for title in ("Levels of participation", "Trajectories", "Who helps whom", "Concepts and"):
        assert title in text
    assert "not defined: fewer than 90 days" in text
    assert "page 1 of" in text
    assert "Members flowing between levels" in text  # long chart tables are printed in full


def test_a_quiet_community_renders_with_every_gap_explained(result: dict[str, Any]) -> None:
    quiet = copy.deepcopy(result)
    quiet["periods"] = []
    quiet["transitions"] = []
    quiet["subgroups"] = []
    quiet["flows"]["between_subgroups"] = []
    quiet["flows"]["help_network"] = {"nodes": [], "edges": []}
    quiet["flows"]["time_to_first_response"]["by_period"] = []
    quiet["members"] = []
    quiet["levels"]["disagreements"] = []
    quiet.pop("challenges")
    html = render(quiet, "html").decode()
    assert "not defined: the window holds no complete period" in html
    assert "not defined: trajectories need at least two periods" in html
    assert "not defined: nobody answered anybody in this window" in html
    assert "not defined: no subgroups were found" in html
    assert "<svg" in html  # the level onions still draw
    assert 'id="challenges"' not in html
    render(quiet, "md")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(format="other"), "Not a copkit analysis"),
        (lambda r: r.update(version=99), "version 99 is not supported"),
        (lambda r: r.pop("flows"), "lacks the key(s) flows"),
        (lambda r: r["levels"].pop("onion"), "does not follow the copkit-analysis contract"),
    ],
)
def test_documents_off_contract_are_refused_clearly(
    result: dict[str, Any], change: Any, message: str
) -> None:
    change(result)
    with pytest.raises(ReportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        render(result, "html")


def test_unknown_format_is_refused(result: dict[str, Any]) -> None:
    with pytest.raises(ReportError, match="Unknown report format 'docx'"):
        render(result, "docx")


def _numeric_leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _numeric_leaves(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _numeric_leaves(v, (*path, i))]
    identifiers = ("version", "id", "from", "to")  # subgroup ids are not measures
    if isinstance(node, int | float) and not isinstance(node, bool) and path[-1] not in identifiers:
        return [path]
    return []


LEAVES = _numeric_leaves(json.loads(FIXTURE.read_text()))


@settings(max_examples=10, deadline=None)
@given(st.lists(st.sampled_from(LEAVES), min_size=1, max_size=40, unique=True))
def test_any_measure_may_be_undefined(paths: list[tuple[Any, ...]]) -> None:
    """Whichever numbers the analysis reports as undefined, the report renders and says so."""
    document = json.loads(FIXTURE.read_text())
    for path in paths:
        node = document
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = {"undefined": "REASON-X"}
    html = render(document, "html").decode()
    md = render(document, "md").decode()
    assert "not defined: REASON-X" in html or "REASON-X" in html
    assert "REASON-X" in md
    for svg in lxml.html.fromstring(html).xpath("//svg"):
        etree.fromstring(lxml.html.tostring(svg, encoding="unicode", method="xml").encode())


def test_the_help_network_chart_draws_the_top_members_only(result: dict[str, Any]) -> None:
    network = result["flows"]["help_network"]
    for k in range(30):
        network["nodes"].append(
            {
                "member_id": f"extra-{k}",
                "display_name": f"extra-{k}",
                "answers_given": 0,
                "questions_asked": 1,
                "level": "peripheral",
            }
        )
    tree = html_tree(result)
    chart = svgs(tree)["chart-help"]
    assert count_marks(chart, "circle") == 20
    table = tree.xpath("//section[@id='help']//table")[0]
    assert len(table.xpath(".//tbody/tr")) == len(network["nodes"])  # the table lists all
