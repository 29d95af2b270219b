#!/usr/bin/python3
"""CSV ingest benchmark: `winnow info` against pandas.read_csv and numpy.loadtxt.

Run with Debian's interpreter (python3-pandas, python3-numpy):
    /usr/bin/python3 bench/csv/bench.py [--rows 1000000] [--reps 5] [--winnow build/winnow]

Generates a HIGGS-shaped CSV (28 float columns; HIGGS's own text format,
"%.18e") once into bench/csv/data/, then times each reader REPS times in the
same run and prints medians, MB/s and ratios. Also checks that the float32
values winnow stores are bit-identical to float32(strtod(text)).
"""
import argparse, os, statistics, subprocess, sys, time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import median_time  # noqa: E402
import pandas as pd

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))


def make_data(path, rows, winnow):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    npy = path + ".src.npy"
    r = subprocess.run([winnow, "simulate", "higgs-like", "--rows", str(rows), "--seed", "1",
                        "-o", npy], capture_output=True, text=True)
    if r.returncode == 0:
        a = np.load(npy)
        x = np.stack([a[n] for n in a.dtype.names if n not in ("label", "event", "weight")], 1)
        os.remove(npy)
    else:
        print("winnow simulate unavailable (%s); using random numbers" % r.stderr.strip())
        rng = np.random.default_rng(1)
        x = rng.standard_normal((rows, 28)).astype(np.float32)
    x = x[:, :28].astype(np.float64)
    np.savetxt(path, x, fmt="%.18e", delimiter=",")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--winnow", default=os.path.join(root, "build", "winnow"))
    ap.add_argument("--skip-loadtxt", action="store_true")
    a = ap.parse_args()
    path = os.path.join(here, "data", "higgs_%d.csv" % a.rows)
    if not os.path.exists(path):
        print("generating", path)
        make_data(path, a.rows, a.winnow)
    mb = os.path.getsize(path) / 1e6
    print("file: %s (%.1f MB, %d rows x 28)" % (path, mb, a.rows))

    def winnow(threads):
        def run():
            subprocess.run([a.winnow, "info", "--no-header", "--threads", str(threads), path],
                           check=True, stdout=subprocess.DEVNULL)
        return run

    res = {}
    res["winnow info, 1 thread"] = median_time(winnow(1), a.reps)
    res["winnow info, 2 threads"] = median_time(winnow(2), a.reps)
    res["pandas.read_csv"] = median_time(lambda: pd.read_csv(path, header=None, dtype=np.float32), a.reps)
    if not a.skip_loadtxt:
        res["numpy.loadtxt"] = median_time(lambda: np.loadtxt(path, delimiter=",", dtype=np.float32),
                                     max(1, a.reps // 2))
    base = res["pandas.read_csv"][0]
    print("\n%-26s %10s %10s %14s" % ("reader", "median s", "MB/s", "vs pandas"))
    for k, (med, ts) in res.items():
        print("%-26s %10.3f %10.1f %13.2fx   runs: %s" % (k, med, mb / med, base / med,
              " ".join("%.3f" % t for t in ts)))

    # exactness: winnow's float32 == float32(strtod(text)), bit for bit
    out = os.path.join(here, "data", "check.npy")
    subprocess.run([a.winnow, "convert", "--no-header", "--matrix", path, out], check=True,
                   stdout=subprocess.DEVNULL)
    w = np.load(out)
    ref = pd.read_csv(path, header=None, float_precision="round_trip").to_numpy(np.float64)
    ref = ref.astype(np.float32)
    same = np.array_equal(w.view(np.uint32), ref.view(np.uint32))
    print("\nbit-identical to float32(strtod): %s (%d values)" % (same, ref.size))
    os.remove(out)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
