"""The Stack Exchange dump reader: a hand-made dump, the real dumps, and hostile input."""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own test inputs, independently
from datetime import UTC, datetime
from pathlib import Path

import py7zr
import pytest

from copkit.community.errors import ImportFormatError
from copkit.community.sources import stackexchange
from copkit.community.sources.stackexchange import READER
from tests.community.recording_sink import RecordingSink

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE = FIXTURES / "stackexchange" / "tiny.stackexchange.com"
DATASETS = Path(
    os.environ.get("COPKIT_DATASETS")
    or Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
)
SITES = ("se-ai-2017", "se-bicycles-meta", "se-beer-meta")


def read(path: Path) -> RecordingSink:
    sink = RecordingSink()
    READER.read(path, sink)
    return sink


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- the hand-made dump: every rule of the mapping ------------------------------------------


def test_tiny_dump_maps_every_rule() -> None:
    sink = read(FIXTURE)
    assert set(sink.members) == {"-1", "1", "2", "3", "7", "deleted:user99", "deleted"}
    assert sink.members["-1"]["is_bot"] is True
    assert sink.members["1"] == {
        "name": "Alice Asker",
        "handle": None,
        "email": None,
        "is_bot": False,
        "joined_at": at("2019-12-02T08:30:00.123"),
        "roles": (),
    }
    assert sink.members["deleted"]["name"] == "deleted user"
    assert set(sink.spaces) == {"python", "r"}
    assert all(s["kind"] == "tag" for s in sink.spaces.values())

    acts = sink.activities
    assert {k: a["kind"] for k, a in acts.items()} == {
        "1": "post",
        "2": "answer",
        "3": "answer",
        "4": "post",
        "5": "answer",
        "6": "post",
        "7": "answer",
        "10": "post",
        "11": "answer",
        "12": "answer",
        "c1": "comment",
        "c2": "comment",
        "c4": "comment",
    }
    assert all(acts[q]["is_question"] for q in ("1", "4", "6", "10"))
    assert not any(acts[a]["is_question"] for a in ("2", "c1"))
    assert acts["1"]["space"] == "python"  # the first tag
    assert acts["4"]["space"] == "r"  # the |a|b| tag format of newer dumps
    assert acts["10"]["space"] is None
    assert acts["2"]["space"] == "python" and acts["c2"]["space"] == "python"
    assert (acts["2"]["parent"], acts["2"]["thread"]) == ("1", "1")
    assert (acts["c2"]["parent"], acts["c2"]["thread"]) == ("2", "1")
    assert acts["6"]["actor"] == "deleted:user99"
    assert acts["c4"]["actor"] == "deleted:user99"
    assert acts["7"]["actor"] == "deleted"
    assert acts["12"]["actor"] == "7"  # an owner absent from Users.xml is still a member
    assert acts["1"]["text"].startswith("Reading CSV files\n\n<p>How do I read a CSV?")
    assert acts["1"]["created_at"] == at("2020-01-01T10:00:00")

    assert sink.interactions == [
        # AcceptedAnswerId; the accept vote's day is earlier than the answer: the answer's time
        {
            "actor": "1",
            "target": "2",
            "activity": "2",
            "kind": "accept",
            "created_at": at("2020-01-01T11:00:00"),
        },
        # no AcceptedAnswerId, only a VoteTypeId 1 vote: dated by the vote
        {
            "actor": "3",
            "target": "2",
            "activity": "5",
            "kind": "accept",
            "created_at": at("2020-01-03T00:00:00"),
        },
    ]
    assert dict(sink.skips) == {
        "post type 5 (tag wiki): not a question or answer": 1,
        "answer to a question not in the dump": 1,
        "self-accept (asker accepted their own answer)": 1,
        "comment on a post that is not an imported question or answer": 1,
    }


def test_detect_and_origin(tmp_path: Path) -> None:
    assert READER.detect(FIXTURE)
    assert READER.origin(FIXTURE) == "tiny.stackexchange.com"
    assert not READER.detect(tmp_path)
    assert not READER.detect(FIXTURE / "Posts.xml")


def test_optional_files_may_be_absent(tmp_path: Path) -> None:
    for name in ("Posts.xml", "Users.xml"):
        shutil.copy(FIXTURE / name, tmp_path / name)
    sink = read(tmp_path)
    assert sink.kinds() == {"post": 4, "answer": 6}
    assert sink.spaces.keys() == {"python", "r"}  # declared from the questions' tags
    assert [i["activity"] for i in sink.interactions] == ["2"]  # AcceptedAnswerId only


# --- real dumps: exact against counts computed here with the standard library ---------------


def _rows(path: Path) -> list[dict[str, str]]:
    return [dict(el.attrib) for _, el in ET.iterparse(path) if el.tag == "row"]  # noqa: S314


