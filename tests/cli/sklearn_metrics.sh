# sklearn_metrics.sh — the library's metrics against scikit-learn's on the
# same weighted data: binary (AUC, log loss, Brier score, accuracy; once with
# continuous scores, once with many tied ones), multiclass with K = 3
# (one-vs-rest AUC per class, weighted confusion matrix, accuracy) and
# regression (RMSE, MAE, R^2; the residual quantiles against a numpy
# transcription of the rule in src/eval/classes.c). Each figure must agree to
# 1e-9 relative (1e-12 absolute near zero).
#
# Run by ctest as  bash sklearn_metrics.sh METRICS_TOOL SOURCE_DIR  (not named
# test_*.sh: the CLI glob would run it with the winnow binary). Exit 0 pass,
# 1 fail, 77 skip (no /usr/bin/python3 with sklearn and numpy).
set -u
TOOL=$1
PY=/usr/bin/python3
if ! "$PY" -c "import sklearn, numpy" >/dev/null 2>&1; then
  echo "SKIP: $PY cannot import sklearn and numpy (apt-get install python3-sklearn python3-numpy)"
  exit 77
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Data: labels and weights are float32 in the library, so they are drawn as
# float32 and written with 9 significant digits (exact round trip); scores
# and predictions are doubles, written with 17.
"$PY" - "$TMP" <<'EOF' || { echo "FAIL: generating the data"; exit 1; }
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(20240607)

def f32(x):
    return np.asarray(x, dtype=np.float32)

def write(name, cols, header):
    with open(f"{d}/{name}", "w") as f:
        f.write(header + "\n")
        for row in zip(*cols):
            f.write(",".join(v for v in row) + "\n")

def fmt9(a):
    return ["%.9g" % float(v) for v in a]

def fmt17(a):
    return ["%.17g" % float(v) for v in a]

# binary: continuous and tied scores, positive weights
n = 3000
y = (rng.random(n) < 0.35).astype(np.float32)
w = f32(rng.uniform(0.1, 3.0, n))
z = 1.2 * y + rng.normal(size=n)
p = np.clip(1.0 / (1.0 + np.exp(-z)), 0.02, 0.98)
write("bin.csv", [fmt9(y), fmt9(w), fmt17(p)], "y,w,score")
pt = np.clip(np.round(p * 20.0) / 20.0, 0.05, 0.95)
write("bin_ties.csv", [fmt9(y), fmt9(w), fmt17(pt)], "y,w,score")

# multiclass, K = 3: softmax of a noisy one-hot
K = 3
y = rng.integers(0, K, n).astype(np.float32)
w = f32(rng.uniform(0.2, 2.0, n))
logits = rng.normal(size=(n, K))
logits[np.arange(n), y.astype(int)] += 1.0
pr = np.exp(logits)
pr /= pr.sum(axis=1, keepdims=True)
write("multi.csv", [fmt9(y), fmt9(w)] + [fmt17(pr[:, k]) for k in range(K)],
      "y,w," + ",".join(f"p{k}" for k in range(K)))

# regression
y = f32(rng.normal(5.0, 2.0, n))
w = f32(rng.uniform(0.1, 2.5, n))
pred = y.astype(np.float64) * 0.9 + 0.4 + rng.normal(0.0, 0.8, n)
write("reg.csv", [fmt9(y), fmt9(w), fmt17(pred)], "y,w,pred")
EOF

fail=0
run() { # run OUT ARGS...: metrics_tool ARGS > OUT
  local out=$1
  shift
  if ! "$TOOL" "$@" >"$out" 2>"$out.err"; then
    echo "FAIL: metrics_tool $* exited $?: $(cat "$out.err")"
    fail=1
  fi
}
run "$TMP/bin.out" "$TMP/bin.csv"
run "$TMP/bin_ties.out" <"$TMP/bin_ties.csv" # stdin
run "$TMP/multi.out" --multiclass 3 "$TMP/multi.csv"
run "$TMP/reg.out" --regression "$TMP/reg.csv"
[ "$fail" = 0 ] || exit 1

