"""The documents bundled with copkit: the OB 3.0 JSON schema and the JSON-LD contexts.

Everything is read from ``copkit/credentials/data/`` so that building, validating and verifying
never needs the network (see ``data/SOURCES.md`` for where each file comes from).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "CONTEXTS",
    "OB_CONTEXT",
    "SCHEMA_ID",
    "VC_V2_CONTEXT",
    "context_document",
    "schema_errors",
]

DATA = Path(__file__).resolve().parent / "data"

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
SCHEMA_ID = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)

#: Context URL -> bundled file name.
CONTEXTS: dict[str, str] = {
    VC_V2_CONTEXT: "credentials-v2.json",
    "https://www.w3.org/2018/credentials/v1": "2018-credentials-v1.json",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.json",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v1.json",
    OB_CONTEXT: "context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "context-ob.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-v3p0-extensions.json",
}


@cache
def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def context_document(url: str) -> dict[str, Any] | None:
    """Return the bundled JSON-LD context for ``url``, or None when it is not bundled."""
    name = CONTEXTS.get(url)
    if name is None:
        return None
    document: dict[str, Any] = _load(name)
    return document


@cache
def _validator(kind: str) -> Any:
    from jsonschema import Draft201909Validator

    name = (
        "endorsementcredential.json"
        if kind == "EndorsementCredential"
        else ("achievementcredential.json")
    )
    return Draft201909Validator(_load(name), format_checker=Draft201909Validator.FORMAT_CHECKER)


def schema_errors(credential: object, *, kind: str = "AchievementCredential") -> list[str]:
    """Return the OB 3.0 schema violations of ``credential`` (kind: Achievement/Endorsement).

    Each message names the JSON path of the offending value, e.g.
    ``$.credentialSubject.type: 'AchievementSubject' is not of type 'array'``.
    """
    errors = sorted(_validator(kind).iter_errors(credential), key=lambda e: list(e.absolute_path))
    messages = []
    for error in errors:
        path = "$" + "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
        )
        messages.append(f"{path}: {error.message}")
    return messages
