"""Baked badge images: a credential carried inside a PNG or an SVG (OB 3.0, section 5.3).

PNG: an ``iTXt`` chunk with keyword ``openbadgecredential``, uncompressed, holding the JWT or the
JSON credential; chunks are read and written here, each with its CRC-32 checked. SVG: an
``<openbadges:credential>`` element in namespace ``https://purl.imsglobal.org/ob/v3p0`` right
under the root, with the JWT in its ``verify`` attribute or the JSON as its text. SVG is parsed
without entity expansion or network access (defusedxml checks first, then lxml edits).
"""

from __future__ import annotations

import struct
import zlib

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from lxml import etree

from copkit.credentials.errors import BakingError

__all__ = [
    "MAX_IMAGE_BYTES",
    "OB_NAMESPACE",
    "PNG_KEYWORD",
    "bake_png",
    "bake_svg",
    "unbake",
    "unbake_png",
    "unbake_svg",
]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
MAX_IMAGE_BYTES = 10 * 1024 * 1024
_MAX_TEXT = 2 * 1024 * 1024


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG file (the 8-byte PNG signature is missing)")
    if len(data) > MAX_IMAGE_BYTES:
        raise BakingError(f"the image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MiB")
    chunks = []
    pos = len(PNG_SIGNATURE)
    while pos < len(data):
        if pos + 8 > len(data):
            raise BakingError(f"PNG truncated in a chunk header at byte {pos}")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 8 + length
        if end + 4 > len(data):
            raise BakingError(f"PNG chunk {kind!r} at byte {pos} runs past the end of the file")
        body = data[pos + 8 : end]
        (crc,) = struct.unpack(">I", data[end : end + 4])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise BakingError(f"PNG chunk {kind!r} at byte {pos} has a wrong CRC (damaged file)")
        chunks.append((kind, body))
        pos = end + 4
        if kind == b"IEND":
            break
    if not chunks or chunks[-1][0] != b"IEND":
        raise BakingError("PNG has no IEND chunk (truncated file)")
    return chunks


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def _itxt(body: bytes) -> tuple[bytes, str] | None:
    keyword, sep, rest = body.partition(b"\0")
    if not sep or len(rest) < 2:
        return None
    compressed, _method, rest = rest[0], rest[1], rest[2:]
    _language, _, rest = rest.partition(b"\0")
    _translated, _, text = rest.partition(b"\0")
    if compressed:
        decompressor = zlib.decompressobj()
        text = decompressor.decompress(text, _MAX_TEXT)
        if decompressor.unconsumed_tail:
            raise BakingError("the baked credential expands beyond 2 MiB; refusing it")
    return keyword, text.decode("utf-8")


def bake_png(image: bytes, credential: str) -> bytes:
    """Return ``image`` with ``credential`` (a JWT or JSON text) in an iTXt chunk.

    Any credential already baked into the image is replaced.
    """
    chunks = [
        (kind, body)
        for kind, body in _chunks(image)
        if not (kind == b"iTXt" and body.startswith(PNG_KEYWORD + b"\0"))
    ]
    itxt = PNG_KEYWORD + b"\0\0\0\0\0" + credential.encode("utf-8")
    out = bytearray(PNG_SIGNATURE)
    for kind, body in chunks:
        if kind == b"IEND":
            out += _chunk(b"iTXt", itxt)
        out += _chunk(kind, body)
    return bytes(out)


def unbake_png(image: bytes) -> str:
    """Return the credential text baked into a PNG; raise BakingError when there is none."""
    for kind, body in _chunks(image):
        if kind == b"iTXt":
            parsed = _itxt(body)
            if parsed is not None and parsed[0] == PNG_KEYWORD:
                return parsed[1]
    raise BakingError("the PNG carries no iTXt chunk with keyword 'openbadgecredential'")


def _check_svg(image: bytes) -> None:
    if len(image) > MAX_IMAGE_BYTES:
        raise BakingError(f"the image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MiB")
    try:
        SafeET.fromstring(image)
    except DefusedXmlException as exc:
        raise BakingError(f"the SVG declares entities or external references ({exc})") from exc
    except SafeET.ParseError as exc:
        raise BakingError(f"the SVG is not well-formed XML: {exc}") from exc


def _svg_root(image: bytes) -> etree._Element:
    _check_svg(image)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    root = etree.fromstring(image, parser)  # noqa: S320 - checked by defusedxml above
    if etree.QName(root).localname != "svg":
        raise BakingError("the XML document is not an SVG (its root is not <svg>)")
    return root


def bake_svg(image: bytes, credential: str) -> bytes:
    """Return the SVG with ``credential`` in an ``<openbadges:credential>`` element.

    A JWT goes into the ``verify`` attribute, JSON into the element's text (as CDATA).
    """
    root = _svg_root(image)
    for old in root.findall(f"{{{OB_NAMESPACE}}}credential"):
        root.remove(old)
    nsmap = dict(root.nsmap)
    if nsmap.get("openbadges") != OB_NAMESPACE:
        nsmap["openbadges"] = OB_NAMESPACE
        new_root = etree.Element(root.tag, nsmap=nsmap, attrib=dict(root.attrib))
        new_root.text = root.text
        for child in root:
            new_root.append(child)
        root = new_root
    element = etree.Element(f"{{{OB_NAMESPACE}}}credential")
    text = credential.strip()
    if text.startswith("{"):
        element.text = etree.CDATA(text)
    else:
        element.set("verify", text)
    element.tail = "\n"
    root.insert(0, element)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def unbake_svg(image: bytes) -> str:
    """Return the credential text baked into an SVG; raise BakingError when there is none."""
    _check_svg(image)
    root = SafeET.fromstring(image)
    element = root.find(f"{{{OB_NAMESPACE}}}credential")
    if element is None:
        raise BakingError(
            f"the SVG carries no <openbadges:credential> element in namespace {OB_NAMESPACE}"
        )
    if element.get("verify"):
        return str(element.get("verify")).strip()
    text = (element.text or "").strip()
    if not text:
        raise BakingError("the <openbadges:credential> element is empty")
    return text


def unbake(image: bytes) -> str:
    """Return the credential baked into a PNG or SVG image."""
    if image.startswith(PNG_SIGNATURE):
        return unbake_png(image)
    return unbake_svg(image)