@pytest.mark.parametrize("site", SITES)
def test_real_dump_is_exact(site: str) -> None:
    folder = DATASETS / site
    if not folder.is_dir():
        pytest.skip(f"shared dataset {site} is absent ({folder})")
    posts = _rows(folder / "Posts.xml")
    comments = _rows(folder / "Comments.xml")
    questions = {p["Id"]: p for p in posts if p["PostTypeId"] == "1"}
    answers = {p["Id"]: p for p in posts if p["PostTypeId"] == "2" and p["ParentId"] in questions}
    on_qa = [c for c in comments if c["PostId"] in questions or c["PostId"] in answers]
    votes = {v["PostId"] for v in _rows(folder / "Votes.xml") if v["VoteTypeId"] == "1"}

    def owner(p: dict[str, str]) -> str:
        return p.get("OwnerUserId") or "deleted:" + p.get("OwnerDisplayName", "")

    accepts = {
        a
        for a, row in answers.items()
        if (questions[row["ParentId"]].get("AcceptedAnswerId") == a or a in votes)
        and owner(row) != owner(questions[row["ParentId"]])
    }

    sink = read(folder)
    kinds = sink.kinds()
    assert kinds["post"] == len(questions)
    assert kinds["answer"] == len(answers)
    assert kinds["comment"] == len(on_qa)
    assert sum(kinds.values()) == len(questions) + len(answers) + len(on_qa)
    assert {i["activity"] for i in sink.interactions} == accepts
    assert {k for k, a in sink.activities.items() if a["kind"] == "answer"} == set(answers)
    for key, row in answers.items():
        assert sink.activities[key]["parent"] == row["ParentId"]
    users = _rows(folder / "Users.xml")
    assert {u["Id"] for u in users} <= set(sink.members)
    skipped_posts = sum(n for r, n in sink.skips.items() if r.startswith("post type"))
    assert skipped_posts == sum(1 for p in posts if p["PostTypeId"] not in ("1", "2"))


# --- .7z archives ----------------------------------------------------------------------------


def test_7z_archive_reads_like_the_folder(tmp_path: Path) -> None:
    archive = tmp_path / "tiny.stackexchange.com.7z"
    with py7zr.SevenZipFile(archive, "w") as out:
        for file in sorted(FIXTURE.iterdir()):
            out.write(file, file.name)
    assert READER.detect(archive)
    assert READER.origin(archive) == "tiny.stackexchange.com"
    from_archive, from_folder = read(archive), read(FIXTURE)
    assert from_archive.activities == from_folder.activities
    assert from_archive.interactions == from_folder.interactions


def test_7z_bomb_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.7z"
    with py7zr.SevenZipFile(archive, "w") as out:
        out.writestr(b"<posts>" + b" " * 5_000_000 + b"</posts>", "Posts.xml")
        out.writestr(b"<users></users>", "Users.xml")
    with pytest.raises(ImportFormatError, match=r"bomb\.7z: compression ratio \d+:1"):
        READER.read(archive, RecordingSink())


def test_7z_without_posts_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "other.7z"
    with py7zr.SevenZipFile(archive, "w") as out:
        out.writestr(b"hello", "readme.txt")
    assert not READER.detect(archive)
    with pytest.raises(ImportFormatError, match=r"other\.7z: the archive has no Posts\.xml"):
        READER.read(archive, RecordingSink())


def test_7z_parent_path_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "slip.7z"
    # py7zr refuses to *write* such a name; let it, to make the hostile archive.
    monkeypatch.setattr(py7zr.py7zr, "check_archive_path", lambda _name: True)
    with py7zr.SevenZipFile(archive, "w") as out:
        out.writestr(b"<posts/>", "../Posts.xml")
    with pytest.raises(ImportFormatError, match=r"slip\.7z: member '\.\./Posts\.xml'"):
        READER.read(archive, RecordingSink())


def test_damaged_7z_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "broken.7z"
    archive.write_bytes(b"7z\xbc\xaf\x27\x1c" + b"\x00" * 40)
    with pytest.raises(ImportFormatError, match=r"broken\.7z"):
        READER.read(archive, RecordingSink())


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "big.7z"
    with py7zr.SevenZipFile(archive, "w") as out:
        for file in sorted(FIXTURE.iterdir()):
            out.write(file, file.name)
    monkeypatch.setattr(stackexchange, "MAX_UNPACKED_BYTES", 100)
    with pytest.raises(ImportFormatError, match=r"over the limit of 100"):
        READER.read(archive, RecordingSink())


# --- hostile and broken XML ------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE posts [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<posts>
  <row Id="1" PostTypeId="1" CreationDate="2020-01-01T00:00:00" OwnerUserId="1" Body="&lol9;" />
