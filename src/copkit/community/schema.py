"""The canonical tables of the activity store: a stable, public contract.

Every importer writes these tables and every analysis reads them; people query them with SQL.
``docs/data-model.md`` documents each column. Timestamps are ``TIMESTAMPTZ`` in UTC.

Vocabularies:

- ``activities.kind``: ``post`` (a thread's root), ``reply``, ``answer``, ``comment``, ``join``.
- ``interactions.kind``: ``reply``, ``answer``, ``accept``, ``mention``, ``reaction``.
- Direction of an interaction: ``from_member`` acts on ``to_member``. A reply goes from the
  replier to the author of the parent; an answer from the answerer to the asker; an accept
  from the asker to the answerer; a mention from the author to the person named; a reaction
  from the reactor to the author. Self-interactions are not recorded.
- Keys (``members.member_id``, the identity triple, ``space_id``, ``activity_id``,
  ``interaction_id``) are unique by construction: the import adds only rows whose key is not
  in the store yet. Since schema version 2 they are not declared as constraints: DuckDB keeps
  a constraint's index in memory, where it cannot spill to disk, and maintaining it was most
  of the merge's cost.
- ``spaces.kind``: ``channel``, ``category``, ``list``, ``tag``, ``repository``, ``site``,
  ``space``.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ACTIVITY_KINDS",
    "BOOKKEEPING_TABLES",
    "DDL",
    "INTERACTION_KINDS",
    "SCHEMA_VERSION",
    "SPACE_KINDS",
    "TABLES",
]

SCHEMA_VERSION: Final = 2
"""2: the canonical tables declare no PRIMARY KEY (keys unique by construction); a version 1
store is upgraded in place when opened (:func:`copkit.community.store.open_store`)."""

ACTIVITY_KINDS: Final = ("post", "reply", "answer", "comment", "join")
INTERACTION_KINDS: Final = ("reply", "answer", "accept", "mention", "reaction")
SPACE_KINDS: Final = ("channel", "category", "list", "tag", "repository", "site", "space")

TABLES: Final = ("members", "identities", "spaces", "activities", "interactions")
BOOKKEEPING_TABLES: Final = ("meta", "imports", "import_skips", "merges", "merge_moves")

DDL: Final = """
CREATE TABLE IF NOT EXISTS members (
    member_id     VARCHAR NOT NULL,      -- key; stable; a keyed-hash pseudonym unless real names
    display_name  VARCHAR NOT NULL,      -- pseudonym (e.g. 'member-3f2a9c') or the real name
    is_bot        BOOLEAN NOT NULL DEFAULT FALSE,
    joined_at     TIMESTAMPTZ,           -- when the source says the person joined, if it does
    first_seen    TIMESTAMPTZ,           -- earliest activity in the store
    source_roles  VARCHAR[]              -- as the source states: admin, moderator, owner, ...
);
CREATE TABLE IF NOT EXISTS identities (
    source          VARCHAR NOT NULL,    -- slack, mbox, stackexchange, discourse, github, csv
    origin          VARCHAR NOT NULL,    -- which workspace, list, site, forum or repository
    source_user_id  VARCHAR NOT NULL,    -- the id in that source (user id, address, login)
    member_id       VARCHAR NOT NULL,
    name            VARCHAR,             -- pseudonymised unless real names were asked for
    handle          VARCHAR,
    email           VARCHAR              -- key: (source, origin, source_user_id)
);
CREATE TABLE IF NOT EXISTS spaces (
    space_id    VARCHAR NOT NULL,        -- key
    source      VARCHAR NOT NULL,
    origin      VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    created_by  VARCHAR                  -- member_id of the creator, where the source says
);
CREATE TABLE IF NOT EXISTS activities (
    activity_id  VARCHAR NOT NULL,       -- key
    source       VARCHAR NOT NULL,
    space_id     VARCHAR,
    thread_id    VARCHAR NOT NULL,       -- activity_id of the thread's root (a root: itself)
    parent_id    VARCHAR,                -- activity_id this one replies to; NULL for a root
    actor_id     VARCHAR NOT NULL,       -- member_id
    created_at   TIMESTAMPTZ NOT NULL,
    kind         VARCHAR NOT NULL,
    is_question  BOOLEAN NOT NULL DEFAULT FALSE,
    length       INTEGER NOT NULL DEFAULT 0,   -- characters, counted even when text is not kept
    text         VARCHAR                 -- only with --keep-text
);
CREATE TABLE IF NOT EXISTS interactions (
    interaction_id VARCHAR NOT NULL,  -- key; stable: re-importing adds nothing
    from_member  VARCHAR NOT NULL,
    to_member    VARCHAR NOT NULL,
    activity_id  VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
-- Bookkeeping: the store's own metadata, the import log and the identity-merge log.
CREATE TABLE IF NOT EXISTS meta (
    key    VARCHAR PRIMARY KEY,          -- schema_version, pseudonym_key, created_at
    value  VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS imports (
    import_id     INTEGER PRIMARY KEY,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ NOT NULL,
    source        VARCHAR NOT NULL,
    origin        VARCHAR NOT NULL,
    path          VARCHAR NOT NULL,
    keep_text     BOOLEAN NOT NULL,
    real_names    BOOLEAN NOT NULL,
    read_activities     BIGINT NOT NULL,
    added_activities    BIGINT NOT NULL,
    added_members       BIGINT NOT NULL,
    added_interactions  BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS import_skips (
    import_id  INTEGER NOT NULL,
    reason     VARCHAR NOT NULL,         -- e.g. 'duplicate', 'already imported', 'channel_leave'
    count      BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS merges (
    merge_id      INTEGER PRIMARY KEY,
    from_member   VARCHAR NOT NULL,      -- the member that disappeared into into_member
    into_member   VARCHAR NOT NULL,
    reason        VARCHAR NOT NULL,
    confidence    DOUBLE,
    merged_at     TIMESTAMPTZ NOT NULL,
    unmerged_at   TIMESTAMPTZ,           -- set when undone
    member_row    VARCHAR NOT NULL       -- the removed members row as JSON, restored on unmerge
);
CREATE TABLE IF NOT EXISTS merge_moves (
    merge_id  INTEGER NOT NULL,
    tbl       VARCHAR NOT NULL,          -- identities, activities or interactions
    col       VARCHAR NOT NULL,          -- the column rewritten from from_member to into_member
    row_key   VARCHAR NOT NULL           -- identity key, activity_id or interaction_id
);
"""
