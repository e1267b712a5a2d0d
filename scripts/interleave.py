#!/usr/bin/env python3
"""Wall time of commands run alternately, for A/B comparisons on a noisy machine.

    python3 scripts/interleave.py RUNS 'CMD A' 'CMD B' ...

hyperfine runs every run of one command before the next command, so a machine that slows
down for a minute (a shared host) moves one command's median and not the other's. Here
the commands take turns, run after run, and each gets its median, 25th percentile and
minimum. Each command is one string, split on spaces; output is discarded. Three warm-up
runs each come first. Times include Python starting the process (about 0.5 ms more than
hyperfine -N). docs/benchmarks.md uses it for old and new builds, each on its own copy of
a knowledge base (an index built by one version is rebuilt by another).
"""
import statistics
import subprocess
import sys
import time


def main() -> None:
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    commands = [c.split() for c in sys.argv[2:]]
    times: list[list[float]] = [[] for _ in commands]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    for command in commands:
        for _ in range(3):
            subprocess.run(command, **quiet)
    for _ in range(runs):
        for i, command in enumerate(commands):
            started = time.perf_counter()
            subprocess.run(command, **quiet)
            times[i].append((time.perf_counter() - started) * 1000)
    for command, t in zip(sys.argv[2:], times):
        t.sort()
        print(f"{command[-60:]:<60} median {statistics.median(t):.1f} ms, "
              f"p25 {t[len(t) // 4]:.1f}, min {t[0]:.1f}")


if __name__ == "__main__":
    main()
