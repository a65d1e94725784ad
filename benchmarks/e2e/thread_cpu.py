#!/usr/bin/env python3
"""Samples the CPU time of every thread of a process, for tail_causes.py.

  thread_cpu.py PID SECONDS OUTPUT [--interval-ms 10]

Every interval, for each thread of PID, writes one line "<wall clock ms> <tid> <name> <run ns>
<wait ns>": the time the thread has run on a CPU and the time it has waited, runnable, for one
(/proc/PID/task/TID/schedstat, both cumulative). Successive lines of a thread give what it did in
between: a JIT compiler thread that ran while the event loop waited is visible here, where no JVM
log shows it. Stops after SECONDS or when the process exits. Standard library only.
"""

import argparse
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pid", type=int)
    parser.add_argument("seconds", type=float)
    parser.add_argument("output")
    parser.add_argument("--interval-ms", type=float, default=10)
    args = parser.parse_args()
    tasks = f"/proc/{args.pid}/task"
    names = {}
    end = time.monotonic() + args.seconds
    with open(args.output, "w") as out:
        while time.monotonic() < end:
            now = int(time.time() * 1000)
            try:
                tids = os.listdir(tasks)
            except OSError:
                return  # the process is gone
            lines = []
            for tid in tids:
                try:
                    if tid not in names:
                        with open(f"{tasks}/{tid}/comm") as comm:
                            names[tid] = comm.read().strip().replace(" ", "_") or "?"
                    with open(f"{tasks}/{tid}/schedstat") as stat:
                        run, wait, _ = stat.read().split()
                except (OSError, ValueError):
                    continue  # the thread ended between listing and reading
                lines.append(f"{now} {tid} {names[tid]} {run} {wait}\n")
            out.writelines(lines)
            time.sleep(args.interval_ms / 1000)


if __name__ == "__main__":
    main()
