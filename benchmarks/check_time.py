"""`python -m benchmarks.check_time MODEL`: seconds one `corrig check MODEL` takes in a process whose imports
are warm, wall-clock and the process's CPU time (printed on standard output, the report itself thrown away;
the CPU time is what other processes on a shared machine disturb least).

The process first checks models/human_control.py, so every lazily imported module (opt_einsum, rich,
...) is loaded, then empties sympy's cache and times the one check: nothing MODEL's check could reuse
from an earlier check of MODEL is left, unlike repeating the check in one process.
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    from sympy.core.cache import clear_cache

    from corrig.faces.cli import main as corrig_main

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        corrig_main(["check", str(ROOT / "models" / "human_control.py")])
        clear_cache()
        start, cpu = time.perf_counter(), time.process_time()
        corrig_main(["check", sys.argv[1]])
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(seconds, cpu)


if __name__ == "__main__":
    main()
