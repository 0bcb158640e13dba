"""Reference values for the signed PCA weights in tests/weights.rs (numpy only).

Run from the repository root: python3 tests/reference/pca_signed_numpy.py
For every ASEM pillar: the direction-oriented indicator columns, rows with a missing value dropped
(COINr's na.omit), the correlation matrix (prcomp(scale = TRUE)), the eigenvector of its largest
eigenvalue (numpy.linalg.eigh), oriented so that the loadings sum to a positive number. Node weights
rescale the loadings to the children's nominal weight sum (1 each): w = v / sum(v) * n.
For a pillar with a negative loading, also the pillar scores: min-max [0, 100] normalisation over the
non-missing values (direction applied), then sum(w x) / sum(w) over each unit's available indicators
(COINr's a_amean), NaN when that weight sum is not positive.
"""
import csv

import numpy as np

meta = [m for m in csv.DictReader(open("data/asem/iMeta.csv")) if m["Type"] == "Indicator"]
rows = list(csv.DictReader(open("data/asem/iData.csv")))
groups = {}
for m in meta:
    groups.setdefault(m["Parent"], []).append(m)

for g, ms in groups.items():
    x = np.array([[float(r[m["iCode"]]) if r[m["iCode"]] not in ("", "NA") else np.nan for m in ms] for r in rows])
    x = x * np.array([float(m["Direction"]) for m in ms])
    c = x[~np.isnan(x).any(axis=1)]
    vals, vecs = np.linalg.eigh(np.corrcoef(c, rowvar=False))
    v = vecs[:, np.argmax(vals)]
    if v.sum() < 0:
        v = -v
    w = v / v.sum() * len(ms)
    print(g, [m["iCode"] for m in ms])
    print("  loadings", [repr(float(a)) for a in v])
    print("  node weights", [repr(float(a)) for a in w])
    if (v < 0).any():
        lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
        xn = (x - lo) / (hi - lo) * 100.0
        num = np.nansum(xn * w, axis=1)
        den = np.sum(np.where(np.isnan(xn), 0.0, w), axis=1)
        s = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
        print("  pillar scores", "[" + ", ".join(repr(float(a)) for a in s) + "]")
