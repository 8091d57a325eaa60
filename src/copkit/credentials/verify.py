"""Verify an Open Badges 3.0 credential given as JSON, a VC-JWT, or a baked PNG/SVG.

:func:`verify_credential` runs every check and returns a :class:`Verification` listing each check
with its outcome (pass, fail, warn, skip) and the exact reason, plus one overall status:

- ``tampered``: a signature does not verify (changed claim, swapped key, truncated signature);
- ``revoked``: the status list says so; ``expired``: past ``validUntil``/``exp``;
- ``invalid``: the schema, context, claims, dates or subject are wrong;
- ``unverifiable``: no check failed but the signature or the revocation status could not be
  checked (no key, no proof, a context that is not available offline, a status list that was
  not given or a status type copkit does not read);
- ``valid``: every check passed (warnings allowed).

Keys come from ``keys`` (a mapping from key id, verification method or thumbprint to a public
key) or, when ``fetch`` is given, from the JWK set the ``kid`` URI points at. Status lists come
from ``status_lists`` (URL -> list credential, trusted like ``keys``) or ``fetch``; a fetched list
must carry a Data Integrity proof that holds (an unsigned one is a warning). Nothing touches
the network unless ``fetch`` is given.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from copkit.credentials import dataintegrity as di
from copkit.credentials.baking import PNG_SIGNATURE, unbake
from copkit.credentials.credential import email_identity_hash
from copkit.credentials.documents import OB_CONTEXT, VC_V2_CONTEXT, schema_errors
from copkit.credentials.errors import BakingError, CredentialFormatError
from copkit.credentials.jwt import (
    ALLOWED_HEADERS,
    claims_for,
    credential_from_payload,
    parse_jwt,
    signature_valid,
)
from copkit.credentials.keys import Key, public_key_from_jwk
from copkit.credentials.statuslist import StatusListError, bit_is_set

__all__ = ["Check", "Loaded", "Verification", "load_credential", "verify_credential"]

Outcome = Literal["pass", "fail", "warn", "skip"]
Status = Literal["valid", "invalid", "revoked", "expired", "tampered", "unverifiable"]
Fetch = Callable[[str], bytes]
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"


@dataclass(frozen=True)
class Check:
    """One verification step and what it found."""

    name: str
    outcome: Outcome
    reason: str


@dataclass(frozen=True)
class Loaded:
    """A credential as read from its container."""

    format: Literal["json", "jwt", "png", "svg"]
    credential: dict[str, Any]
    jwt: str | None = None
    header: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Verification:
    """The result: the overall status, every check, and the credential that was checked."""

    status: Status
    checks: tuple[Check, ...]
    loaded: Loaded | None

    @property
    def ok(self) -> bool:
        """True only when the status is ``valid``."""
        return self.status == "valid"

    @property
    def failures(self) -> list[Check]:
        """The checks that failed."""
        return [check for check in self.checks if check.outcome == "fail"]

    def check(self, name: str) -> Check | None:
        """Return the check called ``name``, if it ran."""
        return next((check for check in self.checks if check.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (the JSON endpoint and ``copkit badge verify --json``)."""
        return {
            "status": self.status,
            "format": self.loaded.format if self.loaded else None,
            "checks": [
                {"name": c.name, "outcome": c.outcome, "reason": c.reason} for c in self.checks
            ],
            "credential": self.loaded.credential if self.loaded else None,
        }


