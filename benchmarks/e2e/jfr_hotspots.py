#!/usr/bin/env python3
"""Top methods of a JFR recording's execution samples, for the hot-spot notes in docs/benchmarks.md.

  jfr_hotspots.py RECORDING.jfr [--thread sluice-io] [--top 25] [--match io.sluice]

Prints, over the jdk.ExecutionSample events of the threads whose name starts with --thread:
  self       the frame on top of the stack (where the CPU was)
  inclusive  every method on the stack, counted once per sample (what it and its callees cost),
             only for methods whose class contains --match
and the allocation samples (jdk.ObjectAllocationSample, weighted by bytes) by allocating method.
With --groups, also the self time grouped by what the code is (HPACK, channel pipelines, buffers...,
see GROUPS): the table under "Where an HTTP/2 request's time goes" in docs/benchmarks.md.
Needs `jfr` from the JDK: JAVA_HOME/bin/jfr or on PATH. Standard library only.
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys


def jfr_tool() -> str:
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "jfr")):
        return os.path.join(home, "bin", "jfr")
    found = shutil.which("jfr")
    if not found:
        sys.exit("jfr_hotspots.py: no jfr tool; set JAVA_HOME to a JDK")
    return found


def events(recording: str, name: str, depth: int) -> list:
    out = subprocess.run([jfr_tool(), "print", "--json", "--stack-depth", str(depth), "--events", name, recording],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def frame_name(frame: dict) -> str:
    method = frame["method"]
    return method["type"]["name"].replace("/", ".") + "." + method["name"]


# (label, pattern on the top frame's class and method); the first match wins, in this order
GROUPS = [
    ("HPACK (header compression)", r"Hpack"),
    ("HTTP/2 streams, frames, flow control", r"codec\.http2"),
    ("channel pipelines and handler contexts", r"AbstractChannelHandlerContext|DefaultChannelPipeline|ChannelHandlerMask|ChannelInitializer"),
    ("promises and listeners", r"Promise"),
    ("buffers, reference counts, allocator", r"buffer\.|RefCnt|ReferenceCount|Recycler|ResourceLeak"),
    ("header maps (Netty)", r"DefaultHeaders|AsciiString|HttpHeaders|HeaderValidation|HttpUtil"),
    ("HTTP/1.1 codec", r"codec\.http\.Http(Object|Response|Request)|HttpObjectDecoder|HttpObjectEncoder|HttpHeadersEncoder"),
    ("io_uring transport and event loop", r"channel\.uring|SingleThreadEventExecutor|SingleThreadIoEventLoop|jctools|IoUring"),
    ("Sluice", r"io\.sluice"),
    ("JDK", r"^java\.|^jdk\.|^sun\."),
]


def thread_name(event: dict) -> str:
    thread = event["values"].get("sampledThread") or event["values"].get("eventThread") or {}
    return thread.get("javaName") or thread.get("osName") or ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("recording")
    parser.add_argument("--thread", default="sluice-io", help="thread name prefix [sluice-io]")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default="io.sluice", help="classes shown in the inclusive list [io.sluice]")
    parser.add_argument("--groups", action="store_true", help="also the self time grouped by what the code is")
    args = parser.parse_args()

    samples = [e for e in events(args.recording, "jdk.ExecutionSample", 64)
               if thread_name(e).startswith(args.thread)]
    total = len(samples)
    if not total:
        sys.exit(f"no execution samples of threads named {args.thread}*")
    self_time, inclusive = collections.Counter(), collections.Counter()
    for event in samples:
        frames = event["values"]["stackTrace"]["frames"]
        if not frames:
            continue
        self_time[frame_name(frames[0])] += 1
        for name in {frame_name(f) for f in frames}:
            inclusive[name] += 1
    print(f"{total} execution samples on {args.thread}* threads")
    print("\nself (top of stack):")
    for name, count in self_time.most_common(args.top):
        print(f"  {100 * count / total:5.1f}%  {name}")
    if args.groups:
        groups = collections.Counter()
        for name, count in self_time.items():
            label = next((label for label, pattern in GROUPS if re.search(pattern, name)), "other")
            groups[label] += count
        print("\nself, grouped:")
        for label, count in groups.most_common():
            print(f"  {100 * count / total:5.1f}%  {label}")
    print(f"\ninclusive ({args.match}*):")
    shown = [(n, c) for n, c in inclusive.most_common() if args.match in n][:args.top]
    for name, count in shown:
        print(f"  {100 * count / total:5.1f}%  {name}")

    allocations = collections.Counter()
    for event in events(args.recording, "jdk.ObjectAllocationSample", 8):
        if not thread_name(event).startswith(args.thread):
            continue
        frames = event["values"]["stackTrace"]["frames"] if event["values"].get("stackTrace") else []
        site = next((frame_name(f) for f in frames if args.match in frame_name(f)), frame_name(frames[0]) if frames else "?")
        cls = event["values"]["objectClass"]["name"].replace("/", ".")
        allocations[(site, cls)] += event["values"]["weight"]
    weight = sum(allocations.values())
    if weight:
        print("\nallocation (sampled, by bytes; first frame in the matched classes):")
        for (site, cls), w in allocations.most_common(args.top):
            print(f"  {100 * w / weight:5.1f}%  {cls:45s} {site}")


if __name__ == "__main__":
    main()
