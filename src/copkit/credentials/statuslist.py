"""W3C Bitstring Status List: encode, decode, build the list credential and look a bit up.

The list is a bitstring of at least 131,072 bits (16 KiB) so that one revocation does not single
out its holder; index 0 is the left-most (most significant) bit of the first byte. The
``encodedList`` is the GZIP-compressed bitstring, base64url-encoded without padding, with the
multibase prefix ``u`` (W3C Bitstring Status List v1.0, section 4).
"""

from __future__ import annotations

import base64
import gzip
import io
from collections.abc import Iterable
from typing import Any

from copkit.credentials.documents import VC_V2_CONTEXT

__all__ = [
    "MIN_BITS",
    "StatusListError",
    "bit_is_set",
    "decode_list",
    "encode_list",
    "status_list_credential",
]

MIN_BITS = 131_072
_MAX_DECODED = 16 * 1024 * 1024


class StatusListError(ValueError):
    """The encoded list is damaged, or an index is outside it."""


def encode_list(set_indexes: Iterable[int], *, size: int = MIN_BITS) -> str:
    """Return the ``encodedList`` for a bitstring of ``size`` bits with ``set_indexes`` on."""
    if size < MIN_BITS or size % 8:
        raise StatusListError(f"a status list has at least {MIN_BITS} bits, a multiple of 8")
    bits = bytearray(size // 8)
    for index in set_indexes:
        if not 0 <= index < size:
            raise StatusListError(f"index {index} is outside the list of {size} bits")
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_list(encoded: str) -> bytes:
    """Return the bitstring of an ``encodedList`` (with or without the ``u`` prefix)."""
    text = encoded[1:] if encoded.startswith("u") else encoded
    try:
        packed = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        with gzip.GzipFile(fileobj=io.BytesIO(packed), mode="rb") as handle:
            bits: bytes = handle.read(_MAX_DECODED + 1)
    except (ValueError, OSError, EOFError) as exc:
        raise StatusListError("encodedList is not GZIP-compressed base64url data") from exc
    if not bits:
        raise StatusListError("encodedList is empty")
    if len(bits) > _MAX_DECODED:
        raise StatusListError("encodedList expands beyond 16 MiB; refusing it")
    return bits


def bit_is_set(encoded: str, index: int) -> bool:
    """Return whether bit ``index`` of the encoded list is 1 (revoked, for revocation lists)."""
    bits = decode_list(encoded)
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"index {index} is outside the list of {len(bits) * 8} bits")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    *,
    list_url: str,
    issuer_id: str,
    valid_from: str,
    set_indexes: Iterable[int],
    purpose: str = "revocation",
    size: int = MIN_BITS,
) -> dict[str, Any]:
    """Return the BitstringStatusListCredential published at ``list_url`` (unsigned)."""
    return {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_list(set_indexes, size=size),
        },
    }
