"""Safe access to an export that is either a folder or a ``.zip`` archive.

A zip is hostile until proven otherwise: entry names with ``..`` or an absolute path are
refused, and so are archives whose entries would unpack to more than :data:`MAX_TOTAL_BYTES`
or compress better than :data:`MAX_RATIO` to 1 (zip bombs). Sizes are checked against the
bytes actually read, not only against what the archive's directory claims.
"""

from __future__ import annotations

import lzma
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Final

from copkit.community.errors import ImportFormatError

__all__ = ["MAX_ENTRY_BYTES", "MAX_RATIO", "MAX_TOTAL_BYTES", "ExportFiles"]

MAX_TOTAL_BYTES: Final = 16 * 1024**3
"""Largest total unpacked size of a zip export (16 GiB)."""
MAX_ENTRY_BYTES: Final = 2 * 1024**3
"""Largest unpacked size of one entry (2 GiB)."""
MAX_RATIO: Final = 200
"""Largest compression ratio of an entry bigger than 1 MiB."""


_ZIP_ERRORS: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    KeyError,
    EOFError,
    ValueError,
    RuntimeError,  # an encrypted entry
    NotImplementedError,  # an unsupported compression method
    zlib.error,
    lzma.LZMAError,
)


def _walk(root: Path) -> Iterator[str]:
    top = str(root)
    for folder, _dirs, files in os.walk(top):
        rel = os.path.relpath(folder, top)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        for name in files:
            yield prefix + name


