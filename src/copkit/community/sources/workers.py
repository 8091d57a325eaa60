"""Worker processes for readers whose parsing can be cut into independent pieces.

:func:`ordered_map` runs a module-level function over a sequence of argument tuples in a few
worker processes and yields the results *in the order of the tasks*, with only a few tasks in
flight (memory stays bounded). A reader keeps every order-dependent decision in its own
process and gives the workers only pure parsing, so the sink gets exactly the calls a single
process would make.

The workers are fresh interpreters (``python -c``), not forks: the importing process holds a
DuckDB connection and its threads, and a fresh interpreter does not re-run the caller's
``__main__`` either (as multiprocessing's spawn would). They talk pickle over their standard
input and output; an exception raised in a worker is raised again in the caller.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Final, TypeVar, cast

__all__ = [
    "MAX_TASK_BYTES",
    "PARALLEL_MIN_BYTES",
    "equal_part",
    "Workers",
    "ordered_map",
    "read_range",
    "serve",
    "streamed",
    "worker_count",
]

T = TypeVar("T")

_IN_FLIGHT: Final = 3
"""Most tasks queued for one worker: one being worked on, two waiting (their pickles fit
in the worker's input pipe: see :data:`MAX_TASK_BYTES`)."""

_OUTSTANDING: Final = 4
"""Most tasks per worker sent and not yet yielded (results read ahead are held)."""

MAX_TASK_BYTES: Final = 16 * 1024
"""Largest pickled task: the tasks queued for a worker must fit in its input pipe (64 KiB)."""


def worker_count() -> int:
    """Processes worth starting: the CPUs this process may use, at most 2."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(2, cpus or 1))


PARALLEL_MIN_BYTES: Final = 64 * 2**20
"""Exports at least this big are parsed by worker processes (each reader that has workers
names this as its own ``PARALLEL_MIN_BYTES``, which tests may change for that reader)."""


def equal_part(total: int, most: int) -> int:
    """The size of the fewest equal parts of ``total`` bytes that are at most ``most``: the
    two workers then get pieces of one size, not 32 MB and a 6 MB remainder."""
    return -(-total // max(1, -(-total // most)))


def read_range(file: Path, start: int, stop: int, label: str) -> bytes:
    """Bytes ``start`` to ``stop`` of ``file`` (a worker's piece); errors name ``label``."""
    from copkit.community.errors import ImportFormatError

    try:
        with file.open("rb") as handle:
            handle.seek(start)
            return handle.read(stop - start)
    except OSError as exc:
        raise ImportFormatError(f"{label}: cannot be read ({exc.strerror}).") from exc


_MAIN: Final = (
    "import os, sys\n"
    "from copkit.community.sources.workers import serve\n"
    "serve(*sys.argv[1:])\n"
    # every result is written and flushed: tearing down the interpreter's objects (the
    # parsed rows of a whole run) would only keep the importing process waiting
    "os._exit(0)"
)


def _start(preload: str | None = None) -> subprocess.Popen[bytes]:
    """A worker process; it imports the module ``preload`` (a reader's) before it waits for
    its first task."""
    package_root = str(Path(__file__).resolve().parents[3])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", _MAIN, *([preload] if preload else [])],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        bufsize=0,  # results are read with os.read, after select: nothing may be read ahead
    )
    assert proc.stdout is not None
    with contextlib.suppress(ImportError, OSError, AttributeError):  # Linux: 1 MiB, not 64 KiB
        import fcntl

        fcntl.fcntl(proc.stdout.fileno(), fcntl.F_SETPIPE_SZ, 2**20)
    return proc


def _stop(procs: list[subprocess.Popen[bytes]], finished: bool) -> None:
    for proc in procs:
        assert proc.stdin is not None
        try:
            if finished:
                pickle.dump(None, proc.stdin)
            proc.stdin.close()
        except OSError:
            pass
        if not finished:
            proc.kill()  # it may be blocked writing a result nobody will read
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()


def _read(fd: int, size: int) -> bytes:
    parts = []
    while size:
        part = os.read(fd, min(size, 2**20))
        if not part:
            return b""
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _receive(proc: subprocess.Popen[bytes]) -> tuple[str, Any]:
    """A worker's next (status, value): a length-prefixed pickle. Its error is returned as
    ("error", exception), for the caller to raise in its turn."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    head = _read(fd, _HEADER.size)
    data = _read(fd, _HEADER.unpack(head)[0]) if head else b""
    if not data:
        raise RuntimeError(f"a worker process ended unexpectedly (exit status {proc.wait()})")
    return cast(tuple[str, Any], pickle.loads(data))  # noqa: S301 - our own worker


def _frame(value: object) -> bytes:
    data = pickle.dumps(value)
    return _HEADER.pack(len(data)) + data


_HEADER: Final = struct.Struct("<Q")


def ordered_map(
    function: Callable[..., T], tasks: Iterable[tuple[Any, ...]], workers: int
) -> Iterator[T]:
    """``function(*task)`` for each task, in order, computed by ``workers`` processes.

    With fewer than two workers the tasks run here, one after the other. ``function`` must
    be a module-level function (it is named, not pickled), its arguments and results
    picklable.
    """
    if workers < 2:
        for task in tasks:
            yield function(*task)
        return
    yield from _ordered(function, tasks, [_start() for _ in range(workers)])


class Workers:
    """Worker processes started before their tasks are known: they start up (a fresh
    interpreter importing the reader: a quarter of a second) while the caller reads what
    it needs to make the tasks. Use as a context manager; :meth:`map` once.
    """

    def __init__(self, count: int, preload: str | None = None) -> None:
        """``count`` processes, each importing the module ``preload`` while it starts."""
        procs: list[subprocess.Popen[bytes]] = []
        try:
            for _ in range(count):
                procs.append(_start(preload))
        except BaseException:
            _stop(procs, finished=False)
            raise
        self._procs: list[subprocess.Popen[bytes]] | None = procs

    def map(self, function: Callable[..., T], tasks: Iterable[tuple[Any, ...]]) -> Iterator[T]:
        """As :func:`ordered_map`, on these processes (which it stops when done)."""
        procs, self._procs = self._procs, None  # taken when the first result is asked for
        if procs is None:
            raise RuntimeError("these worker processes have been used or stopped")
        yield from _ordered(function, tasks, procs)

    def close(self) -> None:
        """Stop the processes if :meth:`map` has not taken them."""
        procs, self._procs = self._procs, None
        if procs:
            _stop(procs, finished=False)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _ordered(
    function: Callable[..., T],
    tasks: Iterable[tuple[Any, ...]],
    procs: list[subprocess.Popen[bytes]],
) -> Iterator[T]:
    """:func:`ordered_map`'s work on started processes, which it stops when done."""
    name = (function.__module__, function.__qualname__)
    workers = len(procs)
    finished = False
    try:
        queued = iter(tasks)
        held: dict[int, tuple[str, Any]] = {}  # results read ahead of their turn
        owned: dict[int, deque[int]] = {proc.pid: deque() for proc in procs}
        sent = done = 0

        def submit() -> bool:
            """The next task to the worker with the fewest tasks, while few are out."""
            nonlocal sent
            proc = min(procs, key=lambda p: len(owned[p.pid]))
            if sent - done >= _OUTSTANDING * workers or len(owned[proc.pid]) >= _IN_FLIGHT:
                return False
            task = next(queued, None)
            if task is None:
                return False
            message = pickle.dumps(("call", name, task))
            if len(message) > MAX_TASK_BYTES:
                # a worker busy writing its result reads no task: a big one would block
                # this process writing it while the worker waits for its result to be read
                raise ValueError(
                    f"a task for {function.__qualname__} pickles to {len(message)} bytes, over "
                    f"{MAX_TASK_BYTES}: pass names and offsets, not data"
                )
            assert proc.stdin is not None
            view = memoryview(message)
            while view:  # an unbuffered pipe may take a write in parts
                view = view[proc.stdin.write(view) or 0 :]
            owned[proc.pid].append(sent)
            sent += 1
            return True

        while submit():
            pass
        while done < sent:
            while done not in held:
                busy = {p.stdout.fileno(): p for p in procs if owned[p.pid] and p.stdout}
                for fd in select.select(list(busy), [], [])[0]:
                    proc = busy[fd]
                    held[owned[proc.pid].popleft()] = _receive(proc)
            status, value = held.pop(done)
            done += 1
            if status == "error":
                raise value
            while submit():
                pass
            yield cast(T, value)
        finished = True
    finally:
        _stop(procs, finished)


def streamed(function: Callable[..., object], task: tuple[Any, ...]) -> Iterator[Any]:
    """What ``function(*task, emit)`` emits, in order, computed by one worker process.

    The worker blocks when the pipe is full, so no more than a pipe's worth of batches is
    ahead of the caller. An exception in ``function`` is raised here, after the batches
    emitted before it.
    """
    name = (function.__module__, function.__qualname__)
    proc = _start()
    finished = False
    try:
        assert proc.stdin is not None and proc.stdout is not None
        pickle.dump(("stream", name, task), proc.stdin)
        proc.stdin.flush()
        while True:
            status, value = _receive(proc)
            if status == "error":
                raise value
            if status != "batch":
                break
            yield value
        finished = True
    finally:
        _stop([proc], finished)


class _Unused(importlib.abc.MetaPathFinder):
    """Makes ``import pandas`` and ``import numpy`` fail in a worker process: no worker task
    uses them, and pyarrow loads both when they are there (numpy when it is imported, pandas
    on its first conversion of Python values): 0.1 s and 0.6 s of every worker's start."""

    unused: Final = frozenset({"pandas", "numpy"})

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname.partition(".")[0] in self.unused:
            raise ModuleNotFoundError(f"{fullname} is not used in a worker process", name=fullname)


def serve(preload: str | None = None) -> None:
    """A worker's loop: read (kind, function, arguments), write ("ok", result) or
    ("error", exc); a "stream" task also writes ("batch", value) for each value it emits.
    The module ``preload`` is imported first (when that fails, the first task that needs
    it says why)."""
    sys.meta_path.insert(0, _Unused())
    if preload:
        with contextlib.suppress(Exception):
            importlib.import_module(preload)
    # Ctrl-C in a terminal reaches the whole process group: the importing process handles
    # it (and stops its workers); a worker printing its own traceback would only add noise
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out: IO[bytes] = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, not into the results
    source = sys.stdin.buffer
    while True:
        try:
            message = pickle.load(source)  # noqa: S301 - from the importing process
        except EOFError:
            return
        if message is None:
            return
        kind, (module, qualname), task = message

        def emit(value: object) -> None:
            out.write(_frame(("batch", value)))
            out.flush()

        try:
            function = getattr(importlib.import_module(module), qualname)
            if kind == "stream":
                reply: tuple[str, Any] = ("ok", function(*task, emit))
            else:
                reply = ("ok", function(*task))
        except Exception as exc:  # noqa: BLE001 - every error goes back to the caller
            reply = ("error", exc)
        try:
            data = _frame(reply)
        except Exception:  # noqa: BLE001 - an unpicklable error: send its text
            data = _frame(("error", RuntimeError(traceback.format_exc())))
        out.write(data)
        out.flush()
