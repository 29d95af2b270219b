#!/usr/bin/python3
"""One peer (XGBoost or scikit-learn) in its own process, for bench/gbdt/bench.py.

    worker.py train   TOOL TRAIN.npy MODEL PARAMS_JSON RESULT_JSON
    worker.py predict TOOL MODEL TEST.npy PRED.npy PARAMS_JSON RESULT_JSON

The data are structured .npy files (named float32 columns, one of them
"label"), the same bytes winnow reads. Timings are taken inside the process,
around the library call only: loading the .npy and turning it into a 2-D
float32 matrix is excluded (and reported as load_s), saving the model or the
predictions is excluded. The driver runs this under /usr/bin/time -v for the
peak RSS of the whole process (interpreter and imports included); the
process's own high-water mark just before training (VmHWM, after the
imports and the data load) is reported as rss_before_kb.
"""
import json, os, sys, time

import numpy as np


def vm_hwm_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def load(path):
    t0 = time.perf_counter()
    a = np.load(path)
    names = [n for n in a.dtype.names if n != "label"]
    x = np.empty((a.shape[0], len(names)), dtype=np.float32)
    for j, n in enumerate(names):
        x[:, j] = a[n]
    y = np.asarray(a["label"], dtype=np.float32)
    del a
    return x, y, names, time.perf_counter() - t0


def train(tool, data, model, p, res):
    x, y, names, load_s = load(data)
    out = {"load_s": load_s, "rows": int(x.shape[0]), "features": len(names)}
    if tool == "xgboost":
        import xgboost as xgb
        params = {
            "objective": "binary:logistic", "tree_method": "hist", "grow_policy": "lossguide",
            "max_leaves": p["num_leaves"], "max_depth": 0, "max_bin": p["max_bins"],
            "eta": p["learning_rate"], "lambda": p["lambda_l2"], "alpha": 0.0,
            "min_child_weight": p["xgb_min_child_weight"], "nthread": p["threads"],
            "eval_metric": "logloss", "verbosity": 0,
        }
        out["rss_before_kb"] = vm_hwm_kb()
        t0 = time.perf_counter()
        if p.get("xgb_quantile_dmatrix"):
            d = xgb.QuantileDMatrix(x, label=y, max_bin=p["max_bins"], nthread=p["threads"])
        else:
            d = xgb.DMatrix(x, label=y, nthread=p["threads"])
        t1 = time.perf_counter()
        bst = xgb.train(params, d, num_boost_round=p["rounds"])
        t2 = time.perf_counter()
        out.update(train_s=t2 - t0, dmatrix_s=t1 - t0, boost_s=t2 - t1, params=params,
                   version=xgb.__version__)
        dump = bst.get_dump()
        out.update(trees=len(dump), leaves=sum(t.count("leaf=") for t in dump))
        bst.save_model(model)
    elif tool == "sklearn":
        import pickle
        import sklearn
        from sklearn.ensemble import HistGradientBoostingClassifier
        kw = dict(loss="log_loss", learning_rate=p["learning_rate"], max_iter=p["rounds"],
                  max_leaf_nodes=p["num_leaves"], max_depth=None,
                  min_samples_leaf=p["min_data_in_leaf"], l2_regularization=p["lambda_l2"],
                  max_bins=p["max_bins"], early_stopping=False, random_state=0)
        clf = HistGradientBoostingClassifier(**kw)
        out["rss_before_kb"] = vm_hwm_kb()
        t0 = time.perf_counter()
        clf.fit(x, y.astype(np.int32))
        t1 = time.perf_counter()
        out.update(train_s=t1 - t0, params=kw, version=sklearn.__version__,
                   trees=int(clf.n_iter_),
                   leaves=int(sum(int(pr[0].nodes["is_leaf"].sum()) for pr in clf._predictors)))
        with open(model, "wb") as f:
            pickle.dump(clf, f)
    else:
        raise SystemExit("unknown tool " + tool)
    with open(res, "w") as f:
        json.dump(out, f)


def predict(tool, model, data, pred, p, res):
    x, y, names, load_s = load(data)
    out = {"load_s": load_s, "rows": int(x.shape[0])}
    if tool == "xgboost":
        import xgboost as xgb
        bst = xgb.Booster()
        bst.load_model(model)
        bst.set_param({"nthread": p["threads"]})
        bst.inplace_predict(x[:1000])  # warm-up (thread pool), not timed
        t0 = time.perf_counter()
        s = bst.inplace_predict(x)
        t1 = time.perf_counter()
    elif tool == "sklearn":
        import pickle
        with open(model, "rb") as f:
            clf = pickle.load(f)
        clf.predict_proba(x[:1000])
        t0 = time.perf_counter()
        s = clf.predict_proba(x)[:, 1]
        t1 = time.perf_counter()
    else:
        raise SystemExit("unknown tool " + tool)
    out["predict_s"] = t1 - t0
    np.save(pred, np.asarray(s, dtype=np.float64))
    with open(res, "w") as f:
        json.dump(out, f)


def main(argv):
    if argv[1] == "train":
        _, _, tool, data, model, pj, res = argv
        train(tool, data, model, json.loads(pj), res)
    elif argv[1] == "predict":
        _, _, tool, model, data, pred, pj, res = argv
        predict(tool, model, data, pred, json.loads(pj), res)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
