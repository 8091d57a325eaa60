"""Ids, pseudonyms and bot flags derived in bulk (DuckDB SQL, Arrow) agree with Python's.

The importer derives everything from the readers' raw rows at once; these tests hold the
bulk forms to the one-value-at-a-time definitions they replace.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from copkit.community import import_paths, importer, open_store
from copkit.community.sink import DEFAULT_BOT_PATTERNS, normal_name

_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.sampled_from(list("\t\n\x0b\x1c\xa0ÉéßſKİ@._-")),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=24,
)
_BOTTISH = st.one_of(
    _TEXT,
    st.builds(
        lambda a, w, b: a + w + b,
        st.sampled_from(["", " ", "x", "x-", "@", "[", "no"]),
        st.sampled_from(
            [
                "bot",
                "BOT",
                "[bot]",
                "Bot",
                "slackbot",
                "noreply@",
                "no-reply@",
                "github-actions",
                "Dependabot",
                "renovate",
                "codecov",
                "mailer-daemon",
                "postmaster",
                "ſlackbot",
                "roBOt",
            ]
        ),  # fmt: skip
        st.sampled_from(["", " ", "\n", "x", "_1", "@example.org", "]"]),
    ),
)
_DEFAULT = re.compile(
    "(?i)" + "|".join(f"(?:{p.removeprefix('(?i)')})" for p in DEFAULT_BOT_PATTERNS)
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), _TEXT), max_size=12))
def test_names_handles_and_addresses_normalise_as_in_python(values: list[str | None]) -> None:
    column = pa.array(values, pa.string())
    printable = pc.fill_null(pc.match_substring_regex(column, importer._PRINTABLE), True)
    for vectorised, one in (
        (importer._ascii_name, normal_name),
        (importer._ascii_handle, importer._handle),
        (importer._ascii_email, importer._email),
    ):
        got = importer._normalise(column, printable, vectorised, one).to_pylist()
        assert got == [None if v is None else one(v) for v in values]


@settings(max_examples=300, deadline=None)
@given(_BOTTISH)
def test_every_printable_value_the_default_rules_match_passes_the_prefilter(value: str) -> None:
    if re.fullmatch(importer._PRINTABLE, value) and _DEFAULT.search(value):
        assert re.search(importer._BOT_WORDS, value)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(_BOTTISH, st.one_of(st.none(), _BOTTISH)), min_size=1, max_size=8))
def test_bot_flags_are_the_rules_applied_in_python(
    members: list[tuple[str, str | None]],
) -> None:
    """Members of a CSV export whose ids and names may look like bots' are flagged exactly
    when a default rule matches their id (the CSV reader's only value)."""
    import csv
    import io
    import tempfile

    users = sorted({user.replace("\x00", "") or "x" for user, _ in members})
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export.csv"
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["activity_id", "author", "created_at"])
        for i, user in enumerate(users):
            writer.writerow([f"a{i}", user, "2024-01-01T10:00:00Z"])
        export.write_text(out.getvalue(), encoding="utf-8")
        with open_store(Path(tmp) / "s.duckdb") as store:
            try:
                import_paths(store, [export], real_names=True)
            except Exception:  # noqa: BLE001 - a value the CSV reader refuses: not this test's
                return
            flags = dict(
                store.con.execute(
                    "SELECT i.source_user_id, m.is_bot FROM identities i "
                    "JOIN members m USING (member_id)"
                ).fetchall()
            )
    for user, is_bot in flags.items():
        assert is_bot == bool(_DEFAULT.search(user)), user


def test_ids_derived_in_sql_are_the_stores_keyed_hashes(tmp_path: Path) -> None:
    """DuckDB's HMAC (a macro over its sha256) gives the bytes of :meth:`Store.pseudonym`."""
    export = tmp_path / "export.csv"
    export.write_text(
        "activity_id,author,created_at,parent_id\n"
        "a1,Zoë Ångström,2024-01-01T10:00:00Z,\n"
        "a2,bob,2024-01-02T10:00:00Z,a1\n",
        encoding="utf-8",
    )
    with open_store(tmp_path / "s.duckdb") as store:
        import_paths(store, [export])
        (source, origin) = store.con.execute(
            "SELECT DISTINCT source, origin FROM identities"
        ).fetchone() or ("", "")
        members = dict(
            store.con.execute("SELECT source_user_id, member_id FROM identities").fetchall()
        )
        for user in ("Zoë Ångström", "bob"):
            stored = "u-" + store.pseudonym("user", source, origin, user)[:16]
            assert members[stored] == store.member_id(source, origin, user)
        rows = store.con.execute(
            "SELECT activity_id, parent_id FROM activities ORDER BY created_at"
        ).fetchall()
        own = ["a-" + store.pseudonym("activity", source, origin, a)[:24] for a in ("a1", "a2")]
        assert rows == [(own[0], None), (own[1], own[0])]
