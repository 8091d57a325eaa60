"""Scale the shared datasets up for the import benchmarks (not part of the test suite).

Writes into ``benchmarks/data/`` (gitignored):

- ``mbox/``: the USRP-users archive (6 monthly mbox files) replicated until the folder holds
  ``--mbox-gb`` GB; each replica is one ``replica-NNN.mbox`` whose Message-ID, In-Reply-To
  and References ids get a fresh ``rNNN.`` prefix, so every replica is a new set of
  messages with the same thread structure.
- ``se/scaled.stackexchange.com/``: the three Stack Exchange dumps (Posts, Users, Comments,
  Votes; Tags merged once) replicated until the four files hold ``--se-gb`` GB; each
  (replica, site) pair gets fresh ids: a positive id ``n`` becomes ``<p><n as 7 digits>``
  for the pair's prefix ``p``, consistently in every id attribute; the Community user (-1)
  is written once.
- ``slack/``: the R Contributors Slack export with its channel folders copied under fresh
  names (``<channel>-rNNN``) until it holds ``--slack-gb`` GB.

Usage::

    python benchmarks/generate.py                     # 1 GB mbox, 1 GB SE, 0.5 GB Slack
    python benchmarks/generate.py --mbox-gb 0.1 --se-gb 0.1 --slack-gb 0.05
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATASETS = Path(os.environ.get("COPKIT_DATASETS") or HERE.parent / ".." / "shared" / "datasets")
GB = 10**9

_MSGID = re.compile(rb"<([^<>@\s]+@[^<>\s]+)>")
_ID_HEADER = re.compile(rb"^(message-id|in-reply-to|references):", re.IGNORECASE)
_SE_ID = re.compile(
    rb' (Id|ParentId|AcceptedAnswerId|OwnerUserId|LastEditorUserId|PostId|UserId)="(\d+)"'
)
MARK = b"\x00"


def _messages(data: bytes) -> list[bytes]:
    starts = [0] + [m.start() + 1 for m in re.finditer(rb"\nFrom ", data)]
    return [data[a:b] for a, b in zip(starts, [*starts[1:], len(data)], strict=True)]


def _mbox_template(sources: list[Path]) -> bytes:
    """The archive with every message id in the id headers prefixed by a marker."""
    out: list[bytes] = []
    for source in sources:
        for message in _messages(source.read_bytes()):
            head, sep, body = message.partition(b"\n\n")
            lines = head.split(b"\n")
            in_ids = False
            for i, line in enumerate(lines):
                if line[:1] in (b" ", b"\t"):
                    pass  # a folded continuation of the previous header
                else:
                    in_ids = _ID_HEADER.match(line) is not None
                if in_ids:
                    lines[i] = _MSGID.sub(rb"<" + MARK + rb"\1>", line)
            out.append(b"\n".join(lines) + sep + body)
    return b"".join(out)


def generate_mbox(target: int, out: Path) -> None:
    sources = sorted((DATASETS / "mbox-usrp-users-2020H2" / "mbox").glob("*.mbox"))
    template = _mbox_template(sources)
    out.mkdir(parents=True, exist_ok=True)
    written, replica = 0, 0
    while written < target:
        data = template.replace(MARK, f"r{replica:03d}.".encode())
        (out / f"replica-{replica:03d}.mbox").write_bytes(data)
        written += len(data)
        replica += 1
    print(f"mbox: {replica} replicas, {written / 1e6:.0f} MB in {out}")


def _se_template(path: Path) -> tuple[bytes, list[bytes], bytes]:
    """(header, row templates, footer) of one dump file with positive ids marked."""
    text = path.read_bytes()
    lines = text.split(b"\n")
    rows = [line for line in lines if line.lstrip().startswith(b"<row ")]
    first = lines.index(rows[0])
    head = b"\n".join(lines[:first]) + b"\n"
    foot = b"\n".join(lines[first + len(rows) :])

    def mark(match: re.Match[bytes]) -> bytes:
        return b" " + match.group(1) + b'="' + MARK + match.group(2).rjust(7, b"0") + b'"'

    templates = []
    for row in rows:
        if max((int(m.group(2)) for m in _SE_ID.finditer(row)), default=0) >= 10**7:
            raise SystemExit(f"{path}: an id has more than 7 digits; cannot replicate")
        templates.append(_SE_ID.sub(mark, row))
    return head.lstrip(b"\xef\xbb\xbf"), templates, foot


def generate_se(target: int, out: Path) -> None:
    sites = [DATASETS / s for s in ("se-ai-2017", "se-bicycles-meta", "se-beer-meta")]
    names = ("Posts.xml", "Users.xml", "Comments.xml", "Votes.xml")
    templates = {name: [_se_template(site / name) for site in sites] for name in names}
    out.mkdir(parents=True, exist_ok=True)
    handles = {name: (out / name).open("wb") for name in names}
    for name in names:
        handles[name].write(templates[name][0][0])
    written, prefix = 0, 0
    while written < target:
        for index in range(len(sites)):
            prefix += 1
            stamp = str(prefix).encode()
            for name in names:
                rows = templates[name][index][1]
                if name == "Users.xml" and prefix > 1:
                    rows = [r for r in rows if b' Id="-1"' not in r]
                data = b"\n".join(rows).replace(MARK, stamp) + b"\n"
                handles[name].write(data)
                written += len(data)
    for name in names:
        handles[name].write(templates[name][0][2])
        handles[name].close()
    tags: dict[bytes, bytes] = {}
    for site in sites:
        for row in (site / "Tags.xml").read_bytes().split(b"\n"):
            found = re.search(rb'TagName="([^"]*)"', row)
            if found:
                tags.setdefault(found.group(1), row)
    body = b"\n".join(tags.values())
    (out / "Tags.xml").write_bytes(
        b'<?xml version="1.0" encoding="utf-8"?>\n<tags>\n' + body + b"\n</tags>\n"
    )
    print(f"se: {prefix} site copies, {written / 1e6:.0f} MB in {out}")


def generate_slack(target: int, out: Path) -> None:
    source = DATASETS / "slack-r-contributors" / "slack"
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(source, out)
    folders = [d for d in sorted(source.iterdir()) if d.is_dir()]
    sizes = {d: sum(f.stat().st_size for f in d.rglob("*") if f.is_file()) for d in folders}
    written = sum(sizes.values())
    channels = json.loads((source / "channels.json").read_text(encoding="utf-8"))
    by_name = {c["name"]: c for c in channels}
    replica = 0
    while written < target:
        replica += 1
        for folder in folders:
            name = f"{folder.name}-r{replica:03d}"
            shutil.copytree(folder, out / name)
            written += sizes[folder]
            if folder.name in by_name:
                clone = dict(by_name[folder.name], name=name)
                clone["id"] = f"{by_name[folder.name]['id']}R{replica:03d}"
                channels.append(clone)
    (out / "channels.json").write_text(json.dumps(channels), encoding="utf-8")
    print(f"slack: {replica} replicas, {written / 1e6:.0f} MB in {out}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mbox-gb", type=float, default=1.0)
    parser.add_argument("--se-gb", type=float, default=1.0)
    parser.add_argument("--slack-gb", type=float, default=0.5)
    parser.add_argument("--out", type=Path, default=HERE / "data")
    args = parser.parse_args(argv)
    if not DATASETS.is_dir():
        raise SystemExit(f"the shared datasets are not at {DATASETS}")
    if args.mbox_gb > 0:
        generate_mbox(int(args.mbox_gb * GB), args.out / "mbox")
    if args.se_gb > 0:
        generate_se(int(args.se_gb * GB), args.out / "se" / "scaled.stackexchange.com")
    if args.slack_gb > 0:
        generate_slack(int(args.slack_gb * GB), args.out / "slack")


if __name__ == "__main__":
    main(sys.argv[1:])
