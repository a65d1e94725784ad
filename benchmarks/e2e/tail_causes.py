#!/usr/bin/env python3
"""What the slowest requests of a run had in common, from the files run.sh keeps in raw/.

  tail_causes.py RAW_DIR [--candidate sluice] [--slow-share 1] [--slower-share 0.1]

For every measurement of a Sluice candidate with an h2load per-request log (run.sh
--keep-request-logs: requests-<load>-<candidate>-<size>-r<round>.tsv), it takes the slowest 1% and
0.1% of the requests (at or above p99 and p99.9) and checks, for each, what else happened while it
was in flight, in this order (each request counts once, under the first that applies):

  safepoint     a JVM stop-the-world pause (GC or other) overlapped it (--pause-log:
                <candidate>-safepoints.log; its clock has millisecond steps, so a pause is widened
                by 1 ms on each side)
  jit           a JIT compiler thread ran for at least 1 ms in a 10 ms sample that overlapped it
                (--thread-cpu: threads-<load>-<candidate>-<size>-r<round>.txt)
  other thread  another thread of the JVM that is not an event loop (GC workers outside a pause,
                the notification thread, samplers, ...) ran for at least 0.5 ms in such a sample
  start         it started in the first 200 ms of the measurement, while the load generator opened
                its connections
  none          none of these: the event loop's own work, or the load generator's and the
                upstream's share of the machine

The same shares over all requests of the measurement are the chance level: a cause that overlaps
2% of all requests and 60% of the slowest is what makes the tail. Standard library only.
"""

import argparse
import bisect
import math
import re
import sys
from pathlib import Path

REQUESTS = re.compile(r"requests-(?P<load>[a-z0-9-]+?)-(?P<cand>sluice[a-z-]*)-(?P<size>small|16k)-r(?P<round>\d+)\.tsv")
SAFEPOINT = re.compile(r"\[(\d+)ms\] Safepoint \"(\w+)\".*Total: (\d+) ns")
CAUSES = ("safepoint", "jit", "other thread", "start", "none")
START_US = 200_000


class Intervals:
    """Merged [start, end) intervals in microseconds, for overlap tests."""

    def __init__(self, spans):
        merged = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [s for s, _ in merged]
        self.spans = merged

    def overlaps(self, start, end) -> bool:
        i = bisect.bisect_left(self.starts, end)  # spans starting before this request ends
        return i > 0 and self.spans[i - 1][1] > start


def safepoints(path: Path) -> Intervals:
    spans = []
    if path.exists():
        for line in path.read_text().splitlines():
            match = SAFEPOINT.match(line)
            if match:
                end_us, total_us = int(match[1]) * 1000, int(match[3]) / 1000
                spans.append((end_us - total_us - 1000, end_us + 1000))
    return Intervals(spans)


def busy_threads(path: Path):
    """(jit, other): intervals in which compiler threads ran >= 1 ms, other non-event-loop threads >= 0.5 ms."""
    jit, other, last = [], [], {}
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        t_ms, tid, name, run, _ = line.split()
        t_us, run = int(t_ms) * 1000, int(run)
        previous = last.get(tid)
        last[tid] = (t_us, run)
        if previous is None or name.startswith("sluice-io"):
            continue
        ran_ms = (run - previous[1]) / 1e6
        if name.startswith(("C1_Compiler", "C2_Compiler")):
            if ran_ms >= 1:
                jit.append((previous[0], t_us))
        elif ran_ms >= 0.5:
            other.append((previous[0], t_us))
    return Intervals(jit), Intervals(other)


def classify(requests, first_start, pauses, jit, other):
    counts = dict.fromkeys(CAUSES, 0)
    for start, duration in requests:
        end = start + duration
        if pauses.overlaps(start, end):
            counts["safepoint"] += 1
        elif jit is not None and jit.overlaps(start, end):
            counts["jit"] += 1
        elif other is not None and other.overlaps(start, end):
            counts["other thread"] += 1
        elif start - first_start < START_US:
            counts["start"] += 1
        else:
            counts["none"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("raw", type=Path, help="the raw/ folder of a run")
    parser.add_argument("--candidate", help="only this candidate (e.g. sluice)")
    parser.add_argument("--slow-share", type=float, default=1.0, help="the slowest share, in per cent [1]")
    parser.add_argument("--slower-share", type=float, default=0.1, help="and a smaller one [0.1]")
    args = parser.parse_args()
    files = sorted(p for p in args.raw.glob("requests-*.tsv") if REQUESTS.fullmatch(p.name))
    if args.candidate:
        files = [p for p in files if REQUESTS.fullmatch(p.name)["cand"] == args.candidate]
    if not files:
        sys.exit(f"tail_causes.py: no requests-*.tsv of a Sluice candidate in {args.raw} (run.sh --keep-request-logs)")
    print("| measurement | p99 ms | p99.9 ms | requests | " + " | ".join(CAUSES) + " |")
    print("|---|--:|--:|---|" + "--:|" * len(CAUSES))
    for path in files:
        m = REQUESTS.fullmatch(path.name)
        rows = sorted((int(f[0]), int(f[2])) for f in (line.split("\t") for line in path.read_text().splitlines()) if len(f) >= 3)
        if not rows:
            continue
        pauses = safepoints(args.raw / f"{m['cand']}-safepoints.log")
        threads = busy_threads(args.raw / f"threads-{m['load']}-{m['cand']}-{m['size']}-r{m['round']}.txt")
        jit, other = threads if threads else (None, None)
        by_time = sorted(rows, key=lambda r: r[1])
        n = len(by_time)
        name = f"{m['load']} {m['cand']} {m['size']} r{m['round']}"
        # nearest rank, as report.py computes them
        p99, p999 = (f"{by_time[max(0, math.ceil(pct / 100 * n) - 1)][1] / 1000:.2f}" for pct in (99, 99.9))
        for label, share in (("all", 100.0), (f"slowest {args.slow_share:g}%", args.slow_share),
                             (f"slowest {args.slower_share:g}%", args.slower_share)):
            chosen = by_time[n - max(1, round(n * share / 100)):]
            counts = classify(chosen, rows[0][0], pauses, jit, other)
            cells = " | ".join(f"{100 * counts[c] / len(chosen):.1f}%" if c not in ("jit", "other thread") or threads
                               else "–" for c in CAUSES)
            print(f"| {name} | {p99} | {p999} | {label} ({len(chosen)}) | {cells} |")
            name = p99 = p999 = ""  # once per measurement
        if not pauses.spans:
            print(f"|  |  |  | (no safepoint log for {m['cand']}: run.sh --pause-log) |" + " |" * len(CAUSES))


if __name__ == "__main__":
    main()
