"""``docs/concepts.md``, generated from the concepts so the page never drifts from the data."""

from __future__ import annotations

from copkit.theory.concepts import CATEGORIES, concepts_in

__all__ = ["concepts_markdown"]

_MARKS = {"V": "verified", "P": "partly verified", "U": "unverified"}


def concepts_markdown() -> str:
    """The Markdown text of ``docs/concepts.md``.

    Regenerate the page with
    ``python -c "from copkit.theory.markdown import concepts_markdown as m; print(m(), end='')"
    > docs/concepts.md``; a test fails when the page and the data differ.
    """
    lines = [
        "# Concepts",
        "",
        "Every label copkit puts on a member, a flow or a community links to one of these",
        "concepts (`copkit.theory`). Definitions are paraphrases. The mark says how far the",
        "source was checked: **V** verified in a primary source (or a secondary source that",
        "reproduces it), **P** partly verified, **U** unverified (do not cite it as fact",
        "without checking). This page is generated from `copkit.theory.concepts`; do not edit",
        "it by hand.",
        "",
    ]
    for category, title in CATEGORIES.items():
        lines += [f"## {title}", ""]
        for c in concepts_in(category):
            link = f" <{c.url}>" if c.url else ""
            lines += [
                f"### {c.name} (`{c.id}`)",
                "",
                c.definition,
                "",
                f"Source ({c.verified}, {_MARKS[c.verified]}): {c.source}{link}",
                "",
            ]
    return "\n".join(lines)