</posts>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE posts [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<posts>
  <row Id="1" PostTypeId="1" CreationDate="2020-01-01T00:00:00" OwnerUserId="1" Body="&xxe;" />
</posts>
"""


def dump_with(tmp_path: Path, name: str, content: str | bytes) -> Path:
    folder = tmp_path / "site"
    shutil.copytree(FIXTURE, folder)
    target = folder / name
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("content", "line"),
    [(BILLION_LAUGHS, 2), (EXTERNAL_ENTITY, 2)],
    ids=["billion-laughs", "external-entity"],
)
def test_dtd_is_refused(tmp_path: Path, content: str, line: int) -> None:
    folder = dump_with(tmp_path, "Posts.xml", content)
    with pytest.raises(ImportFormatError, match=rf"Posts\.xml: line {line}: .*DTD"):
        READER.read(folder, RecordingSink())


def test_truncated_xml_names_file_and_line(tmp_path: Path) -> None:
    text = (FIXTURE / "Posts.xml").read_text(encoding="utf-8-sig")
    cut = text[: text.index('<row Id="5"') + 40]
    folder = dump_with(tmp_path, "Posts.xml", cut)
    with pytest.raises(ImportFormatError, match=r"Posts\.xml: line 7: invalid XML"):
        READER.read(folder, RecordingSink())


def test_missing_users_xml(tmp_path: Path) -> None:
    folder = dump_with(tmp_path, "Comments.xml", (FIXTURE / "Comments.xml").read_bytes())
    (folder / "Users.xml").unlink()
    with pytest.raises(ImportFormatError, match=r"site: Users\.xml is missing"):
        READER.read(folder, RecordingSink())


def test_bad_date_names_line(tmp_path: Path) -> None:
    text = (FIXTURE / "Comments.xml").read_text(encoding="utf-8-sig")
    folder = dump_with(tmp_path, "Comments.xml", text.replace("2020-01-01T11:10:00.000", "soon"))
    with pytest.raises(ImportFormatError, match=r"Comments\.xml: line 4: CreationDate='soon'"):
        READER.read(folder, RecordingSink())


def test_not_xml_at_all(tmp_path: Path) -> None:
    folder = dump_with(tmp_path, "Users.xml", b"\x00\xff garbage")
    with pytest.raises(ImportFormatError, match=r"Users\.xml: line \d+: invalid XML"):
        READER.read(folder, RecordingSink())


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="not a Stack Exchange dump"):
        READER.read(tmp_path / "nothing", RecordingSink())


# --- big dumps: accept votes found without an element per vote ---------------------------------


@pytest.mark.parametrize("site", SITES)
def test_accept_votes_by_search_are_those_of_the_parser(site: str) -> None:
    se = stackexchange
    votes = DATASETS / site / "Votes.xml"
    if not votes.is_file():
        pytest.skip(f"{votes} is not here (the shared datasets; see COPKIT_DATASETS)")
    document = votes.read_bytes()
    assert se._plain_votes(document)
    src = se._Src("Votes.xml")
    general = [
        fact
        for row in se._chunk_rows(src, document)
        if (fact := se._vote_fact(src, row, False)) is not None
    ]
    assert general and se._accept_votes(src, document) == general


@pytest.mark.parametrize(
    "row",
    [
        '<row Id="2" PostId="7" VoteTypeId="&#49;" CreationDate="2020-01-01T00:00:00" />',
        "<row Id='2' PostId='7' VoteTypeId='1' CreationDate='2020-01-01T00:00:00' />",
        '<row Id="2" PostId="7" VoteTypeId = "1" CreationDate="2020-01-01T00:00:00" />',
        '<!-- <row Id="3" PostId="8" VoteTypeId="1" CreationDate="2020-01-01T00:00:00" /> -->',
    ],
)
def test_votes_written_unusually_take_the_parser(row: str) -> None:
    se = stackexchange
    document = (
        '<?xml version="1.0" encoding="utf-8"?>\n<votes>\n'
        '  <row Id="1" PostId="5" VoteTypeId="2" CreationDate="2020-01-01T00:00:00" />\n'
        f"  {row}\n</votes>\n"
    ).encode()
    assert not se._plain_votes(document)


def test_a_bad_accept_vote_is_named_by_its_line_in_the_fast_path() -> None:
    se = stackexchange
    document = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<votes>\n'
        b'  <row Id="1" PostId="5" VoteTypeId="2" CreationDate="2020-01-01T00:00:00" />\n'
        b'  <row Id="2" PostId="x" VoteTypeId="1" CreationDate="2020-01-01T00:00:00" />\n'
        b"</votes>\n"
    )
    assert se._plain_votes(document)
    with pytest.raises(ImportFormatError, match=r"Votes\.xml: line 4: PostId='x'"):
        se._accept_votes(se._Src("Votes.xml"), document)
    with pytest.raises(ImportFormatError, match=r"Votes\.xml: line 6: invalid XML"):
        se._accept_votes(se._Src("Votes.xml"), document.replace(b"</votes>", b"<votes>"))
