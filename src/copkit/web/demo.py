"""`copkit demo`: build the demo content once, safely repeatable.

Each app contributes a builder listed in ``settings.COPKIT_DEMO_BUILDERS``; a builder
makes its part of the demo idempotently and returns lines to print (logins, addresses).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils.module_loading import import_string
from rich.console import Console


def demo_build(*, now: datetime, out: Console) -> list[str]:
    """Run every demo builder in order and return what they want printed."""
    lines: list[str] = []
    for dotted in settings.COPKIT_DEMO_BUILDERS:
        builder = import_string(dotted)
        with out.status(f"Building the demo: {builder.__module__.split('.')[1]} …"):
            lines.extend(builder(now=now, out=out))
    return lines
