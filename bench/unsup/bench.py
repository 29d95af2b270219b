#!/usr/bin/python3
"""bench/unsup/bench.py — winnow's unsupervised methods side by side with
scikit-learn, in one run, on the same data (issue 6).

Data: `winnow simulate higgs-like` (28 features), written once as .npy and
loaded by both. winnow runs as the real command line and reports its own
fit/score times on the table in memory (the file reading is excluded, as it
is for sklearn, which gets the same float32 array in memory). Features are
not standardised on either side.

  PCA, 10 components         winnow reduce --no-standardize  vs sklearn PCA (svd_solver auto)
  k-means, k = 16, 1 seeding winnow cluster --restarts 1     vs KMeans(n_init=1, lloyd / elkan)
                             time per iteration (the whole fit / iterations)
  isolation forest, 100 trees: scoring throughput on every row
                             winnow anomalies                vs IsolationForest.score_samples

Medians of --reps runs; ratios are winnow / sklearn for times and
winnow / sklearn for throughputs. Threads: both sides get --threads
(sklearn through threadpoolctl-less OMP/OPENBLAS env vars set before import).

  /usr/bin/python3 bench/unsup/bench.py --rows 1000000 --reps 3 --winnow build/winnow
"""
import argparse, os, re, statistics, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--rows", type=int, default=1000000)
ap.add_argument("--reps", type=int, default=3)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--winnow", default="build/winnow")
ap.add_argument("--skip", default="", help="comma list of pca,kmeans,iforest to skip")
a = ap.parse_args()
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = str(a.threads)

import numpy as np  # noqa: E402  (after the thread variables)
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402

W = os.path.abspath(a.winnow)
tmp = tempfile.mkdtemp(prefix="wn_unsup_bench_")
data = os.path.join(tmp, "h.npy")
subprocess.run([W, "simulate", "higgs-like", "--rows", str(a.rows), "--seed", "7", "-o", data],
               check=True, stdout=subprocess.DEVNULL)
raw = np.load(data)  # a structured array (named fields); "label" is not a feature
X = np.ascontiguousarray((np.stack([raw[n] for n in raw.dtype.names if n != "label"], axis=1)
                          if raw.dtype.names else raw[:, 1:]).astype(np.float32))
print(f"data: {X.shape[0]} rows x {X.shape[1]} features, threads {a.threads}, reps {a.reps}")
skip = set(s for s in a.skip.split(",") if s)
common = ["--threads", str(a.threads), "--no-standardize", "--no-report", "--ignore", "label"]


def winnow(args, pattern):
    """Runs winnow; returns the floats matched by pattern in its stdout."""
    out = subprocess.run([W] + args, check=True, capture_output=True, text=True).stdout
    m = re.search(pattern, out)
    if not m:
        sys.exit(f"winnow output lacks /{pattern}/:\n{out}")
    return [float(g) for g in m.groups()]


def med(xs):
    return statistics.median(xs)


rows = []
if "pca" not in skip:
    wt = [winnow(["reduce", data, "--components", "10", "-o", os.path.join(tmp, "p.npy")] + common,
                 r"in ([0-9.]+) s, transformed")[0] for _ in range(a.reps)]
    st = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        PCA(n_components=10).fit(X)
        st.append(time.perf_counter() - t0)
    rows.append(("PCA fit, 10 components", med(wt), med(st), "s", med(wt) / med(st), "<= 0.1"))

if "kmeans" not in skip:
    wi = []
    for _ in range(a.reps):
        it, fit = winnow(["cluster", data, "--method", "kmeans", "-k", "16", "--restarts", "1",
                          "--silhouette-sample", "0", "-o", os.path.join(tmp, "k.npy")] + common,
                         r"([0-9]+) iterations.*fit ([0-9.]+) s")
        wi.append(fit / it)
    best = None
    for algo in ("lloyd", "elkan"):
        si = []
        for _ in range(a.reps):
            km = KMeans(n_clusters=16, n_init=1, algorithm=algo, random_state=0)
            t0 = time.perf_counter()
            km.fit(X)
            si.append((time.perf_counter() - t0) / km.n_iter_)
        m = med(si)
        print(f"  sklearn k-means {algo}: {m * 1e3:.1f} ms per iteration")
        best = m if best is None or m < best else best
    rows.append(("k-means k=16, time per iteration", med(wi), best, "s", med(wi) / best, "<= 0.5"))

if "iforest" not in skip:
    wr = []
    for _ in range(a.reps):
        sec, = winnow(["anomalies", data, "--method", "iforest", "--top", "0",
                       "-o", os.path.join(tmp, "a.npy")] + common, r"rows scored in ([0-9.]+) s")
        wr.append(X.shape[0] / sec)
    f = IsolationForest(n_estimators=100, random_state=0, n_jobs=a.threads).fit(X)
    sr = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        f.score_samples(X)
        sr.append(X.shape[0] / (time.perf_counter() - t0))
    rows.append(("isolation forest scoring, 100 trees", med(wr), med(sr), "rows/s",
                 med(wr) / med(sr), ">= 20"))

print(f"\n| task | winnow | sklearn | unit | ratio winnow/sklearn | target |")
print("|---|---|---|---|---|---|")
for name, w, s, unit, r, target in rows:
    fmt = (lambda v: f"{v:.4g}") if unit == "s" else (lambda v: f"{v:,.0f}")
    print(f"| {name} | {fmt(w)} | {fmt(s)} | {unit} | {r:.3g}x | {target} |")
