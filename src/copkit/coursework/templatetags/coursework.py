"""Template filters: ``markdown`` (sanitised) and ``in_zone`` (an aware datetime in a zone)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils.safestring import SafeString

from copkit.coursework.rendering import markdown_html

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return markdown_html(text)


@register.filter
def in_zone(value: datetime | None, zone: str) -> str:
    if value is None:
        return "—"
    local = value.astimezone(ZoneInfo(zone))
    return f"{local:%a %d %b %Y, %H:%M} {local.tzname()}"


@register.filter
def waited(seconds: float) -> str:
    hours = int(seconds // 3600)
    if hours >= 48:
        return f"{hours // 24} days"
    if hours >= 1:
        return f"{hours} h"
    return f"{int(seconds // 60)} min"


@register.filter
def dictget(mapping: dict[object, object], key: object) -> object:
    return mapping.get(key) if mapping else None
