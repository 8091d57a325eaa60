"""Reading an export's files from a folder: contents, errors and the descriptors kept open."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from copkit.community.errors import ImportFormatError
from copkit.community.sources.archive import ExportFiles


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc")
def test_files_of_several_folders_read_in_any_order(tmp_path: Path) -> None:
    contents = {
        "users.json": b"[]",
        "general/2024-01-01.json": b"[1]",
        "general/2024-01-02.json": b"",
        "random/2024-01-01.json": '["caf\u00e9"]'.encode(),
        "a/b/c.json": bytes(range(256)) * 5000,  # bigger than one small read
    }
    for name, data in contents.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    before = _open_descriptors()
    with ExportFiles(tmp_path) as files:
        order = [*contents, "general/2024-01-01.json", "users.json", "a/b/c.json"]
        for name in order:
            assert files.read_bytes(name) == contents[name], name
        assert _open_descriptors() <= before + 1  # one folder's descriptor at most
    assert _open_descriptors() == before  # closed with the export


def test_a_missing_file_or_folder_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "general").mkdir()
    with ExportFiles(tmp_path) as files:
        with pytest.raises(ImportFormatError, match=r"general/2024-01-09\.json: cannot be read"):
            files.read_bytes("general/2024-01-09.json")
        with pytest.raises(ImportFormatError, match=r"nowhere/2024-01-09\.json: cannot be read"):
            files.read_bytes("nowhere/2024-01-09.json")
        with pytest.raises(ImportFormatError, match="general: cannot be read"):
            files.read_bytes("general")  # a folder, not a file


def test_a_folders_files_by_top_folder_are_those_of_the_full_listing(tmp_path: Path) -> None:
    for name in (
        "users.json",
        "general/2024-01-01.json",
        "general/notes.txt",
        "general/nested/2024-01-02.json",  # deeper: not general's own
        "random/2024-01-01.json",
        "random/2024-01-03.json/inside.json",  # a folder named like a day file
        "empty/.keep",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("[]")
    (tmp_path / "linked").symlink_to(tmp_path / "general")  # os.walk does not go into it
    (tmp_path / "random" / "2024-01-04.json").symlink_to(tmp_path / "users.json")
    (tmp_path / "random" / "broken.json").symlink_to(tmp_path / "nowhere.json")
    listed = ExportFiles(tmp_path).folder_files()
    whole = ExportFiles(tmp_path)
    assert whole.names  # listed: folder_files() now takes what the full listing holds
    by_names = whole.folder_files()
    assert {k: sorted(v) for k, v in listed.items()} == {k: sorted(v) for k, v in by_names.items()}
    assert sorted(listed["random"]) == [
        "random/2024-01-01.json",
        "random/2024-01-04.json",
        "random/broken.json",
    ]
    assert "linked" not in listed and "nested" not in str(listed)
