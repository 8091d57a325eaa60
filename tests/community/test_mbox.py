"""The mbox reader: DMARC munging, threads, duplicates, encodings, fuzzing, the USRP list."""

from __future__ import annotations

import re
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copkit.community import ImportFormatError, Store, import_paths, open_store
from copkit.community.sources import mbox as mbox_source
from copkit.community.sources.workers import ordered_map

from .conftest import FIXTURES, canonical, dataset, rows, scalar, snapshot, twin_stores

LIST = FIXTURES / "mbox" / "list.mbox"


def test_fixture_threads_duplicates_and_dmarc(store: Store) -> None:
    summary = import_paths(store, [LIST], real_names=True)
    assert summary.paths[0][1:] == ("mbox", "list test-list.lists.example.org")
    assert summary.read_activities == 6
    assert summary.skipped == {"duplicate": 1}
    assert summary.unresolved_parents == 1
    assert dict(rows(store, "SELECT kind, count(*) FROM activities GROUP BY kind")) == {
        "post": 1, "reply": 5,
    }  # fmt: skip
    # the people behind "X via Test-list": from Reply-To, X-Original-From, or the name
    names = sorted(r[0] for r in rows(store, "SELECT display_name FROM members"))
    assert names == ["Ana Lima", "Ben Okafor", "Carl", "José García", "René Dupont"]
    emails = sorted(str(r[0]) for r in rows(store, "SELECT email FROM identities"))
    assert "test-list@lists.example.org" not in emails
    ties = rows(
        store,
        """SELECT f.display_name, t.display_name FROM interactions i
        JOIN members f ON f.member_id = i.from_member JOIN members t ON t.member_id = i.to_member
        ORDER BY 1""",
    )
    assert ties == [
        ("Ana Lima", "José García"), ("Ben Okafor", "Ana Lima"),
        ("Carl", "José García"), ("José García", "Ben Okafor"),
    ]  # fmt: skip
    # References give the thread even when a message only names its parent in In-Reply-To
    assert scalar(store, "SELECT count(DISTINCT thread_id) FROM activities") == 2


def test_text_and_length_of_multipart_latin1_body(store: Store) -> None:
    import_paths(store, [LIST], keep_text=True)
    texts = [r[0] for r in rows(store, "SELECT text FROM activities ORDER BY created_at")]
    assert "Ça marche après nettoyage.\n" in texts
    assert any(t and t.startswith("Thanks, it works now.\nFrom the docs") for t in texts)
    assert any(t and "\ufffd" in t for t in texts)  # undeclared Latin-1 body: replaced, not fatal
    lengths = rows(store, "SELECT length FROM activities WHERE length = 0")
    assert lengths == []


def test_folder_of_mboxes_with_a_stray_file(tmp_path: Path, store: Store) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "2024-01.mbox").write_bytes(LIST.read_bytes())
    (folder / "README.txt").write_text("not mail")
    summary = import_paths(store, [folder])
    assert summary.added_activities == 6
    assert summary.skipped == {"duplicate": 1, "not an mbox file": 1}


def test_same_archive_twice_adds_nothing(store: Store) -> None:
    import_paths(store, [LIST])
    again = import_paths(store, [LIST])
    assert (again.added_activities, again.added_interactions, again.added_members) == (0, 0, 0)


def test_file_that_is_not_mbox_gets_a_clear_error(tmp_path: Path, store: Store) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(ImportFormatError, match="unknown export layout. Expected"):
        import_paths(store, [other])
    with pytest.raises(ImportFormatError, match="does not look like a mbox export"):
        import_paths(store, [other], format="mbox")


_HEADER_VALUE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["<a@b>", "<a@b> <c@d>", "=?utf-8?q?Jos=C3=A9?= <j@x>", "X via L <l@x>",
                     "Mon, 1 Jan 2024 10:00:00 +0000", "=?bogus?x?zz?=", "", "<>"]),
)  # fmt: skip


@pytest.mark.slow
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    messages=st.lists(
        st.tuples(
            st.dictionaries(
                st.sampled_from(["From", "Message-ID", "In-Reply-To", "References", "Date",
                                 "Reply-To", "Content-Type", "Content-Transfer-Encoding"]),
                _HEADER_VALUE,
                max_size=6,
            ),
            st.binary(max_size=60),
        ),
        max_size=4,
    ),
    garbage=st.binary(max_size=30),
)  # fmt: skip
def test_fuzzed_mbox_imports_or_fails_cleanly(
    tmp_path_factory: pytest.TempPathFactory,
    messages: list[tuple[dict[str, str], bytes]],
    garbage: bytes,
) -> None:
    parts = [b"From x@y Mon Jan  1 00:00:00 2024\n"]
    for headers, body in messages:
        for name, value in headers.items():
            parts.append(
                f"{name}: {value}".encode("utf-8", "surrogatepass").replace(b"\n", b" ") + b"\n"
            )
        parts.append(b"\n" + body + b"\n\nFrom x@y Mon Jan  1 00:00:00 2024\n")
    parts.append(garbage)
    path = tmp_path_factory.mktemp("fuzz") / "list.mbox"
    path.write_bytes(b"".join(parts))
    with open_store(":memory:") as opened:
        try:
            import_paths(opened, [path], format="mbox")
        except ImportFormatError:
            assert opened.table("activities").num_rows == 0


