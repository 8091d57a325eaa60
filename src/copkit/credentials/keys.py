"""The issuer's signing keys: kept in ``DATA_DIR/keys/`` or given in the environment.

Each key is a private JWK file ``<alg>-<thumbprint>.json`` (mode 0600); ``active.json`` names the
key used for new signatures per algorithm. Rotation adds a key and makes it active; old keys
stay in the published JWK set so that badges signed with them keep verifying. A key's id in a
JWT (``kid``) is a URI: the JWK set's URL with the key's RFC 7638 thumbprint as fragment.

Environment (each overrides the data dir's active key for its algorithm):
``COPKIT_BADGE_RSA_KEY`` and ``COPKIT_BADGE_ED25519_KEY``, each a PEM private key.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import OKPKey, RSAKey

from copkit.credentials.errors import KeyConfigurationError

__all__ = ["ALGORITHMS", "IssuerKey", "KeyRing", "public_key_from_jwk"]

#: JOSE algorithm -> environment variable holding a PEM private key for it.
ALGORITHMS: dict[str, str] = {"RS256": "COPKIT_BADGE_RSA_KEY", "EdDSA": "COPKIT_BADGE_ED25519_KEY"}

Key = RSAKey | OKPKey


@dataclass(frozen=True)
class IssuerKey:
    """One signing key: its algorithm, thumbprint (the ``kid`` fragment) and private key."""

    alg: str
    thumbprint: str
    key: Key
    source: str

    def public_jwk(self, kid: str) -> dict[str, Any]:
        """Return the public JWK with ``kid``, ``alg`` and ``use`` set."""
        jwk: dict[str, Any] = dict(self.key.as_dict(private=False))
        jwk.update({"kid": kid, "alg": self.alg, "use": "sig"})
        return jwk


def _generate(alg: str) -> Key:
    if alg == "RS256":
        return RSAKey.generate_key(2048)
    return OKPKey.generate_key("Ed25519")


def _from_pem(alg: str, pem: str, variable: str) -> Key:
    try:
        key: Key = (
            RSAKey.import_key(pem.encode()) if alg == "RS256" else OKPKey.import_key(pem.encode())
        )
    except Exception as exc:  # joserfc raises several types for a bad PEM
        raise KeyConfigurationError(
            f"{variable} does not hold a usable {alg} private PEM key ({exc}); "
            "fix or unset the variable"
        ) from exc
    if not key.is_private:
        raise KeyConfigurationError(f"{variable} holds a public key; a private key is needed")
    return key


def public_key_from_jwk(jwk: Mapping[str, Any]) -> Key:
    """Import a public key from a JWK (RSA or OKP Ed25519)."""
    if jwk.get("kty") == "RSA":
        return RSAKey.import_key(dict(jwk))
    if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
        return OKPKey.import_key(dict(jwk))
    raise KeyConfigurationError(f"unsupported key type {jwk.get('kty')!r} in JWK")


class KeyRing:
    """All the issuer's keys: the active one per algorithm and every older one.

    Parameters
    ----------
    directory
        ``DATA_DIR/keys``; created with mode 0700 on first use.
    environ
        Where ``COPKIT_BADGE_*_KEY`` are looked up (``os.environ`` by default).
    """

    def __init__(self, directory: Path, environ: Mapping[str, str] | None = None) -> None:
        self.directory = directory
        self.environ = os.environ if environ is None else environ
        self._keys: dict[str, IssuerKey] = {}
        self._active: dict[str, str] = {}
        self._load()

    # -- loading and saving -------------------------------------------------------------
    def _load(self) -> None:
        if self.directory.exists():
            for path in sorted(self.directory.glob("*-*.json")):
                alg = path.name.split("-", 1)[0]
                if alg not in ALGORITHMS:
                    continue
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                    key = RSAKey.import_key(data) if alg == "RS256" else OKPKey.import_key(data)
                except Exception as exc:  # a damaged file must not pass silently
                    raise KeyConfigurationError(
                        f"{path}: not a readable private JWK ({exc}); restore it from a backup"
                    ) from exc
                self._keys[key.thumbprint()] = IssuerKey(alg, key.thumbprint(), key, str(path))
            active = self.directory / "active.json"
            if active.exists():
                self._active = json.loads(active.read_text(encoding="utf-8"))
        for alg, variable in ALGORITHMS.items():
            pem = self.environ.get(variable)
            if pem:
                key = _from_pem(alg, pem, variable)
                self._keys[key.thumbprint()] = IssuerKey(alg, key.thumbprint(), key, variable)
                self._active[alg] = key.thumbprint()

    def _save(self, issuer_key: IssuerKey) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.directory / f"{issuer_key.alg}-{issuer_key.thumbprint}.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(issuer_key.key.as_dict(private=True), handle)
        self._write_active()

    def _write_active(self) -> None:
        from_files = {
            alg: thumb
            for alg, thumb in self._active.items()
            if not self._keys[thumb].source.startswith("COPKIT_")
        }
        tmp = self.directory / "active.json.tmp"
        tmp.write_text(json.dumps(from_files, indent=2), encoding="utf-8")
        tmp.replace(self.directory / "active.json")

    # -- use ----------------------------------------------------------------------------
    def active(self, alg: str = "RS256") -> IssuerKey:
        """Return the key new signatures use for ``alg``, generating one on first use."""
        if alg not in ALGORITHMS:
            raise KeyConfigurationError(f"unsupported algorithm {alg!r}; use RS256 or EdDSA")
        thumb = self._active.get(alg)
        if thumb is None or thumb not in self._keys:
            return self.rotate(alg)
        return self._keys[thumb]

    def rotate(self, alg: str = "RS256") -> IssuerKey:
        """Create a new key for ``alg`` and make it active; older keys stay published."""
        if alg not in ALGORITHMS:
            raise KeyConfigurationError(f"unsupported algorithm {alg!r}; use RS256 or EdDSA")
        if self.environ.get(ALGORITHMS[alg]):
            raise KeyConfigurationError(
                f"the {alg} key comes from {ALGORITHMS[alg]}; rotate it there, not in the data dir"
            )
        key = _generate(alg)
        issuer_key = IssuerKey(alg, key.thumbprint(), key, "generated")
        self._keys[issuer_key.thumbprint] = issuer_key
        self._active[alg] = issuer_key.thumbprint
        self._save(issuer_key)
        return issuer_key

    def issuer_keys(self) -> list[IssuerKey]:
        """Every key, active or retired, in a stable order."""
        return sorted(self._keys.values(), key=lambda k: (k.alg, k.thumbprint))

    def get(self, thumbprint: str) -> IssuerKey | None:
        """Return the key with this thumbprint, if the ring holds it."""
        return self._keys.get(thumbprint)

    def jwks(self, jwks_url: str) -> dict[str, Any]:
        """Return the public JWK set; each ``kid`` is ``<jwks_url>#<thumbprint>``."""
        return {"keys": [k.public_jwk(f"{jwks_url}#{k.thumbprint}") for k in self.issuer_keys()]}
