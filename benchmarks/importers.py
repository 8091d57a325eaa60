"""Measure each importer: MB/s, messages/s and peak memory (not part of the test suite).

Every measurement runs in a fresh subprocess; its time is taken inside the child around the
import call alone (interpreter start-up excluded), its peak memory is the child's
``ru_maxrss`` as ``os.wait4`` reports it. Two modes per copkit case:

- ``import``: ``copkit.community.import_paths`` into a new DuckDB store (what a user gets);
- ``read``: the reader alone into a counting sink (where the parsing limit is).

GrimoireLab Perceval's mbox backend runs on the same mbox files, in the same run, from its
own virtual environment (``benchmarks/.venv-perceval``; create it with
``python -m venv benchmarks/.venv-perceval && benchmarks/.venv-perceval/bin/pip install
perceval``). Perceval is never a dependency of copkit.

Usage::

    python benchmarks/generate.py               # the scaled inputs, once
    python benchmarks/importers.py --runs 3     # prints a Markdown table, writes results/
    python benchmarks/importers.py --only se-shared,mbox-shared --runs 1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATASETS = Path(os.environ.get("COPKIT_DATASETS") or ROOT / ".." / "shared" / "datasets")
DATA = HERE / "data"
PERCEVAL = HERE / ".venv-perceval" / "bin" / "python"
SE_FILES = ("Posts.xml", "Users.xml", "Comments.xml", "Votes.xml", "Tags.xml")


@dataclass(frozen=True)
class Case:
    name: str
    tool: str  # copkit format name, or "perceval"
    path: Path

    def input_bytes(self) -> int:
        if self.tool == "stackexchange":
            return sum((self.path / n).stat().st_size for n in SE_FILES if (self.path / n).exists())
        if self.path.is_file():
            return self.path.stat().st_size
        pattern = "*.json" if self.tool in ("slack", "discourse") else "*"
        return sum(f.stat().st_size for f in self.path.rglob(pattern) if f.is_file())


def cases() -> list[Case]:
    return [
        Case("mbox-shared", "mbox", DATASETS / "mbox-usrp-users-2020H2" / "mbox"),
        Case("mbox-1GB", "mbox", DATA / "mbox"),
        Case("se-shared", "stackexchange", DATASETS / "se-bicycles-meta"),
        Case("se-1GB", "stackexchange", DATA / "se" / "scaled.stackexchange.com"),
        Case("slack-shared", "slack", DATASETS / "slack-r-contributors" / "slack"),
        Case("slack-scaled", "slack", DATA / "slack"),
        Case("discourse-shared", "discourse", DATASETS / "discourse-askci-2019"),
    ]


# --- children --------------------------------------------------------------------------------

_COPKIT_CHILD = """
import json, resource, sys, tempfile, time
def cpu_time():
    # this process and its worker processes (waited for when the import returns)
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
from pathlib import Path
sys.path.insert(0, {src!r})
mode, fmt, path = sys.argv[1:4]
if mode == "import":
    from copkit.community import import_paths, open_store
    with tempfile.TemporaryDirectory() as tmp:
        with open_store(Path(tmp) / "bench.duckdb") as store:
            start, cpu = time.perf_counter(), cpu_time()
            summary = import_paths(store, [path], format=fmt)
            seconds, cpu = time.perf_counter() - start, cpu_time() - cpu
    messages = summary.read_activities
else:
    from copkit.community.sources import load_reader
    class Counter:
        n = 0
        keep_text = False  # as an import without --keep-text: readers may skip decoding text
        def member(self, **kw): pass
        def space(self, **kw): pass
        def activity(self, **kw): self.n += 1
        def interaction(self, **kw): pass
        def skipped(self, reason, count=1): pass
    sink = Counter()
    reader = load_reader(fmt)
    start, cpu = time.perf_counter(), cpu_time()
    reader.read(Path(path), sink)
    seconds, cpu = time.perf_counter() - start, cpu_time() - cpu
    messages = sink.n
