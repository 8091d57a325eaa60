"""The activity store: a DuckDB file holding the canonical tables (see ``schema.py``).

:func:`open_store` opens or creates a store; :func:`import_paths` reads exports into it. An
import is one transaction (on any error nothing changes) and idempotent: every id is derived
from the source, the community (``origin``) and the export's own id with a keyed hash, so
importing the same export again adds nothing and a newer export adds only what is new.

Names, handles and e-mail addresses become keyed-hash pseudonyms unless ``real_names`` is
asked for; message text is kept only with ``keep_text``. The key is created once, at random,
and kept in the store's ``meta`` table: whoever holds the file holds the key.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import duckdb
import pyarrow as pa

from copkit.community.errors import StoreError
from copkit.community.schema import DDL, SCHEMA_VERSION, TABLES

__all__ = ["IMPORT_MEMORY_LIMIT", "Store", "open_store", "store_counts", "to_json"]

IMPORT_MEMORY_LIMIT: Final = os.environ.get("COPKIT_STORE_DUCKDB_MEMORY", "250MB")
"""DuckDB's memory limit for a store file (imports, merges): beyond it DuckDB spills to
``<store>.tmp``. Measured on the 1 GB Stack Exchange dump, the importing process peaked at
1,054 MiB with 250 MB against 1,503 MiB with 768 MB (schema 2, without key indexes: with them
the merge could not spill and failed at 300 MB). Not every operator spills: with 160 MB one
1 GB import in three failed out of memory in the merge, and a 200,000-row CSV failed at 64 MB;
``COPKIT_STORE_DUCKDB_MEMORY`` raises the limit for an export that needs more."""


class Store:
    """An open activity store. Use :func:`open_store`; close it (or use ``with``)."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, key: bytes) -> None:
        self.path = path
        self.con = con
        self.key = key
        # HMAC-SHA256 (RFC 2104) with the padded key's states computed once: same result as
        # hmac.digest(key, data, "sha256"), at a fraction of the cost per call
        padded = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self.con.close()

    def table(self, name: str) -> pa.Table:
        """One canonical table as an Arrow table."""
        if name not in TABLES:
            raise StoreError(f"No table {name!r} in the store; tables: {', '.join(TABLES)}.")
        return self.con.sql(f"SELECT * FROM {name}").to_arrow_table()  # noqa: S608

    def ibis(self) -> Any:
        """An Ibis DuckDB backend over this store's connection (``.table("activities")``)."""
        import ibis

        return ibis.duckdb.from_connection(self.con)

    def pseudonym(self, *parts: str) -> str:
        """The keyed hash (hex) of ``parts``: stable for this store, meaningless without its key."""
        inner = self._inner.copy()
        inner.update("\x1f".join(parts).encode("utf-8", "surrogatepass"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def member_id(self, source: str, origin: str, user: str) -> str:
        """The member id an identity gets before any merge."""
        return "m-" + self.pseudonym("member", source, origin, user)[:16]


def open_store(path: Path | str, *, create: bool = True) -> Store:
    """Open the store at ``path``, creating it when ``create`` and it does not exist.

    Raises
    ------
    StoreError
        When the file is missing (and not ``create``), is not a store, or is of another
        schema version.
    """
    path = Path(path)
    if str(path) == ":memory:":
        con = duckdb.connect(":memory:")
        key = secrets.token_bytes(32)
        con.execute(DDL)
        con.execute("INSERT INTO meta VALUES ('schema_version', ?), ('pseudonym_key', ?)",
                    [str(SCHEMA_VERSION), key.hex()])  # fmt: skip
        return Store(path, con, key)
    if not path.exists() and not create:
        raise StoreError(f"{path}: no such store; create it with `copkit import ... --store`.")
    if path.is_dir():
        raise StoreError(
            f"{path}: is a folder; give the store a file name such as community.duckdb"
        )
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise StoreError(
                f"{path}: in use by another process; wait for it to finish and try again."
            ) from exc
        raise StoreError(f"{path}: not an activity store ({exc}).") from exc
    try:
        # bounded memory: DuckDB spills staging tables and the merge to <store>.tmp beyond this
        con.execute(f"SET memory_limit = '{IMPORT_MEMORY_LIMIT}'")
        spill = str(path.with_name(path.name + ".tmp")).replace("'", "''")
        con.execute(f"SET temp_directory = '{spill}'")
        tables = {
            row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        if tables and "meta" not in tables:
            raise StoreError(f"{path}: a DuckDB file but not a copkit activity store.")
        if "meta" in tables:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            version = meta.get("schema_version")
            if version == "1":
                _upgrade_from_1(con)
                version = str(SCHEMA_VERSION)
            if version != str(SCHEMA_VERSION):
                raise StoreError(
                    f"{path}: store schema version {version}, this copkit reads version "
                    f"{SCHEMA_VERSION}; re-import the exports into a new store."
                )
            key = bytes.fromhex(meta["pseudonym_key"])
        else:
            key = secrets.token_bytes(32)
            con.execute("BEGIN TRANSACTION")
            con.execute(DDL)
            con.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("schema_version", str(SCHEMA_VERSION)),
                    ("pseudonym_key", key.hex()),
                    ("created_at", datetime.now(UTC).isoformat()),
                ],
            )
            con.execute("COMMIT")
    except BaseException:
        con.close()
        raise
    return Store(path, con, key)


def _upgrade_from_1(con: duckdb.DuckDBPyConnection) -> None:
    """Version 1 -> 2, in one transaction: the canonical tables copied into tables without
    PRIMARY KEY constraints (DuckDB cannot drop a constraint in place); rows unchanged."""
    con.execute("BEGIN TRANSACTION")
    try:
        for table in TABLES:
            con.execute(f"ALTER TABLE {table} RENAME TO _v1_{table}")
        con.execute(DDL)  # creates the canonical tables only: the others exist
        for table in TABLES:
            con.execute(f"INSERT INTO {table} SELECT * FROM _v1_{table}")  # noqa: S608
            con.execute(f"DROP TABLE _v1_{table}")
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def count_of(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    found = con.execute(sql).fetchall()
    row = found[0] if found else None
    return int(row[0]) if row and row[0] is not None else 0


def store_counts(store: Store) -> dict[str, Any]:
    """Counts per table, source and kind, the date range, bots and merges (``store info``)."""
    con = store.con
    info: dict[str, Any] = {"store": str(store.path), "schema_version": SCHEMA_VERSION}
    info["tables"] = {t: count_of(con, f"SELECT count(*) FROM {t}") for t in TABLES}  # noqa: S608
    info["activities_by_source_kind"] = [
        {"source": s, "kind": k, "count": int(n)}
        for s, k, n in con.execute(
            "SELECT source, kind, count(*) FROM activities GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    ]
    info["interactions_by_kind"] = dict(
        con.execute(
            "SELECT kind, count(*) FROM interactions GROUP BY kind ORDER BY kind"
        ).fetchall()
    )
    info["origins"] = [
        {"source": s, "origin": o, "identities": int(n)}
        for s, o, n in con.execute(
            "SELECT source, origin, count(*) FROM identities GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    ]
    first, last = con.execute("SELECT min(created_at), max(created_at) FROM activities").fetchall()[
        0
    ] or (
        None,
        None,
    )
    info["first_activity"] = first.astimezone(UTC).isoformat() if first else None
    info["last_activity"] = last.astimezone(UTC).isoformat() if last else None
    info["bots"] = count_of(con, "SELECT count(*) FROM members WHERE is_bot")
    info["bot_activities"] = count_of(
        con,
        "SELECT count(*) FROM activities"
        " WHERE actor_id IN (SELECT member_id FROM members WHERE is_bot)",
    )
    info["merges"] = count_of(con, "SELECT count(*) FROM merges WHERE unmerged_at IS NULL")
    info["imports"] = count_of(con, "SELECT count(*) FROM imports")
    return info


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def to_json(data: object) -> str:
    """``data`` as indented JSON (datetimes as ISO 8601)."""
    return json.dumps(data, indent=2, default=_json_default)
