# sklearn_unsup.sh — winnow's unsupervised methods against scikit-learn's
# on the same data (issue 6), through the real command line:
#   PCA        the scores of 3 components equal sklearn's PCA.transform up to
#              each component's sign (1e-4 of the data's scale), so do the
#              reconstruction errors, and the explained variances agree to
#              the 4 digits printed;
#   k-means    the inertia of the best of 10 seedings is within 1% of
#              sklearn's KMeans(n_init=10) on the same data;
#   GMM        the mean log-likelihood of a 3-component full-covariance fit is
#              within 1% of sklearn's GaussianMixture(3).score;
#   iforest    the anomaly score ranks events like sklearn's IsolationForest
#              (Spearman correlation > 0.9: both are random forests).
# Run by ctest as  bash sklearn_unsup.sh WINNOW SOURCE_DIR  (not named
# test_*.sh). Exit 0 pass, 1 fail, 77 skip (no sklearn in /usr/bin/python3).
set -u
W=$1
PY=/usr/bin/python3
if ! "$PY" -c "import sklearn, numpy" >/dev/null 2>&1; then
  echo "SKIP: $PY cannot import sklearn and numpy (apt-get install python3-sklearn python3-numpy)"
  exit 77
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Data: 3000 rows of a 5-D correlated mixture of three Gaussians, float32,
# written with 9 significant digits (exact round trip to float32).
"$PY" - "$TMP" <<'EOF' || { echo "FAIL: generating the data"; exit 1; }
import sys, numpy as np
rng = np.random.default_rng(11)
n = 3000
means = np.array([[0, 0, 0, 0, 0], [6, 2, -3, 1, 0], [-4, 5, 2, -2, 3]], float)
k = rng.integers(0, 3, n)
A = rng.normal(size=(5, 5))
X = means[k] + rng.normal(size=(n, 5)) @ (0.6 * A)
X = X.astype(np.float32)
with open(sys.argv[1] + "/d.csv", "w") as f:
    f.write("x0,x1,x2,x3,x4\n")
    for row in X:
        f.write(",".join("%.9g" % v for v in row) + "\n")
np.save(sys.argv[1] + "/d.npy", X)
EOF

common=(--no-standardize --no-report --threads 2)
"$W" reduce "$TMP/d.csv" --components 3 -o "$TMP/pca.csv" "${common[@]}" >"$TMP/pca.out" 2>&1 || { cat "$TMP/pca.out"; exit 1; }
"$W" cluster "$TMP/d.csv" --method kmeans -k 3 --restarts 10 --silhouette-sample 0 -o "$TMP/km.csv" "${common[@]}" >"$TMP/km.out" 2>&1 || { cat "$TMP/km.out"; exit 1; }
"$W" cluster "$TMP/d.csv" --method gmm -k 3 -o "$TMP/gmm.csv" "${common[@]}" >"$TMP/gmm.out" 2>&1 || { cat "$TMP/gmm.out"; exit 1; }
"$W" anomalies "$TMP/d.csv" --method iforest --trees 200 -o "$TMP/if.csv" "${common[@]}" >"$TMP/if.out" 2>&1 || { cat "$TMP/if.out"; exit 1; }

"$PY" - "$TMP" <<'EOF'
import re, sys, numpy as np
from sklearn.decomposition import PCA
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture
from sklearn.ensemble import IsolationForest
d = sys.argv[1]
X = np.load(d + "/d.npy").astype(np.float64)
fails = 0
def check(ok, what):
    global fails
    print(("ok   " if ok else "FAIL ") + what)
    fails += not ok
load = lambda p: np.genfromtxt(p, delimiter=",", names=True)

# PCA: scores up to sign; variances
w = load(d + "/pca.csv")
ws = np.stack([w["pc1"], w["pc2"], w["pc3"]], 1)
p = PCA(n_components=5).fit(X)
ss = p.transform(X)[:, :3]
scale = np.abs(X - X.mean(0)).max()
for j in range(3):
    s = np.sign(np.dot(ws[:, j], ss[:, j]))
    err = np.abs(ws[:, j] - s * ss[:, j]).max()
    check(err < 1e-4 * scale, f"PCA component {j + 1}: max |score difference| {err:.3g} (scale {scale:.3g})")
var = [float(v) for v in re.findall(r"^\s+\d+\s+([0-9.e+-]+)\s", open(d + "/pca.out").read(), re.M)]
rel = np.abs(np.array(var[:5]) - p.explained_variance_) / p.explained_variance_
# (the terminal table prints 4 significant digits)
check(len(var) >= 5 and rel.max() < 1e-3, f"PCA variances: max relative difference {rel.max():.3g}")
# reconstruction error with 3 components
rec = ((X - p.mean_ - ss @ p.components_[:3]) ** 2).sum(1)
err = np.abs(w["recon_error"] - rec).max()
check(err < 1e-4 * rec.max(), f"PCA reconstruction error: max difference {err:.3g} of {rec.max():.3g}")

# k-means inertia (best of 10 seedings each)
k = load(d + "/km.csv")
wi = float((k["distance"].astype(np.float64) ** 2).sum())
si = KMeans(n_clusters=3, n_init=10, random_state=0).fit(X).inertia_
check(abs(wi - si) / si < 0.01, f"k-means inertia {wi:.6g} vs sklearn {si:.6g}")

# GMM mean log-likelihood
g = load(d + "/gmm.csv")
wl = float(np.mean(g["loglik"]))
sl = GaussianMixture(3, covariance_type="full", random_state=0, n_init=3).fit(X).score(X)
check(abs(wl - sl) / abs(sl) < 0.01, f"GMM mean log-likelihood {wl:.6g} vs sklearn {sl:.6g}")

# isolation forest ranks
f = load(d + "/if.csv")
sk = -IsolationForest(n_estimators=200, random_state=0).fit(X).score_samples(X)
rank = lambda v: np.argsort(np.argsort(v))
rho = np.corrcoef(rank(f["score"]), rank(sk))[0, 1]
check(rho > 0.9, f"isolation forest: Spearman correlation with sklearn {rho:.4f}")
# and the scores are on the same scale: 2^(-E h / c)
check(abs(np.median(f["score"]) - np.median(sk)) < 0.03,
      f"isolation forest: median score {np.median(f['score']):.4f} vs sklearn {np.median(sk):.4f}")
sys.exit(1 if fails else 0)
EOF
