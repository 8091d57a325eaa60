"""The badge artwork that baked credentials travel in: an SVG and a PNG drawn here."""

from __future__ import annotations

import struct
import zlib
from html import escape

__all__ = ["badge_png", "badge_svg"]

_TEAL = (31, 111, 139)
_GOLD = (240, 180, 41)


def badge_svg(title: str) -> bytes:
    """Return a round SVG badge showing ``title`` (escaped)."""
    words = escape(title).split()
    half = (len(words) + 1) // 2
    lines = [" ".join(words[:half]), " ".join(words[half:])]
    text = "".join(
        f'<text x="120" y="{112 + 22 * i}" text-anchor="middle" font-family="sans-serif" '
        f'font-size="15" fill="#fff">{line}</text>'
        for i, line in enumerate(lines)
        if line
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 240" width="240" height="240">'
        '<circle cx="120" cy="120" r="112" fill="#f0b429"/>'
        '<circle cx="120" cy="120" r="100" fill="#1f6f8b"/>'
        f"{text}</svg>\n"
    ).encode()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def badge_png(size: int = 240) -> bytes:
    """Return a round PNG badge (RGBA, ``size`` pixels square): a teal disc in a gold ring."""
    centre = (size - 1) / 2
    outer, inner = size * 0.47, size * 0.42
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter type: none
        for x in range(size):
            distance = ((x - centre) ** 2 + (y - centre) ** 2) ** 0.5
            if distance <= inner:
                rows += bytes((*_TEAL, 255))
            elif distance <= outer:
                rows += bytes((*_GOLD, 255))
            else:
                rows += b"\0\0\0\0"
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )
