"""The communities-of-practice framework as typed data, each concept with its source.

Every label copkit puts on a member, a flow or a community links to one :class:`Concept`
here, so a page or a report can say where the idea comes from and how far the citation was
checked: ``V`` verified in a primary source (or a secondary one reproducing it), ``P``
partially verified, ``U`` unverified (never presented as verified). The marks follow
``THEORY-NOTES.md`` of the project. Pure data: no I/O, no Django.

Examples
--------
>>> from copkit.theory import concept
>>> concept("core").name
'Core group'
>>> concept("core").verified
'V'
"""

from __future__ import annotations

from copkit.theory.concepts import CATEGORIES, CONCEPTS, Concept, Verified, concept, concepts_in

__all__ = ["CATEGORIES", "CONCEPTS", "Concept", "Verified", "concept", "concepts_in"]