def load_credential(data: bytes) -> Loaded:
    """Read a credential from JSON, a compact JWT, or a baked PNG or SVG."""
    fmt: Literal["json", "jwt", "png", "svg"]
    if data.startswith(PNG_SIGNATURE):
        fmt, text = "png", unbake(data)
    else:
        try:
            text = data.decode("utf-8").strip().lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            raise CredentialFormatError("not UTF-8 text, a PNG or an SVG") from exc
        fmt = "json"
        if text.startswith("<"):
            fmt, text = "svg", unbake(data)
    if text.startswith("{"):
        try:
            credential = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CredentialFormatError(
                f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from exc
        if not isinstance(credential, dict):
            raise CredentialFormatError("the JSON is not an object")
        return Loaded(format=fmt, credential=credential)
    header, payload = parse_jwt(text)
    return Loaded(
        format="jwt" if fmt == "json" else fmt,
        credential=credential_from_payload(payload),
        jwt=text.strip(),
        header=header,
        payload=payload,
    )


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _types(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _issuer_id(credential: Mapping[str, Any]) -> str:
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) else ""


def _origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


# -- the checks ---------------------------------------------------------------------------
def _check_context(credential: Mapping[str, Any]) -> list[Check]:
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or not contexts:
        return [Check("context", "fail", "@context must be a list of context URLs")]
    first = contexts[0]
    obs = [c for c in contexts if isinstance(c, str) and "/spec/ob/v3p0/context" in c]
    if first == VC_V2_CONTEXT:
        if not obs:
            return [Check("context", "fail", "the OB 3.0 context is missing from @context")]
        if obs[0] != OB_CONTEXT and obs[0].endswith(("3.0.0.json", "3.0.1.json", "3.0.2.json")):
            return [
                Check(
                    "context",
                    "fail",
                    f"{obs[0]} belongs to VC 1.1 credentials; with {VC_V2_CONTEXT} "
                    f"use {OB_CONTEXT} or later",
                )
            ]
        return [Check("context", "pass", "VC 2.0 and OB 3.0 contexts")]
    if first == VC_V1_CONTEXT:
        return [
            Check(
                "context",
                "warn",
                "VC Data Model 1.1 form (credentials/v1 context): accepted as legacy",
            )
        ]
    return [Check("context", "fail", f"the first @context must be {VC_V2_CONTEXT}, not {first!r}")]


def _check_schema(credential: dict[str, Any]) -> list[Check]:
    checks: list[Check] = []
    candidate = dict(credential)
    if isinstance(candidate.get("proof"), dict):
        candidate["proof"] = [candidate["proof"]]
        checks.append(Check("schema-form", "warn", "proof is a single object; emit an array"))
    if candidate.get("@context", [None])[0] == VC_V1_CONTEXT:
        candidate["@context"] = [VC_V2_CONTEXT, OB_CONTEXT, *candidate["@context"][2:]]
        if "issuanceDate" in candidate:
            candidate["validFrom"] = candidate.pop("issuanceDate")
        if "expirationDate" in candidate:
            candidate["validUntil"] = candidate.pop("expirationDate")
        checks.append(Check("schema-form", "warn", "VCDM 1.1 dates mapped to validFrom/validUntil"))
    kind = (
        "EndorsementCredential"
        if "EndorsementCredential" in _types(candidate.get("type"))
        else "AchievementCredential"
    )
    errors = schema_errors(candidate, kind=kind)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        checks.append(Check("schema", "fail", f"{kind} schema: {errors[0]}{more}"))
    else:
        checks.append(Check("schema", "pass", f"valid against the OB 3.0 {kind} JSON schema"))
    return checks


def _resolve_jwk_key(
    header: Mapping[str, Any],
    issuer: str,
    keys: Mapping[str, Key],
    fetch: Fetch | None,
) -> tuple[Key | None, Check]:
    kid = header.get("kid")
    if isinstance(kid, str) and kid:
        fragment = kid.rsplit("#", 1)[-1]
        key = keys.get(kid) or keys.get(fragment)
        if key is not None:
            return key, Check("key", "pass", f"key {kid} from the trusted key set")
        if fetch is None:
            return None, Check("key", "skip", f"key {kid} is not known and fetching is off")
        if _origin(kid) == "" or _origin(kid) != _origin(issuer):
            return None, Check(
                "key", "fail", f"key {kid} is not published under the issuer's address {issuer}"
            )
        try:
            jwks = json.loads(fetch(kid.split("#", 1)[0]))
            for jwk in jwks.get("keys", []):
                if jwk.get("kid") in (kid, fragment):
                    return public_key_from_jwk(jwk), Check(
                        "key", "pass", f"key {kid} from the issuer's published JWK set"
                    )
        except Exception as exc:  # any fetch or parse failure is reported, not raised
            return None, Check("key", "fail", f"cannot read the JWK set at {kid}: {exc}")
        return None, Check("key", "fail", f"the issuer's JWK set has no key {kid}")
    jwk = header.get("jwk")
    if isinstance(jwk, dict):
        try:
            return public_key_from_jwk(jwk), Check(
                "key",
                "warn",
                "the key is embedded in the token (jwk header): it proves the content is "
                "unchanged, not who issued it",
            )
        except Exception as exc:  # unsupported or malformed embedded key
            return None, Check("key", "fail", f"the embedded jwk is unusable: {exc}")
    return None, Check("key", "skip", "the JWT header names no key (no kid, no jwk)")


def _check_jwt(loaded: Loaded, keys: Mapping[str, Key], fetch: Fetch | None) -> list[Check]:
    assert loaded.jwt is not None
    header, credential = loaded.header, loaded.credential
    checks: list[Check] = []
    extra = sorted(set(header) - ALLOWED_HEADERS)
    if extra:
        checks.append(Check("header", "fail", f"JOSE header fields not allowed: {extra}"))
    alg = header.get("alg")
    if alg not in ("RS256", "EdDSA"):
        checks.append(Check("signature", "fail", f"unsupported JWT algorithm {alg!r}"))
        return checks
    key, key_check = _resolve_jwk_key(header, _issuer_id(credential), keys, fetch)
    checks.append(key_check)
    if key is None:
        checks.append(Check("signature", "skip", f"not checked: {key_check.reason}"))
    elif signature_valid(loaded.jwt, key, str(alg)):
        checks.append(Check("signature", "pass", f"{alg} signature verifies"))
    else:
        checks.append(
            Check(
                "signature",
                "fail",
                f"{alg} signature does not verify: the token was altered "
                "or signed with another key",
            )
        )
    expected = claims_for(credential)
    mismatched = [
        f"{name} is {loaded.payload.get(name)!r}, the credential says {value!r}"
        for name, value in expected.items()
        if name in loaded.payload and loaded.payload.get(name) != value
    ]
    if mismatched:
        checks.append(Check("claims", "fail", "; ".join(mismatched)))
    else:
        checks.append(Check("claims", "pass", "JWT claims match the credential"))
    return checks


def _di_key(method: str, keys: Mapping[str, Key | Ed25519PublicKey]) -> Ed25519PublicKey:
    if method in keys:
        key = keys[method]
        if isinstance(key, Ed25519PublicKey):
            return key
        raw = key.as_dict(private=False)
        if raw.get("crv") == "Ed25519":
            public = public_key_from_jwk(raw).get_op_key("verify")
            assert isinstance(public, Ed25519PublicKey)
            return public
        raise ValueError(f"{method} is not an Ed25519 key")
    scheme = method.split(":", 1)[0] if ":" in method else ""
    if scheme == "did":
        if method.startswith("did:key:"):
            return di.multikey_public_key(method[len("did:key:") :].split("#", 1)[0])
        raise ValueError(f"unsupported DID method in {method!r} (did:key only, offline)")
    if scheme in ("http", "https"):
        raise LookupError(f"key {method} is not in the trusted key set")
    raise ValueError(f"verificationMethod {method!r} has no known URI scheme")


def _check_proofs(
    credential: dict[str, Any], keys: Mapping[str, Any], fetch: Fetch | None
) -> list[Check]:
    raw = credential.get("proof")
    proofs = raw if isinstance(raw, list) else [raw]
    checks: list[Check] = []
    for number, proof in enumerate(proofs, 1):
        name = "signature" if len(proofs) == 1 else f"signature (proof {number})"
        if not isinstance(proof, dict):
            checks.append(Check(name, "fail", "a proof must be an object"))
            continue
        suite = proof.get("cryptosuite")
        if proof.get("type") != "DataIntegrityProof" or suite not in di.CRYPTOSUITES:
            checks.append(
                Check(
                    name,
                    "fail" if proof.get("type") != "Ed25519Signature2020" else "skip",
                    f"unsupported proof {proof.get('type')!r}/{suite!r}; copkit verifies "
                    "DataIntegrityProof eddsa-rdfc-2022 and VC-JWT",
                )
            )
            continue
        if suite == "eddsa-2022":
            checks.append(Check("cryptosuite", "warn", "legacy cryptosuite name eddsa-2022"))
        method = str(proof.get("verificationMethod", ""))
        try:
            key = _di_key(method, keys)
        except LookupError as exc:
            # An http(s) method: the issuer's published JWK set, when fetching is allowed.
            found, key_check = _resolve_jwk_key(
                {"kid": method}, _issuer_id(credential), keys, fetch
            )
            if found is None:
                checks.append(Check(name, key_check.outcome, f"not checked: {exc}"))
                if key_check.outcome == "fail":
                    checks.append(Check("key", "fail", key_check.reason))
                continue
            try:
                key = _di_key(method, {method: found})
            except ValueError as error:
                checks.append(Check(name, "fail", str(error)))
                continue
        except ValueError as exc:
            checks.append(Check(name, "fail", str(exc)))
            continue
        try:
            good = di.proof_valid(credential, proof, key)
        except di.ContextUnavailableError as exc:
            checks.append(Check(name, "skip", f"not checked: context {exc.url} is not bundled"))
            continue
        except Exception as exc:  # PyLD rejects documents it cannot turn into RDF
            checks.append(Check(name, "fail", f"cannot canonicalise the document: {exc}"))
            continue
        checks.append(
            Check(name, "pass", f"{suite} proof verifies with {method}")
            if good
            else Check(
                name,
                "fail",
                f"{suite} proof does not verify: the document was altered "
                "or signed with another key",
            )
        )
    return checks


def _check_dates(loaded: Loaded, now: datetime) -> list[Check]:
    credential = loaded.credential
    start_raw = credential.get("validFrom", credential.get("issuanceDate"))
    until_raw = credential.get("validUntil", credential.get("expirationDate"))
    start, until = _parse_time(start_raw), _parse_time(until_raw)
    exp = loaded.payload.get("exp")
    if start_raw is not None and start is None:
        return [Check("dates", "fail", f"validFrom {start_raw!r} is not a date-time")]
    if start is not None and start > now:
        return [
            Check("dates", "fail", f"not valid before {start_raw} (it is {now:%Y-%m-%dT%H:%M:%SZ})")
        ]
    if until is not None and until <= now:
        return [Check("expiry", "fail", f"expired at {until_raw}")]
    if isinstance(exp, int | float) and exp <= now.timestamp():
        return [
            Check(
                "expiry",
                "fail",
                f"the JWT expired at {datetime.fromtimestamp(exp, UTC):%Y-%m-%dT%H:%M:%SZ}",
            )
        ]
    return [Check("dates", "pass", "within validFrom/validUntil")]


def _check_list_proof(
    status_list: dict[str, Any], url: str, keys: Mapping[str, Any], fetch: Fetch | None
) -> Check | None:
    """A fetched list must carry a proof that holds; None when it does."""
    if "proof" not in status_list:
        return Check("status-list", "warn", f"the status list {url} is not signed")
    proof_checks = _check_proofs(status_list, keys, fetch)
    failed = [c for c in proof_checks if c.outcome == "fail"]
    if failed:
        return Check("status", "fail", f"the status list's proof does not hold: {failed[0].reason}")
    if not any(c.outcome == "pass" for c in proof_checks):
        reasons = "; ".join(c.reason for c in proof_checks)
        return Check("status-list", "warn", f"the status list's proof was not checked: {reasons}")
    return None


def _check_status(
    credential: Mapping[str, Any],
    lists: Mapping[str, Any],
    fetch: Fetch | None,
    keys: Mapping[str, Any],
) -> list[Check]:
    entry = credential.get("credentialStatus")
    if entry is None:
        return [Check("status", "pass", "no credentialStatus: the issuer cannot revoke it")]
    entries = entry if isinstance(entry, list) else [entry]
    checks: list[Check] = []
    for item in entries:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind != "BitstringStatusListEntry":
            checks.append(
                Check(
                    "status",
                    "skip" if kind else "fail",
                    f"status type {kind!r} is not supported (BitstringStatusListEntry only)",
                )
            )
            continue
        url = str(item.get("statusListCredential", ""))
        try:
            index = int(item.get("statusListIndex", ""))
        except (TypeError, ValueError):
            checks.append(Check("status", "fail", "statusListIndex is not an integer"))
            continue
        status_list = lists.get(url)
        fetched = False
        if status_list is None and fetch is not None:
            fetched = True
            try:
                status_list = json.loads(fetch(url))
            except Exception as exc:  # network or JSON errors are reported, not raised
                checks.append(Check("status", "fail", f"cannot read the status list {url}: {exc}"))
                continue
        if status_list is None:
            checks.append(
                Check("status", "skip", f"status list {url} not given and fetching is off")
            )
            continue
        subject = status_list.get("credentialSubject", {}) if isinstance(status_list, dict) else {}
        purpose = item.get("statusPurpose", "revocation")
        if subject.get("statusPurpose") != purpose:
            checks.append(
                Check(
                    "status",
                    "fail",
                    f"the status list is for {subject.get('statusPurpose')!r}, "
                    f"the entry for {purpose!r}",
                )
            )
            continue
        if _issuer_id(status_list) and _issuer_id(status_list) != _issuer_id(credential):
            checks.append(Check("status", "fail", "the status list has another issuer"))
            continue
        if fetched and isinstance(status_list, dict):
            problem = _check_list_proof(status_list, url, keys, fetch)
            if problem is not None:
                checks.append(problem)
                if problem.outcome == "fail":
                    continue
        try:
            on = bit_is_set(str(subject.get("encodedList", "")), index)
        except StatusListError as exc:
            checks.append(Check("status", "fail", f"status list {url}: {exc}"))
            continue
        if on:
            checks.append(Check("status", "fail", f"{purpose}: bit {index} of {url} is set"))
        else:
            checks.append(
                Check(
                    "status",
                    "pass",
                    f"{purpose}: bit {index} of {url} is 0 (not set)",
                )
            )
    return checks


def _check_subject(credential: Mapping[str, Any], expected: str) -> Check:
    subject = credential.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    if subject.get("id") == expected:
        return Check("subject", "pass", f"issued to {expected}")
    for identity in subject.get("identifier", []) or []:
        if not isinstance(identity, dict) or identity.get("identityType") != "emailAddress":
            continue
        value = identity.get("identityHash")
        hashed = email_identity_hash(expected, str(identity.get("salt", "")))
        if value == hashed or (not identity.get("hashed") and value == expected):
            return Check("subject", "pass", f"issued to {expected}")
    return Check("subject", "fail", f"issued to someone else, not {expected}")


def _overall(checks: list[Check]) -> Status:
    failed = {c.name.split(" ")[0] for c in checks if c.outcome == "fail"}
    if "signature" in failed or "claims" in failed or "header" in failed:
        return "tampered"
    if "status" in failed:
        return "revoked"
    if "expiry" in failed:
        return "expired"
    if failed:
        return "invalid"
    if not any(c.name.startswith("signature") and c.outcome == "pass" for c in checks):
        return "unverifiable"
    if any(c.name.startswith("signature") and c.outcome == "skip" for c in checks):
        return "unverifiable"
    if any(c.name == "status" and c.outcome == "skip" for c in checks):
        return "unverifiable"  # nobody can say it is not revoked
    return "valid"


def verify_credential(
    data: bytes | Loaded,
    *,
    now: datetime,
    keys: Mapping[str, Any] | None = None,
    status_lists: Mapping[str, Any] | None = None,
    fetch: Fetch | None = None,
    expected_subject: str | None = None,
) -> Verification:
    """Verify a credential and say, check by check, what holds and what does not.

    Parameters
    ----------
    data
        The raw bytes (JSON, JWT, PNG or SVG), or an already loaded credential.
    now
        The moment to check dates against (aware).
    keys
        Trusted public keys by ``kid`` URI, thumbprint or DI ``verificationMethod``.
    status_lists
        Status list credentials by URL, for offline status checks.
    fetch
        ``fetch(url) -> bytes`` to read the issuer's JWK set and status list, or None (offline).
    expected_subject
        The earner's subject id or e-mail address, to reject a badge issued to someone else.

    Returns
    -------
    Verification
        The overall status and every check with its reason.
    """
    try:
        loaded = data if isinstance(data, Loaded) else load_credential(data)
    except (CredentialFormatError, BakingError) as exc:
        return Verification("invalid", (Check("format", "fail", str(exc)),), None)
    keys = keys or {}
    checks = [Check("format", "pass", f"read as {loaded.format.upper()}")]
    credential = loaded.credential
    checks += _check_context(credential)
    checks += _check_schema(credential)
    if loaded.jwt is not None:
        checks += _check_jwt(loaded, keys, fetch)
    if "proof" in credential:
        checks += _check_proofs(credential, keys, fetch)
    if loaded.jwt is None and "proof" not in credential:
        checks.append(Check("signature", "skip", "unsigned: no proof and not a JWT"))
    checks += _check_dates(loaded, now)
    checks += _check_status(credential, status_lists or {}, fetch, keys)
    if expected_subject:
        checks.append(_check_subject(credential, expected_subject))
    return Verification(_overall(checks), tuple(checks), loaded)
