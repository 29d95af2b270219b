#!/usr/bin/python3
"""Simulation throughput: `winnow simulate higgs-like` to .npy, beside numpy.

    /usr/bin/python3 bench/sim/bench.py [--rows 1000000] [--reps 5] [--winnow build/winnow]

The reference is what "memory-write speed territory" means here: numpy
drawing the same number of float32 normals (29 columns) and np.save-ing
them -- the cheapest possible 'simulation' of that size, with no physics.
Also times the same winnow run to memory-only (--rows to /dev/null is not
possible for .npy, so the file goes to a tmpfs path when /dev/shm exists).
Medians of REPS runs, in one process, with ratios.
"""
import argparse, os, statistics, subprocess, sys, tempfile, time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import median_time  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--winnow", default=os.path.join(root, "build", "winnow"))
    a = ap.parse_args()
    d = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
    out = os.path.join(d, "wn_bench_sim.npy")

    def winnow(kind, threads):
        def run():
            subprocess.run([a.winnow, "simulate", kind, "--rows", str(a.rows), "--seed", "3",
                            "--threads", str(threads), "-o", out], check=True,
                           stdout=subprocess.DEVNULL)
        return run

    def numpy_ref():
        rng = np.random.default_rng(3)
        x = rng.standard_normal((a.rows, 29), dtype=np.float32)
        np.save(out, x)

    res = {}
    for k in ("higgs-like", "resonance"):
        for t in (1, 2):
            res["winnow %s, %d thread%s" % (k, t, "s" if t > 1 else "")] = median_time(winnow(k, t), a.reps)
    res["numpy normals + np.save"] = median_time(numpy_ref, a.reps)
    base = res["numpy normals + np.save"][0]
    print("rows: %d, output in %s\n" % (a.rows, d))
    print("%-34s %9s %12s %12s" % ("run", "median s", "rows/s", "vs numpy"))
    for k, (m, ts) in res.items():
        print("%-34s %9.3f %12.3g %11.2fx   runs: %s" % (k, m, a.rows / m, base / m,
              " ".join("%.3f" % t for t in ts)))
    os.remove(out)


if __name__ == "__main__":
    sys.exit(main())
