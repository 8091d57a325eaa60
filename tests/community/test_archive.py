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