"$PY" - "$TMP" <<'EOF'
import sys, numpy as np
from sklearn import metrics as M
d = sys.argv[1]
bad = 0
checks = 0

def load(name):
    a = np.loadtxt(f"{d}/{name}", delimiter=",", skiprows=1, ndmin=2)
    # the library holds labels and weights as float32
    return a[:, 0].astype(np.float32).astype(np.float64), \
        a[:, 1].astype(np.float32).astype(np.float64), a[:, 2:]

def tool(name):
    out = {}
    with open(f"{d}/{name}") as f:
        for line in f:
            parts = line.split()
            out[" ".join(parts[:-1])] = float(parts[-1])
    return out

def cmp(case, key, got, want):
    global bad, checks
    checks += 1
    if got is None:
        print(f"FAIL: {case} {key}: metrics_tool printed no value (sklearn {want!r})")
        bad += 1
        return
    diff = abs(got - want)
    if not diff <= 1e-9 * max(abs(got), abs(want)) + 1e-12:
        rel = diff / max(abs(want), 1e-300)
        print(f"FAIL: {case} {key}: winnow {got!r} sklearn {want!r} "
              f"(abs diff {diff:.3g}, rel {rel:.3g}; tolerance 1e-9 relative)")
        bad += 1

for case in ("bin", "bin_ties"):
    y, w, s = load(f"{case}.csv")
    s = s[:, 0]
    t = tool(f"{case}.out")
    cmp(case, "auc", t.get("auc"), M.roc_auc_score(y, s, sample_weight=w))
    cmp(case, "logloss", t.get("logloss"), M.log_loss(y, s, sample_weight=w, labels=[0, 1]))
    cmp(case, "brier", t.get("brier"), M.brier_score_loss(y, s, sample_weight=w))
    cmp(case, "accuracy", t.get("accuracy"),
        M.accuracy_score(y, (s > 0.5).astype(np.float64), sample_weight=w))

y, w, p = load("multi.csv")
K = p.shape[1]
t = tool("multi.out")
yi = y.astype(int)
for k in range(K):
    cmp("multiclass", f"auc{k}", t.get(f"auc{k}"),
        M.roc_auc_score((yi == k).astype(int), p[:, k], sample_weight=w))
am = np.argmax(p, axis=1)  # ties to the lower class, as the library
cm = M.confusion_matrix(yi, am, labels=list(range(K)), sample_weight=w)
for a in range(K):
    for b in range(K):
        cmp("multiclass", f"conf {a} {b}", t.get(f"conf {a} {b}"), float(cm[a, b]))
cmp("multiclass", "accuracy", t.get("accuracy"), M.accuracy_score(yi, am, sample_weight=w))

y, w, pr = load("reg.csv")
pr = pr[:, 0]
t = tool("reg.out")
cmp("regression", "rmse", t.get("rmse"),
    float(np.sqrt(M.mean_squared_error(y, pr, sample_weight=w))))
cmp("regression", "mae", t.get("mae"), M.mean_absolute_error(y, pr, sample_weight=w))
cmp("regression", "r2", t.get("r2"), M.r2_score(y, pr, sample_weight=w))
# quantile rule of classes.c: sort by (residual, row); the smallest residual
# whose cumulative weight reaches q * W
r = pr - y
order = np.lexsort((np.arange(len(r)), r))
cum = np.cumsum(w[order])
for q in ("0.025", "0.16", "0.5", "0.84", "0.975"):
    j = int(np.argmax(cum >= float(q) * cum[-1]))
    cmp("regression", f"q{q}", t.get(f"q{q}"), float(r[order][j]))

if bad:
    print(f"{bad} of {checks} comparisons with scikit-learn failed")
    sys.exit(1)
print(f"all {checks} comparisons with scikit-learn agree to 1e-9")
EOF
