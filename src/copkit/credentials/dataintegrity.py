"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (and legacy ``eddsa-2022``).

Canonicalisation is RDFC-1.0 (URDNA2015) by PyLD, with a document loader that serves only the
JSON-LD contexts bundled with copkit: nothing is fetched. A document whose contexts are not
bundled cannot be canonicalised and is reported as such.

The signed data is ``SHA-256(canon(proof options)) || SHA-256(canon(document without proof))``
(W3C VC Data Integrity EdDSA Cryptosuites v1.0, section 3.3).
"""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from copkit.credentials.documents import context_document

__all__ = [
    "CRYPTOSUITES",
    "ContextUnavailableError",
    "add_proof",
    "base58_decode",
    "base58_encode",
    "multikey_public_key",
    "proof_valid",
]

CRYPTOSUITES = ("eddsa-rdfc-2022", "eddsa-2022")
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_PUB = b"\xed\x01"


class ContextUnavailableError(Exception):
    """A JSON-LD context the document names is not bundled with copkit."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def base58_encode(data: bytes) -> str:
    """Encode bytes in base58btc (the ``z`` multibase alphabet, without the prefix)."""
    number = int.from_bytes(data, "big")
    chars = ""
    while number:
        number, rest = divmod(number, 58)
        chars = _B58[rest] + chars
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + chars


def base58_decode(text: str) -> bytes:
    """Decode base58btc text; raise ValueError on a character outside the alphabet."""
    number = 0
    for char in text:
        index = _B58.find(char)
        if index < 0:
            raise ValueError(f"{char!r} is not a base58btc character")
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def multikey_public_key(multibase: str) -> Ed25519PublicKey:
    """Return the Ed25519 key of a ``z6Mk…`` Multikey; raise ValueError for anything else."""
    if not multibase.startswith("z"):
        raise ValueError("a Multikey is base58btc multibase and starts with 'z'")
    raw = base58_decode(multibase[1:])
    if raw[:2] != _ED25519_PUB or len(raw) != 34:
        raise ValueError("the Multikey is not an Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def _loader(url: str, options: object = None) -> dict[str, Any]:
    document = context_document(url)
    if document is None:
        raise ContextUnavailableError(url)
    return {"contextUrl": None, "documentUrl": url, "document": document}


def _canonical(document: dict[str, Any]) -> bytes:
    from pyld import jsonld

    try:
        text = jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": _loader,
                "safe": False,
            },
        )
    except jsonld.JsonLdError as exc:
        missing = _missing_context(exc)
        if missing is not None:
            raise ContextUnavailableError(missing) from exc
        raise
    return str(text).encode("utf-8")


def _missing_context(exc: BaseException) -> str | None:
    current: BaseException | None = exc
    seen = 0
    while current is not None and seen < 20:
        if isinstance(current, ContextUnavailableError):
            return current.url
        cause = getattr(current, "cause", None) or current.__cause__ or current.__context__
        current = cause if isinstance(cause, BaseException) else None
        seen += 1
    return None


def _hash_data(document: dict[str, Any], proof: dict[str, Any]) -> bytes:
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    options["@context"] = document.get("@context")
    return (
        hashlib.sha256(_canonical(options)).digest()
        + hashlib.sha256(_canonical(unsecured)).digest()
    )


def add_proof(
    document: dict[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
) -> dict[str, Any]:
    """Return a copy of ``document`` with an ``eddsa-rdfc-2022`` proof appended (as an array)."""
    proof: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "created": created,
        "verificationMethod": verification_method,
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
    }
    signature = private_key.sign(_hash_data(document, proof))
    proof["proofValue"] = "z" + base58_encode(signature)
    previous = document.get("proof")
    proofs = [] if previous is None else previous if isinstance(previous, list) else [previous]
    return {**document, "proof": [*proofs, proof]}


def proof_valid(document: dict[str, Any], proof: dict[str, Any], key: Ed25519PublicKey) -> bool:
    """Return whether ``proof`` (one of ``document``'s proofs) verifies with ``key``.

    Raises
    ------
    ContextUnavailableError
        When a context of the document is not bundled, so it cannot be canonicalised offline.
    """
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        return False
    try:
        signature = base58_decode(value[1:])
        key.verify(signature, _hash_data(document, proof))
    except (InvalidSignature, ValueError):
        return False
    return True