print(json.dumps({{"seconds": seconds, "cpu": cpu, "messages": messages}}))
"""

_PERCEVAL_CHILD = """
import json, sys, time, logging
logging.disable(logging.CRITICAL)
from perceval.backends.core.mbox import MBox
start, cpu = time.perf_counter(), time.process_time()
n = sum(1 for _ in MBox(uri="benchmark", dirpath=sys.argv[1]).fetch())
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"seconds": seconds, "cpu": cpu, "messages": n}))
"""


def _tree_rss(pid: int) -> int:
    """Resident bytes of process ``pid`` and all its descendants, now (Linux /proc)."""
    total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status", "rb") as status:
                for line in status:
                    if line.startswith(b"VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            with open(f"/proc/{current}/task/{current}/children", "rb") as children:
                todo.extend(int(c) for c in children.read().split())
        except (OSError, ValueError):
            continue
    return total


def run_child(argv: list[str]) -> tuple[float, float, int, int]:
    """(seconds, CPU seconds, messages, peak RSS in bytes) of one child process.

    The peak is the larger of the child's own ``ru_maxrss`` and the sum of the resident
    sizes of the child and its worker processes, sampled every 20 ms: the memory the whole
    import holds at once, not only its biggest process.
    """
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
    assert proc.stdout is not None and proc.stderr is not None
    tree_peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal tree_peak
        while not stop.wait(0.02):
            tree_peak = max(tree_peak, _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    err_chunks: list[bytes] = []
    err_reader = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()))  # type: ignore[union-attr]
    err_reader.start()
    out = proc.stdout.read()
    err_reader.join()
    err = b"".join(err_chunks)
    _pid, status, usage = os.wait4(proc.pid, 0)
    stop.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:2])}... failed: {err.decode()[-2000:]}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    return (
        float(result["seconds"]),
        float(result["cpu"]),
        int(result["messages"]),
        max(int(usage.ru_maxrss) * 1024, tree_peak),
    )


def measure(case: Case, mode: str, runs: int) -> dict[str, object] | None:
    if not case.path.exists():
        print(f"  skip {case.name}: {case.path} is absent", file=sys.stderr)
        return None
    if case.tool == "perceval":
        if not PERCEVAL.exists():
            print(f"  skip {case.name}: no {PERCEVAL}", file=sys.stderr)
            return None
        argv = [str(PERCEVAL), "-c", _PERCEVAL_CHILD, str(case.path)]
    else:
        code = _COPKIT_CHILD.format(src=str(ROOT / "src"))
        argv = [sys.executable, "-c", code, mode, case.tool, str(case.path)]
    samples = []
    for index in range(runs):
        seconds, cpu, messages, peak = run_child(argv)
        samples.append((seconds, cpu, messages, peak))
        print(
            f"  {case.name} {mode} run {index + 1}: {seconds:.2f} s ({cpu:.2f} s CPU), "
            f"{messages} messages, "
            f"{peak / 2**20:.0f} MiB, load {os.getloadavg()[0]:.1f}",
            file=sys.stderr,
        )
    size = case.input_bytes()
    median = statistics.median(s for s, _, _, _ in samples)
    median_cpu = statistics.median(c for _, c, _, _ in samples)
    messages = samples[0][2]
    return {
        "case": case.name,
        "tool": case.tool,
        "mode": mode,
        "input_MB": round(size / 1e6, 1),
        "messages": messages,
        "median_s": round(median, 2),
        "MB_per_s": round(size / 1e6 / median, 1),
        "messages_per_s": round(messages / median),
        "median_cpu_s": round(median_cpu, 2),
        "MB_per_cpu_s": round(size / 1e6 / median_cpu, 1),
        "messages_per_cpu_s": round(messages / median_cpu),
        "peak_MiB": round(max(p for _, _, _, p in samples) / 2**20),
        "runs": runs,
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--modes", default="import,read")
    parser.add_argument("--perceval-runs", type=int, default=0, help="0: as --runs; -1: skip")
    args = parser.parse_args(argv)
    wanted = {n for n in args.only.split(",") if n}
    results = []
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for case in cases():
        if wanted and case.name not in wanted:
            continue
        for mode in args.modes.split(","):
            result = measure(case, mode, args.runs)
            if result:
                results.append(result)
        if case.tool == "mbox" and args.perceval_runs >= 0:
            perceval = Case(case.name, "perceval", case.path)
            result = measure(perceval, "perceval", args.perceval_runs or args.runs)
            if result:
                results.append(result)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"importers-{started}.json").write_text(json.dumps(results, indent=2))
    print(f"\nstarted {started}, {os.cpu_count()} CPUs, load now {os.getloadavg()}\n")
    print(
        "| case | tool | mode | input MB | messages | median s | MB/s | messages/s "
        "| median CPU s | MB/CPU s | messages/CPU s | peak MiB |"
    )
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['case']} | {r['tool']} | {r['mode']} | {r['input_MB']} | {r['messages']} | "
            f"{r['median_s']} | {r['MB_per_s']} | {r['messages_per_s']} | {r['median_cpu_s']} | "
            f"{r['MB_per_cpu_s']} | {r['messages_per_cpu_s']} | {r['peak_MiB']} |"
        )
    by = {(r["case"], r["tool"], r["mode"]): r for r in results}
    for name in ("mbox-shared", "mbox-1GB"):
        ours = by.get((name, "mbox", "import"))
        theirs = by.get((name, "perceval", "perceval"))
        if ours and theirs:
            ratio = float(ours["messages_per_s"]) / float(theirs["messages_per_s"])  # type: ignore[arg-type]
            cpu_ratio = float(ours["messages_per_cpu_s"]) / float(theirs["messages_per_cpu_s"])  # type: ignore[arg-type]
            print(
                f"\n{name}: copkit import / Perceval messages/s = {ratio:.1f}x "
                f"(per CPU second: {cpu_ratio:.1f}x)"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