def _independent(root: Path) -> tuple[int, int, int]:
    """Messages (distinct Message-ID), resolved reply links, distinct real senders: computed
    from the raw files with the standard library's header parsing, not copkit's."""
    import email
    import mailbox

    seen: dict[str, tuple[str | None, str]] = {}
    for file in sorted(root.glob("*.mbox")):
        for message in mailbox.mbox(file, factory=lambda f: email.message_from_binary_file(f)):
            ids = re.findall(r"<([^<>\s]+)>", str(message.get("Message-ID", "")))
            if not ids or ids[0] in seen:
                continue
            replied = re.findall(r"<([^<>\s]+)>", str(message.get("In-Reply-To", "")))
            refs = re.findall(r"<([^<>\s]+)>", str(message.get("References", "")))
            parent = replied[0] if replied else (refs[-1] if refs else None)
            sender = parseaddr(str(message.get("Reply-To", "")))[1].lower()
            seen[ids[0]] = (parent, sender)
    links = sum(1 for parent, _ in seen.values() if parent in seen)
    senders = {sender for _, sender in seen.values()}
    return len(seen), links, len(senders)


@pytest.mark.slow
def test_real_usrp_list_matches_independent_counts(store: Store) -> None:
    root = dataset("mbox-usrp-users-2020H2", "mbox")
    messages, links, senders = _independent(root)
    summary = import_paths(store, [root])
    assert summary.read_activities == messages == 1241
    assert scalar(store, "SELECT count(*) FROM activities") == messages
    resolved = scalar(
        store,
        """SELECT count(*) FROM activities c JOIN activities p ON c.parent_id = p.activity_id""",
    )
    assert resolved == links
    assert summary.unresolved_parents == scalar(
        store, "SELECT count(*) FROM activities WHERE parent_id IS NOT NULL"
    ) - links  # fmt: skip
    assert scalar(store, "SELECT count(DISTINCT actor_id) FROM activities") == senders == 185
    # nothing personal in the store by default
    before = snapshot(store)
    assert not any(
        "@" in value for table in before.values() for value in table if "lists" not in value
    )


# --- chunked and parallel parsing -------------------------------------------------------------


def _messages_of(path: Path, size: int) -> list[object]:
    """Every parsed message of ``path`` read in chunks of about ``size`` bytes."""
    return [
        message
        for start, stop in mbox_source._chunks(path, size)
        for message in mbox_source._parse_range(path, start, stop, True)
    ]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_chunks_cut_exactly_where_the_whole_file_is_cut(tmp_path: Path, newline: bytes) -> None:
    path = tmp_path / "list.mbox"
    path.write_bytes(LIST.read_bytes().replace(b"\n", newline))
    whole = _messages_of(path, path.stat().st_size + 1)
    assert len(whole) == 7
    for size in (1, 7, 64, 500, 1000, 2000):
        assert len(mbox_source._chunks(path, size)) > 1
        assert _messages_of(path, size) == whole, size


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(
        st.sampled_from([b"From a@b Mon Jan  1 00:00:00 2024\n", b"\n", b"\r\n", b"From ",
                         b"Message-ID: <x@y>\n", b"body line\n", b">From me\n", b"\n\n"]),
        max_size=40,
    ),
    size=st.integers(min_value=1, max_value=80),
)  # fmt: skip
def test_chunks_of_any_size_give_the_messages_of_the_whole_file(
    tmp_path_factory: pytest.TempPathFactory, parts: list[bytes], size: int
) -> None:
    path = tmp_path_factory.mktemp("chunks") / "fuzz.mbox"
    path.write_bytes(b"From x@y Mon Jan  1 00:00:00 2024\n" + b"".join(parts))
    assert _messages_of(path, size) == _messages_of(path, path.stat().st_size + 1)


@pytest.mark.slow
@pytest.mark.parametrize("keep_text", [False, True])
def test_worker_processes_give_the_store_one_process_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep_text: bool
) -> None:
    root = dataset("mbox-usrp-users-2020H2", "mbox")
    one, two = twin_stores(tmp_path)
    with one, two:
        monkeypatch.setattr(mbox_source, "PARALLEL_MIN_BYTES", 2**62)
        monkeypatch.setattr(mbox_source, "CHUNK_BYTES", 2**62)
        serial = import_paths(one, [root], keep_text=keep_text)
        calls: list[int] = []
        real_map = mbox_source.ordered_map

        def spy(function: Any, tasks: list[Any], workers: int) -> Any:
            calls.append(workers)
            calls.append(len(tasks))
            return real_map(function, tasks, workers)

        monkeypatch.setattr(mbox_source, "ordered_map", spy)
        monkeypatch.setattr(mbox_source, "worker_count", lambda: 2)
        monkeypatch.setattr(mbox_source, "PARALLEL_MIN_BYTES", 0)
        monkeypatch.setattr(mbox_source, "CHUNK_BYTES", 1_000_000)
        parallel = import_paths(two, [root], keep_text=keep_text)
        assert calls[0] == 2 and calls[1] > 30  # two workers, many chunks
        assert parallel.read_activities == serial.read_activities == 1241
        assert parallel.skipped == serial.skipped
        assert canonical(two) == canonical(one)
        again = import_paths(two, [root], keep_text=keep_text)
        assert again.added_activities == 0


def test_an_error_in_a_worker_is_raised_in_the_importer(tmp_path: Path) -> None:
    missing = tmp_path / "gone.mbox"
    tasks = [(LIST, 0, LIST.stat().st_size, False), (missing, 0, 10, False)]
    results = ordered_map(mbox_source._parse_range, tasks, 2)
    assert len(next(results)) == 7
    with pytest.raises(ImportFormatError, match=r"gone\.mbox: cannot be read"):
        next(results)
