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
- ``spaces.kind``: ``channel``, ``category``, ``list``, ``tag``, ``repository``, ``site``,
  ``space``.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ACTIVITY_KINDS",
    "DDL",
    "INTERACTION_KINDS",
    "SCHEMA_VERSION",
    "SPACE_KINDS",
    "TABLES",
]

SCHEMA_VERSION: Final = 1

ACTIVITY_KINDS: Final = ("post", "reply", "answer", "comment", "join")
INTERACTION_KINDS: Final = ("reply", "answer", "accept", "mention", "reaction")
SPACE_KINDS: Final = ("channel", "category", "list", "tag", "repository", "site", "space")

TABLES: Final = ("members", "identities", "spaces", "activities", "interactions")

DDL: Final = """
CREATE TABLE IF NOT EXISTS members (
    member_id     VARCHAR PRIMARY KEY,   -- stable; a keyed-hash pseudonym unless real names
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
    email           VARCHAR,
    PRIMARY KEY (source, origin, source_user_id)
);
CREATE TABLE IF NOT EXISTS spaces (
    space_id    VARCHAR PRIMARY KEY,
    source      VARCHAR NOT NULL,
    origin      VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    created_by  VARCHAR                  -- member_id of the creator, where the source says
);
CREATE TABLE IF NOT EXISTS activities (
    activity_id  VARCHAR PRIMARY KEY,
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
    from_member  VARCHAR NOT NULL,
    to_member    VARCHAR NOT NULL,
    activity_id  VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
"""
