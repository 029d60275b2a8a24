"""Runs a module's Python process and records its peak memory (the benchmarks use it as the interpreter).

    python benchmarks/peak_rss.py ANSIBALLZ_FILE [ARGUMENT ...]

Starts the same Python on the module file, passes stdin, stdout and the exit status through, and appends the
child's peak resident set size in kilobytes to the file named by BENCHMARK_RSS_LOG.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys


def main() -> int:
    status = subprocess.call([sys.executable, *sys.argv[1:]])
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
    log = os.environ.get("BENCHMARK_RSS_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as file:
            file.write(f"{peak_kb}\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
