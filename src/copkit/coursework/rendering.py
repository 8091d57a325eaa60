"""Markdown written by staff and learners, rendered to sanitised HTML (Markdown + nh3)."""

from __future__ import annotations

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

__all__ = ["markdown_html"]


def markdown_html(text: str) -> SafeString:
    """Render Markdown to HTML that is safe to include: raw HTML, scripts, event handlers
    and ``javascript:`` links are removed by nh3; links get ``rel="noopener noreferrer"``."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    return mark_safe(nh3.clean(html, link_rel="noopener noreferrer"))  # noqa: S308 - sanitised by nh3
