"""Render the report's sections with Jinja2 templates; PDF through WeasyPrint."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, Final

import jinja2
import markupsafe

from copkit.community.report.model import Report
from copkit.community.report.sections import build_report
from copkit.errors import CopkitError

__all__ = ["FORMATS", "ReportError", "pdf_from_html", "render", "render_fragment"]

FORMATS: Final = ("html", "md", "pdf")
CONTRACT_FORMAT: Final = "copkit-analysis"
CONTRACT_VERSIONS: Final = (1,)
REQUIRED_KEYS: Final = (
    "format",
    "version",
    "generated_at",
    "store",
    "window",
    "options",
    "summary",
    "concepts",
    "levels",
    "members",
    "periods",
    "transitions",
    "trajectories",
    "flows",
    "subgroups",
)


class ReportError(CopkitError):
    """The document cannot be rendered: not an analysis, another version, or a missing key."""


@cache
def _environment(markdown: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("copkit.community.report", "templates"),
        # Markdown is not HTML: values are escaped for it by ``_md_text`` instead.
        autoescape=not markdown,  # noqa: S701
        finalize=_md_text if markdown else None,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = _md_cell
    return env


def _md_text(value: Any) -> Any:
    """Keep raw HTML out of Markdown: a display name like ``<b>`` stays text when rendered."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def _md_cell(value: Any) -> str:
    """Make ``value`` safe inside a Markdown table cell."""
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _check(result: Mapping[str, Any]) -> None:
    if not isinstance(result, Mapping):
        raise ReportError("The analysis must be a JSON object (a copkit-analysis document).")
    if result.get("format") != CONTRACT_FORMAT:
        raise ReportError(
            f"Not a copkit analysis: 'format' is {result.get('format')!r}, expected "
            f"{CONTRACT_FORMAT!r}. Produce one with `copkit analyze --format json`."
        )
    if result.get("version") not in CONTRACT_VERSIONS:
        raise ReportError(
            f"Analysis version {result.get('version')!r} is not supported (this copkit "
            f"renders version {', '.join(map(str, CONTRACT_VERSIONS))}); analyse the store again."
        )
    missing = [key for key in REQUIRED_KEYS if key not in result]
    if missing:
        raise ReportError(f"The analysis lacks the key(s) {', '.join(missing)}; analyse again.")


def _build(result: Mapping[str, Any], title: str | None) -> Report:
    _check(result)
    try:
        return build_report(result, title=title)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ReportError(
            f"The analysis does not follow the copkit-analysis contract ({type(exc).__name__}: "
            f"{exc}); analyse the store again with this version of copkit."
        ) from exc


def render_fragment(result: Mapping[str, Any], *, title: str | None = None) -> str:
    """Return the report as an HTML fragment (no ``<html>``), to embed in a web page.

    The fragment's styles are scoped under ``.copkit-report``.
    """
    report = _build(result, title)
    return (
        _environment(False)
        .get_template("fragment.html.jinja")
        .render(report=report, media="screen")
    )


def render(result: Mapping[str, Any], format: str, *, title: str | None = None) -> bytes:  # noqa: A002
    """Render an analysis document as a complete report.

    Parameters
    ----------
    result : mapping
        A ``copkit-analysis`` document, as ``AnalysisResult.to_json()`` returns it.
    format : {"html", "md", "pdf"}
        A standalone HTML page, Markdown, or a PDF made by WeasyPrint from the HTML with the
        print stylesheet.
    title : str, optional
        The report's heading (default "Community report").

    Returns
    -------
    bytes
        UTF-8 text for ``html`` and ``md``; the PDF file for ``pdf``.

    Raises
    ------
    ReportError
        When ``format`` is unknown or the document does not follow the contract.
    """
    if format not in FORMATS:
        raise ReportError(f"Unknown report format {format!r}: use one of {', '.join(FORMATS)}.")
    report = _build(result, title)
    if format == "md":
        return _environment(True).get_template("report.md.jinja").render(report=report).encode()
    page = _environment(False).get_template("report.html.jinja")
    if format == "html":
        return page.render(report=report, media="screen").encode()
    return pdf_from_html(page.render(report=report, media="print"))


def pdf_from_html(html: str) -> bytes:
    """A PDF made by WeasyPrint from a self-contained HTML page (nothing is fetched)."""
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=None).write_pdf()
    if pdf is None:  # pragma: no cover - write_pdf returns bytes when no target is given
        raise ReportError("WeasyPrint produced no PDF.")
    return bytes(pdf)
