#!/usr/bin/python3
"""Gradient boosting: winnow against XGBoost (hist) and scikit-learn's
HistGradientBoostingClassifier, with matched settings (issue 4, "Performance").

Run with Debian's interpreter (python3-xgboost, python3-sklearn, and GNU time):
    /usr/bin/python3 bench/gbdt/bench.py [--rows 1000000] [--rounds 500] [--reps 3]
        [--datasets higgs,magic,htru2,kepler] [--tools winnow,xgboost,sklearn]
        [--winnow build/winnow] [--json out.json] [--keep DIR]
Quick run: --rows 100000 --rounds 50 --reps 1

Data. `higgs`: `winnow simulate higgs-like --rows ROWS --seed 1`, the first
80 % of the rows for training, the last 20 % for testing (1M rows: 800k/200k).
Real sets from ../shared/data (skipped, saying so, when absent), split as
that folder's README does (test = every 5th line counting the header as line
1; train = the rest): `magic` (g = 1, h = 0), `htru2` (pulsar = 1),
`kepler` (Kepler KOIs, CONFIRMED = 1 vs FALSE POSITIVE = 0, CANDIDATEs
dropped; numeric columns only, without ids and the label-leaking koi_score,
koi_fpflag_* and koi_pdisposition; 8 % missing cells kept as NaN). Each is
written once as two structured .npy files (float32 named columns + "label")
that every tool reads: the same bytes for all.

Runs. Each tool trains in its own process under `/usr/bin/time -v` (peak RSS
= "Maximum resident set size" of the training process), saves its model,
and a second process loads it and predicts the test set. Train seconds are
timed around the training call only, after the data are loaded (winnow:
the seconds of its summary line "trained binary GBDT: ... in X s", which
cmd_train.c times around wn_gbdt_train, binning included; XGBoost: DMatrix
construction + xgb.train; sklearn: fit, binning included). Predict seconds:
around the predict call only (xgboost inplace_predict on the float32
matrix after a small untimed warm-up call, sklearn predict_proba likewise;
winnow the seconds on its "predicted N rows ... in X s" line, timed around
wn_gbdt_predict; when a line is missing, the whole winnow process, which
favours the peers). Test AUC: one function
(sklearn.metrics.roc_auc_score) on every tool's saved predictions (winnow
writes float32 probabilities, the peers float64). Medians of REPS runs, per
metric; the tools are interleaved within each repetition (winnow, xgboost,
sklearn, winnow, ...) so that a busy spell on a shared machine hits all.

Table columns: train s (as above); proc CPU = user + system seconds of the
whole training process (/usr/bin/time; imports and data load included: less
sensitive than wall time to other load on the machine); peak RSS; RSS@load =
the peer process's own high-water mark just before training (interpreter,
numpy/xgboost/sklearn imports and the loaded data: ~105-130 MB of a peer's
peak is the interpreter and imports, which dominates on the small real
sets); predict s and rows/s; test AUC; leaves/tree = mean leaves per tree
of the trained model (winnow: read from the .wnm `trees` section) --
prediction rows/s compare like with like only where these agree: on higgs
every tool grows 500 trees of 255 leaves; on the small real sets XGBoost's
hessian bound stops its trees much earlier (e.g. magic: 91 vs 255); every
run's train seconds with the 1-minute load average when it started.

Matched settings: 255 bins, 255 leaves (XGBoost max_depth 0 = unbounded,
lossguide), learning rate 0.1, ROUNDS rounds, 2 threads (OMP_NUM_THREADS=2 for
every process as well), L2 1, no L1, no subsampling, no early stopping.
min_data_in_leaf 20 has no XGBoost equivalent: its min_child_weight bounds
the leaf's hessian sum, sum p(1-p) over the leaf's rows. We set it to
20 * p0 (1 - p0), p0 = the train set's positive fraction (about 5.0 for
higgs): exactly "20 rows" in the first round, where every row's hessian is
p0 (1 - p0); stricter later, as predictions move away from p0 and the
hessians shrink (a leaf of confident rows needs more than 20 of them).
sklearn: min_samples_leaf 20, and its own min_hessian_to_split 1e-3; winnow:
min_data_in_leaf 20 and its default min_sum_hessian 1e-3. Starting score:
sklearn and winnow start from the log-odds of p0, XGBoost 1.7 from
base_score 0.5 (its default; immaterial after 500 rounds).
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, tempfile, time

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
shared = os.path.join(os.path.dirname(root), "shared", "data")
WORKER = os.path.join(here, "worker.py")
PY = "/usr/bin/python3"
TIME = "/usr/bin/time"

TARGETS = {"train": 0.45, "rss": 0.5, "predict": 3.0, "auc": -0.001}


# ---------------------------------------------------------------- data
def clean(name):
    return re.sub(r"[^A-Za-z0-9_]", "_", name.strip().strip('"'))


def save_struct(path, cols, y):
    dt = [("label", "<f4")] + [(clean(n), "<f4") for n in cols]
    a = np.empty(len(y), dtype=dt)
    a["label"] = y
    for n in cols:
        a[clean(n)] = np.asarray(cols[n], dtype=np.float32)
    np.save(path, a)


def prep_higgs(d, rows, winnow):
    src = os.path.join(d, "higgs_all.npy")
    r = subprocess.run([winnow, "simulate", "higgs-like", "--rows", str(rows), "--seed", "1",
                        "-o", src], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("winnow simulate failed: " + r.stderr.strip())
    a = np.load(src)
    ntr = rows * 4 // 5
    np.save(os.path.join(d, "train.npy"), a[:ntr])
    np.save(os.path.join(d, "test.npy"), a[ntr:])
    os.remove(src)


def split_every5(df):
    # test = every 5th line of the file counting the header as line 1 (README)
    line = np.arange(len(df)) + 2
    return df[line % 5 != 0], df[line % 5 == 0]


def prep_csv(d, name):
    import pandas as pd
    if name == "magic":
        df = pd.read_csv(os.path.join(shared, "magic", "magic04.data"))
        y = (df.pop("class") == "g").astype(np.float32)
    elif name == "htru2":
        df = pd.read_csv(os.path.join(shared, "htru2", "HTRU_2.csv"))
        y = df.pop("class").astype(np.float32)
    elif name == "kepler":
        df = pd.read_csv(os.path.join(shared, "kepler-koi-cumulative", "cumulative.csv"),
                         comment="#")
        df = df[df["koi_disposition"].isin(["CONFIRMED", "FALSE POSITIVE"])]
        y = (df.pop("koi_disposition") == "CONFIRMED").astype(np.float32)
        drop = ["loc_rowid", "kepid", "koi_score", "koi_pdisposition"] + \
            [c for c in df.columns if c.startswith("koi_fpflag")]
        df = df.drop(columns=[c for c in drop if c in df.columns])
        df = df.select_dtypes(include=[np.number])
        df = df.loc[:, df.notna().any()]
    else:
        raise SystemExit("unknown dataset " + name)
    df = df.copy()
    df["__y"] = y.values
    tr, te = split_every5(df)
    for part, fn in ((tr, "train.npy"), (te, "test.npy")):
        yy = part.pop("__y").to_numpy(np.float32)
        save_struct(os.path.join(d, fn), {c: part[c].to_numpy() for c in part.columns}, yy)


SHARED_FILES = {"magic": ("magic", "magic04.data"), "htru2": ("htru2", "HTRU_2.csv"),
                "kepler": ("kepler-koi-cumulative", "cumulative.csv")}


def prepare(name, base, rows, winnow):
    d = os.path.join(base, name if name != "higgs" else "higgs_%d" % rows)
    if os.path.exists(os.path.join(d, "test.npy")):
        return d
    if name in SHARED_FILES and not os.path.exists(os.path.join(shared, *SHARED_FILES[name])):
        print("skipping %s: %s absent" % (name, os.path.join(shared, *SHARED_FILES[name])))
        return None
    os.makedirs(d, exist_ok=True)
    if name == "higgs":
        prep_higgs(d, rows, winnow)
    else:
        prep_csv(d, name)
    return d


# ---------------------------------------------------------------- running
def timed(cmd, env, log):
    """Runs cmd under /usr/bin/time -v; returns (wall s, peak RSS kB, stdout+stderr, CPU s)."""
    tf = log + ".time"
    t0 = time.perf_counter()
    r = subprocess.run([TIME, "-v", "-o", tf] + cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    out = r.stdout + r.stderr
    with open(log, "w") as f:
        f.write(" ".join(cmd) + "\n" + out)
    if r.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s" % (" ".join(cmd), r.returncode, out[-3000:]))
    rss, cpu = -1, 0.0
    with open(tf) as f:
        for line in f:
            if "Maximum resident set size" in line:
                rss = int(line.split(":")[1])
            elif "User time (seconds)" in line or "System time (seconds)" in line:
                cpu += float(line.split(":")[1])
    return wall, rss, out, cpu


def parse_seconds(text, prefix):
    """The seconds on winnow's summary line starting with PREFIX: 'trained binary GBDT:
    28 features, label 'label', in 12.34 s -> m.wnm' (timed around wn_gbdt_train only),
    'predicted 200000 rows (binary) in 0.123 s (...)' (around wn_gbdt_predict only)."""
    for line in text.splitlines():
        if line.startswith(prefix):
            m = re.search(r" in ([0-9]+(?:\.[0-9]+)?) s\b", line)
            if m:
                return float(m.group(1))
    return None


def load_pred(path):
    a = np.load(path)
    if a.dtype.names:
        for n in ("prob", "probability", "pred", "prediction", "score", "p", "p1"):
            if n in a.dtype.names:
                return np.asarray(a[n], dtype=np.float64)
        fl = [n for n in a.dtype.names if a.dtype[n].kind == "f"]
        return np.asarray(a[fl[-1]], dtype=np.float64)
    a = np.asarray(a, dtype=np.float64)
    return a[:, -1] if a.ndim == 2 else a


def auc(y, s):
    from sklearn.metrics import roc_auc_score
    return float(roc_auc_score(y, s))


def run_peer(tool, d, work, p, env):
    model = os.path.join(work, tool + ".model")
    res_t, res_p = os.path.join(work, tool + ".train.json"), os.path.join(work, tool + ".pred.json")
    pred = os.path.join(work, tool + ".pred.npy")
    pj = json.dumps(p)
    wall_t, rss_t, _, cpu_t = timed([PY, WORKER, "train", tool, os.path.join(d, "train.npy"), model, pj,
                              res_t], env, os.path.join(work, tool + ".train.log"))
    wall_p, rss_p, _, _ = timed([PY, WORKER, "predict", tool, model, os.path.join(d, "test.npy"),
                              pred, pj, res_p], env, os.path.join(work, tool + ".pred.log"))
    rt, rp = json.load(open(res_t)), json.load(open(res_p))
    return {"train_s": rt["train_s"], "train_wall_s": wall_t, "train_cpu_s": cpu_t, "rss_kb": rss_t,
            "rss_before_kb": rt.get("rss_before_kb"), "predict_s": rp["predict_s"],
            "predict_wall_s": wall_p, "predict_rss_kb": rss_p, "pred": pred,
            "model_bytes": os.path.getsize(model), "detail": rt, "trees": rt.get("trees"),
            "leaves": rt.get("leaves")}


def winnow_model_stats(path):
    """(trees, leaves, header) of a winnow .wnm file: the container's JSON header and
    its `trees` section, 24 bytes per tree with u32 leaves at offset 4
    (docs/model-format.md)."""
    import struct
    with open(path, "rb") as f:
        b = f.read()
    (hl,) = struct.unpack_from("<Q", b, 16)
    header = json.loads(b[24:24 + hl].decode())
    (n,) = struct.unpack_from("<I", b, 24 + hl)
    for i in range(n):
        e = 28 + hl + 36 * i
        name = b[e:e + 16].rstrip(b"\0").decode()
        off, size = struct.unpack_from("<QQ", b, e + 16)
        if name == "trees":
            leaves = [struct.unpack_from("<I", b, off + 24 * t + 4)[0] for t in range(size // 24)]
            return len(leaves), sum(leaves), header
    return None, None, header


def winnow_params(p):
    return {"num_leaves": p["num_leaves"], "max_bins": p["max_bins"],
            "learning_rate": p["learning_rate"], "rounds": p["rounds"], "threads": p["threads"],
            "min_data_in_leaf": p["min_data_in_leaf"], "lambda_l2": p["lambda_l2"]}


def run_winnow(exe, d, work, p, env):
    model = os.path.join(work, "winnow.wnm")
    pred = os.path.join(work, "winnow.pred.npy")
    # --no-report: the run report (TreeSHAP, permutation importance) is not
    # training, and would inflate the process CPU column
    cmd = [exe, "train", os.path.join(d, "train.npy"), "--label", "label", "-o", model,
           "--threads", str(p["threads"]), "--no-report"]
    for k, v in winnow_params(p).items():
        cmd += ["--param", "%s=%s" % (k, v)]
    wall_t, rss_t, out_t, cpu_t = timed(cmd, env, os.path.join(work, "winnow.train.log"))
    tr = parse_seconds(out_t, "trained")
    wall_p, rss_p, out_p, _ = timed([exe, "predict", model, os.path.join(d, "test.npy"), "-o", pred,
                                  "--threads", str(p["threads"])],
                                 env, os.path.join(work, "winnow.pred.log"))
    pr = parse_seconds(out_p, "predicted")
    try:
        trees, leaves, header = winnow_model_stats(model)
        used = header.get("parameters")
    except Exception as e:  # the format may move on; the timings still stand
        trees, leaves, used = None, None, "unreadable: %s" % e
    return {"train_s": tr if tr is not None else wall_t, "train_s_from": "summary" if tr is not None
            else "process wall", "train_wall_s": wall_t, "train_cpu_s": cpu_t, "rss_kb": rss_t,
            "predict_s": pr if pr is not None else wall_p,
            "predict_s_from": "reported" if pr is not None else "process wall",
            "predict_wall_s": wall_p, "predict_rss_kb": rss_p, "pred": pred,
            "model_bytes": os.path.getsize(model), "trees": trees, "leaves": leaves,
            "train_cmd": " ".join(cmd),
            "detail": {"trees": trees, "leaves": leaves, "params": used},
            "train_summary": out_t.strip()[-2000:], "predict_output": out_p.strip()[-1000:]}


# ---------------------------------------------------------------- report
def fmt_ratio(r, target, higher_better):
    if r is None:
        return "   -   "
    ok = r >= target if higher_better else r <= target
    return "%6.2fx %s" % (r, "ok" if ok else "MISS")


def report(results, tools):
    lines = []
    for ds, res in results.items():
        info = res["_info"]
        lines.append("\n== %s: %d train / %d test rows, %d features ==" %
                     (ds, info["train_rows"], info["test_rows"], info["features"]))
        lines.append("%-8s %8s %8s %9s %9s %10s %12s %9s %11s  %s" % ("tool", "train s",
                     "proc CPU", "peak RSS", "RSS@load", "predict s", "pred rows/s", "test AUC",
                     "leaves/tree", "runs: train s (load avg)"))
        for t in tools:
            r = res.get(t)
            if not r:
                continue
            if "error" in r:
                lines.append("%-8s  error: %s" % (t, r["error"].splitlines()[0][:100]))
                continue
            rb = r.get("rss_before_kb")
            lpt = "%.1f" % (r["leaves"] / r["trees"]) if r.get("leaves") and r.get("trees") else "?"
            lines.append("%-8s %8.2f %8.1f %6.0f MB %9s %10.3f %12.4g %9.5f %11s  %s" % (
                t, r["train_s"], r["train_cpu_s"], r["rss_kb"] / 1024,
                "%.0f MB" % (rb / 1024) if rb else "-",
                r["predict_s"], r["pred_rows_s"], r["auc"], lpt,
                " ".join("%.2f (%.1f)" % (x, l) for x, l in zip(r["train_runs"], r["load_runs"]))))
        w = res.get("winnow")
        for peer in ("xgboost", "sklearn"):
            q = res.get(peer)
            if not (w and q) or "error" in w or "error" in q:
                continue
            rt = w["train_s"] / q["train_s"]
            rm = w["rss_kb"] / q["rss_kb"]
            rp = w["pred_rows_s"] / q["pred_rows_s"]
            da = w["auc"] - q["auc"]
            res.setdefault("_ratios", {})[peer] = {"train": rt, "rss": rm, "predict": rp,
                                                   "auc_diff": da}
            lines.append("winnow/%-7s train %s  peak RSS %s  predict rows/s %s  AUC %+.5f %s" % (
                peer, fmt_ratio(rt, TARGETS["train"], False), fmt_ratio(rm, TARGETS["rss"], False),
                fmt_ratio(rp, TARGETS["predict"], True), da,
                ("ok" if da >= TARGETS["auc"] else "MISS") if peer == "xgboost" else ""))
        if w and "error" not in w:
            lines.append("(targets vs XGBoost: train <= %.2fx at AUC >= XGBoost %+.3f, peak RSS "
                         "<= %.1fx, predict rows/s >= %.0fx; winnow predict s from %s)" % (
                             TARGETS["train"], TARGETS["auc"], TARGETS["rss"], TARGETS["predict"],
                             w.get("predict_s_from")))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1000000, help="higgs-like rows (80%% train)")
    ap.add_argument("--rounds", type=int, default=500)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--datasets", default="higgs,magic,htru2,kepler")
    ap.add_argument("--tools", default="winnow,xgboost,sklearn")
    ap.add_argument("--winnow", default=None, help="default: build/winnow, else build-bench/winnow")
    ap.add_argument("--json", default=None, help="write the results here")
    ap.add_argument("--keep", default=None, help="data/work folder to keep (reused when present)")
    ap.add_argument("--xgb-quantile-dmatrix", action="store_true",
                    help="XGBoost: QuantileDMatrix instead of DMatrix (less memory)")
    a = ap.parse_args()
    if a.winnow is None:
        a.winnow = os.path.join(root, "build", "winnow")
        alt = os.path.join(root, "build-bench", "winnow")
        if os.path.exists(alt) and (not os.path.exists(a.winnow) or
                                    os.path.getmtime(alt) > os.path.getmtime(a.winnow)):
            a.winnow = alt
    tools = [t for t in a.tools.split(",") if t]
    datasets = [x for x in a.datasets.split(",") if x]
    base = a.keep or tempfile.mkdtemp(prefix="wn_bench_gbdt_")
    os.makedirs(base, exist_ok=True)
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads))

    versions = {"python": sys.version.split()[0], "numpy": np.__version__}
    try:
        import xgboost, sklearn
        versions.update(xgboost=xgboost.__version__, sklearn=sklearn.__version__)
    except ImportError as e:
        print("peer missing:", e)
    if "winnow" in tools:
        r = subprocess.run([a.winnow, "--version"], capture_output=True, text=True)
        versions["winnow"] = (r.stdout + r.stderr).strip() + " (" + a.winnow + ")"
    print("versions:", versions)

    results = {}
    for ds in datasets:
        d = prepare(ds, base, a.rows, a.winnow)
        if d is None:
            continue
        ytr = np.load(os.path.join(d, "train.npy"))
        yte = np.load(os.path.join(d, "test.npy"))["label"].astype(np.float64)
        p0 = float(ytr["label"].mean())
        p = {"num_leaves": 255, "max_bins": 255, "learning_rate": 0.1, "rounds": a.rounds,
             "threads": a.threads, "min_data_in_leaf": 20, "lambda_l2": 1.0,
             "xgb_min_child_weight": round(20 * p0 * (1 - p0), 4),
             "xgb_quantile_dmatrix": a.xgb_quantile_dmatrix}
        res = {"_info": {"train_rows": int(len(ytr)), "test_rows": int(len(yte)),
                         "features": len(ytr.dtype.names) - 1, "train_positive_fraction": p0,
                         "params": p, "dir": d}}
        del ytr
        results[ds] = res
        runs = {t: [] for t in tools}
        for rep in range(a.reps):  # tools interleaved, so a busy spell hits all of them
            for t in tools:
                if t in res:  # failed before
                    continue
                work = os.path.join(base, "work_" + ds + "_" + t)
                os.makedirs(work, exist_ok=True)
                la = os.getloadavg()[0]
                print("  %s / %s rep %d (load avg %.2f) ..." % (ds, t, rep + 1, la), end="",
                      flush=True)
                try:
                    r = run_winnow(a.winnow, d, work, p, env) if t == "winnow" else \
                        run_peer(t, d, work, p, env)
                    r["auc"] = auc(yte, load_pred(r["pred"]))
                except Exception as e:  # report and go on with the next tool
                    print(" FAILED")
                    print(str(e)[-3000:])
                    res[t] = {"error": str(e)}
                    continue
                r["load_avg"] = la
                print(" train %.2f s (CPU %.1f s), RSS %.0f MB, predict %.3f s, AUC %.5f" % (
                    r["train_s"], r["train_cpu_s"], r["rss_kb"] / 1024, r["predict_s"], r["auc"]),
                    flush=True)
                runs[t].append(r)
        for t in tools:
            if t in res or not runs[t]:
                continue
            rr = runs[t]
            med = dict(rr[-1])
            for k in ("train_s", "train_cpu_s", "rss_kb", "predict_s", "train_wall_s",
                      "predict_wall_s"):
                med[k] = statistics.median(x[k] for x in rr)
            med["train_runs"] = [x["train_s"] for x in rr]
            med["load_runs"] = [x["load_avg"] for x in rr]
            med["predict_runs"] = [x["predict_s"] for x in rr]
            med["rss_runs_kb"] = [x["rss_kb"] for x in rr]
            med["auc_runs"] = [x["auc"] for x in rr]
            med["auc"] = statistics.median(med["auc_runs"])
            med["pred_rows_s"] = len(yte) / med["predict_s"]
            res[t] = med
    text = report(results, tools)
    print(text)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"versions": versions, "args": vars(a), "results": results,
                       "date": time.strftime("%Y-%m-%d %H:%M:%S")}, f, indent=1, default=str)
    if not a.keep:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
