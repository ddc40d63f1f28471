"""Peak memory of a sweep (issue 10): the parent process and the largest worker, for a sweep of
N runs of the default scenario on 2 local workers.

    python benchmarks/sweep_memory.py 2000 20000

Mesa 3.3 kept every model a worker built alive (``Agent._ids``); lspsim.mesa_bridge.release
frees it, so a worker's peak should not grow with the sweep's size.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from lspsim.sweep import experiment_from_dict, run_sweep


def main(sizes: list[int]) -> None:
    import mesa

    print(f"python {sys.version.split()[0]}, mesa {mesa.__version__}, 2 workers")
    for n in sizes:
        exp = experiment_from_dict({
            "name": f"memory{n}", "description": "memory", "seed": 1, "replications": n // 10,
            "metrics": ["target_achievement"], "design": {"kind": "grid"},
            "parameters": {"trust.gain": {"range": [0.01, 0.1], "steps": 10}}})
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            run_sweep(exp, Path(tmp) / "sweep", workers=2)
            secs = time.perf_counter() - t
        parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{n:>7,} runs: {secs:6.0f} s; peak RSS parent {parent:.0f} MiB, "
              f"largest worker {child:.0f} MiB (so far in this process)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [2000, 20000])
