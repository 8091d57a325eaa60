"""Render an analysis document (the ``copkit-analysis`` JSON) as HTML, Markdown or PDF.

The renderer depends only on the JSON contract (``docs/analysis-json.md``), not on the
analysis classes, so a saved JSON file renders the same way years later.

>>> from copkit.community.report import FORMATS
>>> FORMATS
('html', 'md', 'pdf')
"""

from __future__ import annotations

from copkit.community.report.render import FORMATS, ReportError, render, render_fragment

__all__ = ["FORMATS", "ReportError", "render", "render_fragment"]