class ExportFiles:
    """The files of a folder or of a zip archive, by POSIX relative name.

    A zip whose entries all sit in one top-level folder is read as if that folder were the
    root, as Slack and some other tools produce.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._prefix = ""
        self._set: set[str] | None = None
        self._names: list[str] | None = None  # a folder is listed when first asked
        self._dir: tuple[str, int] | None = None  # (folder, descriptor) of the last file read
        if path.is_dir():
            pass
        elif path.is_file() and zipfile.is_zipfile(path):
            try:
                self._zip = zipfile.ZipFile(path)
                infos = self._zip.infolist()
            except _ZIP_ERRORS as exc:
                raise ImportFormatError(f"{path}: not a readable zip archive ({exc}).") from exc
            self._check(infos)
            names = [i.filename for i in infos if not i.is_dir()]
            tops = {n.split("/", 1)[0] for n in names}
            if len(tops) == 1 and all("/" in n for n in names):
                self._prefix = tops.pop() + "/"
            self._names = sorted(n[len(self._prefix) :] for n in names)
        elif path.exists():
            raise ImportFormatError(f"{path}: expected a folder or a .zip archive.")
        else:
            raise ImportFormatError(f"{path}: no such file or folder.")

    def _check(self, infos: list[zipfile.ZipInfo]) -> None:
        total = 0
        for info in infos:
            name = info.filename
            if not name:
                raise ImportFormatError(
                    f"{self.path}: a zip entry has no name (a damaged archive?); refusing it."
                )
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise ImportFormatError(
                    f"{self.path}: zip entry {name!r} points outside the archive; refusing it."
                )
            if info.file_size > MAX_ENTRY_BYTES:
                raise ImportFormatError(
                    f"{self.path}: zip entry {name!r} unpacks to {info.file_size} bytes, more than "
                    f"the limit of {MAX_ENTRY_BYTES}; unpack it yourself if you trust it."
                )
            if info.file_size > 1024**2 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise ImportFormatError(
                    f"{self.path}: zip entry {name!r} compresses {info.file_size} bytes into "
                    f"{info.compress_size} (a zip bomb?); refusing it."
                )
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise ImportFormatError(
                f"{self.path}: the archive unpacks to {total} bytes, more than the limit of "
                f"{MAX_TOTAL_BYTES}."
            )

    def close(self) -> None:
        """Close the archive, or the folder's directory kept open."""
        if self._zip is not None:
            self._zip.close()
        if self._dir is not None:
            os.close(self._dir[1])
            self._dir = None

    def _read_file(self, name: str) -> bytes:
        """A folder's file, read at the OS level (a buffered file object costs more than
        the read of a small file), from its directory kept open: the files of one folder
        come one after another, and opening each by its full path would look every
        directory of the path up again."""
        folder, _, base = name.rpartition("/")
        if self._dir is None or self._dir[0] != folder:
            opened = os.open(os.path.join(self.path, folder), os.O_RDONLY | os.O_DIRECTORY)
            if self._dir is not None:
                os.close(self._dir[1])
            self._dir = (folder, opened)
        fd = os.open(base, os.O_RDONLY, dir_fd=self._dir[1])
        try:
            size = os.fstat(fd).st_size
            data = os.read(fd, size + 1)
            if len(data) == size:  # the whole file (asked for one byte more)
                return data
            parts = [data]  # a file that changed while it was read, or a read cut short
            while parts[-1]:
                parts.append(os.read(fd, 2**20))
            return b"".join(parts)
        finally:
            os.close(fd)

    def __enter__(self) -> ExportFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def names(self) -> list[str]:
        """Every file, as a relative POSIX name, sorted."""
        if self._names is None:
            self._names = sorted(_walk(self.path))
        return self._names

    def folder_files(self) -> dict[str, list[str]]:
        """The files directly in each top-level folder (not in its subfolders), by relative
        name, in no order: what :attr:`names` holds of them. A folder's are listed folder
        by folder, without sorting or walking the whole tree."""
        found: dict[str, list[str]] = {}
        if self._zip is not None or self._names is not None:
            for name in self.names:
                folder, slash, rest = name.partition("/")
                if slash and "/" not in rest:
                    found.setdefault(folder, []).append(name)
            return found
        with os.scandir(self.path) as top:
            for entry in top:
                if not entry.is_dir() or entry.is_symlink():  # as os.walk goes into them
                    continue
                try:
                    with os.scandir(entry.path) as inside:
                        found[entry.name] = [
                            f"{entry.name}/{item.name}" for item in inside if not item.is_dir()
                        ]
                except OSError:  # os.walk leaves out what it cannot list
                    continue
        return found

    def exists(self, name: str) -> bool:
        """True when the file ``name`` is in the export."""
        if self._zip is None and self._names is None:  # a folder not listed yet: ask it
            return os.path.isfile(os.path.join(self.path, name))
        if self._set is None:
            self._set = set(self.names)
        return name in self._set

    def where(self, name: str) -> str:
        """How to name ``name`` in an error message."""
        if self._zip is not None:
            return f"{self.path} (member {self._prefix}{name})"
        return str(self.path / name)

    def size(self, name: str) -> int:
        """The size of ``name`` in bytes (unpacked, as a zip declares it)."""
        try:
            if self._zip is None:
                return os.path.getsize(os.path.join(self.path, name))
            return int(self._zip.getinfo(self._prefix + name).file_size)
        except (OSError, KeyError) as exc:
            raise ImportFormatError(f"{self.where(name)}: cannot be read ({exc}).") from exc

    def read_bytes(self, name: str) -> bytes:
        """The content of ``name``, bounded by the zip limits."""
        if self._zip is None:
            try:
                return self._read_file(name)
            except OSError as exc:
                raise ImportFormatError(f"{self.where(name)}: cannot be read ({exc}).") from exc
        try:
            info = self._zip.getinfo(self._prefix + name)
            with self._zip.open(info) as handle:
                data = handle.read(min(info.file_size, MAX_ENTRY_BYTES) + 1)
        except _ZIP_ERRORS as exc:
            raise ImportFormatError(f"{self.where(name)}: cannot be read ({exc}).") from exc
        if len(data) > info.file_size:
            raise ImportFormatError(
                f"{self.where(name)}: unpacks to more bytes than the archive declares; refusing it."
            )
        return data

    def holds_at_least(self, size: int, pattern: re.Pattern[str]) -> bool:
        """True when the files whose names match ``pattern`` hold ``size`` bytes or more (a
        folder's files are counted as they are found, and only until then)."""
        held = 0
        names = _walk(self.path) if self._zip is None and self._names is None else self.names
        for name in names:
            if pattern.match(name):
                held += self.size(name)
                if held >= size:
                    return True
        return False

    def iter_names(self, suffix: str = "") -> Iterator[str]:
        """The names ending with ``suffix``."""
        return (n for n in self.names if n.endswith(suffix))
