"""VC-JWT: sign a credential as a compact JWS and read one back.

The payload is the credential itself (VCDM 2.0 style, as in the OB 3.0 baked examples) plus the
registered claims that mirror it: ``iss`` (issuer id), ``jti`` (credential id), ``sub``
(subject id), ``nbf`` (validFrom) and ``exp`` (validUntil, when there is one). The protected
header carries only ``alg``, ``kid`` and ``typ`` (``JWT``).
"""

from __future__ import annotations

import base64
import json
import warnings
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from joserfc import jws
from joserfc.errors import JoseError

from copkit.credentials.errors import CredentialFormatError
from copkit.credentials.keys import IssuerKey, Key

__all__ = [
    "ALLOWED_HEADERS",
    "JWT_CLAIMS",
    "claims_for",
    "credential_from_payload",
    "parse_jwt",
    "sign_credential",
    "signature_valid",
]

ALLOWED_HEADERS = frozenset({"alg", "kid", "typ", "jwk"})
JWT_CLAIMS = frozenset({"iss", "jti", "sub", "nbf", "exp", "iat", "aud"})
SUPPORTED_ALGS = ["RS256", "EdDSA"]


def _epoch(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def _issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        value = issuer.get("id")
        return value if isinstance(value, str) else None
    return issuer if isinstance(issuer, str) else None


def claims_for(credential: dict[str, Any]) -> dict[str, Any]:
    """Return the registered JWT claims that mirror ``credential``."""
    claims: dict[str, Any] = {"iss": _issuer_id(credential), "jti": credential.get("id")}
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and "id" in subject:
        claims["sub"] = subject["id"]
    if "validFrom" in credential:
        claims["nbf"] = _epoch(credential["validFrom"])
    if "validUntil" in credential:
        claims["exp"] = _epoch(credential["validUntil"])
    return claims


def sign_credential(credential: dict[str, Any], *, key: IssuerKey, kid: str) -> str:
    """Return ``credential`` signed as a compact VC-JWT with ``key`` (RS256 or EdDSA)."""
    payload = {**credential, **claims_for(credential)}
    header = {"alg": key.alg, "kid": kid, "typ": "JWT"}
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc flags EdDSA as superseded by "Ed25519"
        return jws.serialize_compact(header, body, key.key, algorithms=[key.alg])


def _b64json(part: str, what: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CredentialFormatError(f"the JWT {what} is not base64url-encoded JSON") from exc
    if not isinstance(value, dict):
        raise CredentialFormatError(f"the JWT {what} is not a JSON object")
    return value


def parse_jwt(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the (header, payload) of a compact JWS without checking its signature."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise CredentialFormatError("a compact JWT has three dot-separated parts")
    return _b64json(parts[0], "header"), _b64json(parts[1], "payload")


def credential_from_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """Return the credential a VC-JWT payload carries (VCDM 2.0 payload or VCDM 1.1 ``vc``)."""
    if isinstance(payload.get("vc"), dict):
        vc: dict[str, Any] = payload["vc"]
        return vc
    return {name: value for name, value in payload.items() if name not in JWT_CLAIMS}


def signature_valid(token: str, key: Key, alg: str) -> bool:
    """Return whether ``token``'s signature verifies with ``key`` under ``alg``.

    Checked with ``cryptography`` directly (RS256: RSASSA-PKCS1-v1_5 with SHA-256; EdDSA:
    Ed25519), so that a large embedded ``jwk`` header is no obstacle.
    """
    parts = token.strip().split(".")
    if alg not in SUPPORTED_ALGS or len(parts) != 3:
        return False
    try:
        signature = base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4))
        signed = f"{parts[0]}.{parts[1]}".encode("ascii")
        public = key.get_op_key("verify")
        if alg == "RS256" and isinstance(public, RSAPublicKey):
            public.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
            return True
        if alg == "EdDSA" and isinstance(public, Ed25519PublicKey):
            public.verify(signature, signed)
            return True
    except (InvalidSignature, ValueError, TypeError, JoseError):
        return False
    return False
