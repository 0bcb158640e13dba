"""Independent reference values for tests/remove.rs and tests/optimise.rs (numpy + scipy).

Re-implements, from COINr's documented semantics and not from the crate, the default build of the
ASEM index (units sorted by code, direction applied, min-max to [0, 100] over non-missing values,
weighted arithmetic means over the available children at every level, ranks with min ties), then
  * leave-one-out (COINr remove_elements): the removed element's weight set to 0, everything else
    kept; a parent whose remaining weights sum to 0 is missing (NaN);
  * COINr's get_opt_weights objective at level 3 (Conn, Sust), minimised by a bounded scalar search
    on w in (0, 1) (weights (w, 1 - w)), for itarg = equal and itarg = (1, 2).
Run from the repository root:  python3 tests/reference/remove_optimise_asem.py
"""
import csv

import numpy as np
from scipy.optimize import minimize, minimize_scalar
from scipy.stats import rankdata

meta = list(csv.DictReader(open("data/asem/iMeta.csv")))
rows = sorted(csv.DictReader(open("data/asem/iData.csv")), key=lambda r: r["uCode"])
units = [r["uCode"] for r in rows]
nodes = [m for m in meta if m["Type"] in ("Indicator", "Aggregate")]
code = [m["iCode"] for m in nodes]
level = {m["iCode"]: int(m["Level"]) for m in nodes}
parent = {m["iCode"]: m["Parent"] for m in nodes}
weight = {m["iCode"]: float(m["Weight"]) for m in nodes}
children = {c: [k for k in code if parent[k] == c] for c in code}
inds = [c for c in code if level[c] == 1]
maxlev = max(level.values())
root = [c for c in code if level[c] == maxlev][0]


def num(s):
    return float(s) if s not in ("", "NA") else np.nan


norm = {}
for m in nodes:
    if m["Type"] != "Indicator":
        continue
    x = np.array([num(r[m["iCode"]]) for r in rows]) * float(m["Direction"])
    lo, hi = np.nanmin(x), np.nanmax(x)
    norm[m["iCode"]] = (x - lo) / (hi - lo) * 100.0


def build(w):
    val = dict(norm)
    for lev in range(2, maxlev + 1):
        for c in [k for k in code if level[k] == lev]:
            X = np.column_stack([val[k] for k in children[c]])
            W = np.array([w[k] for k in children[c]])
            avail = ~np.isnan(X)
            ws = (avail * W).sum(axis=1)
            num_ = np.where(avail, X, 0.0) @ W
            with np.errstate(invalid="ignore", divide="ignore"):
                val[c] = np.where((ws > 0) & avail.any(axis=1), num_ / ws, np.nan)
    return val


def ranks(x):
    r = rankdata(-x, method="min").astype(float)
    r[np.isnan(x)] = np.nan
    return r


nominal = build(weight)
nom_r = ranks(nominal[root])
print("nominal index, first 3 units:", [(u, repr(v)) for u, v in zip(units[:3], nominal[root][:3])])
for lev in (1, 2, 3):
    print(f"--- level {lev}: element, mean abs rank diff, index of {units[0]}")
    for c in [k for k in code if level[k] == lev]:
        w = dict(weight)
        w[c] = 0.0
        y = build(w)[root]
        d = nom_r - ranks(y)
        print(c, repr(np.nanmean(np.abs(d))), repr(y[0]))

conn, sust = nominal["Conn"], nominal["Sust"]
assert not np.isnan(conn).any() and not np.isnan(sust).any()


def corrs(w):
    y = w * conn + (1 - w) * sust  # level-3 weights (w, 1 - w): index = weighted mean
    return np.array([np.corrcoef(conn, y)[0, 1], np.corrcoef(sust, y)[0, 1]])


def coinr_obj(w, t):
    r = corrs(w)
    return np.log(np.sum((t - r / r.sum()) ** 2) / 2)


for t in (np.array([0.5, 0.5]), np.array([1 / 3, 2 / 3])):
    res = minimize_scalar(lambda w: coinr_obj(w, t), bounds=(1e-9, 1 - 1e-9), method="bounded",
                          options={"xatol": 1e-12})
    grid = np.linspace(0.001, 0.999, 9981)
    g = min(grid, key=lambda w: coinr_obj(w, t))
    r = corrs(res.x)
    print("itarg", t, "w* =", repr(res.x), "grid w* =", repr(g), "corr =", r, "norm =", r / r.sum(),
          "objective =", repr(res.fun), "objective at equal weights =", repr(coinr_obj(0.5, t)))

# infomax at level 3: maximise corr(Conn, y) + corr(Sust, y)
res = minimize_scalar(lambda w: -corrs(w).sum(), bounds=(1e-9, 1 - 1e-9), method="bounded",
                      options={"xatol": 1e-12})
print("infomax w* =", repr(res.x), "sum corr =", repr(-res.fun), "at equal weights =", repr(corrs(0.5).sum()))

# balance at level 2 (8 pillars, equal targets): scipy's Nelder-Mead from 7 starts (equal weights and
# 6 seeded random ones), weights |p| / sum|p| as in the crate; the best objective found is the bar
L2 = [k for k in code if level[k] == 2]


def obj_l2(p):
    a = np.abs(p)
    if a.sum() == 0:
        return np.inf
    w = dict(weight)
    for k, v in zip(L2, a / a.sum()):
        w[k] = v
    val = build(w)
    r = np.array([np.corrcoef(val[k], val[root])[0, 1] for k in L2])
    return np.log(np.sum((1 / 8 - r / r.sum()) ** 2) / 8)


rng = np.random.default_rng(1)
fits = [minimize(obj_l2, s, method="Nelder-Mead",
                 options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000, "maxfev": 40000}).fun
        for s in [np.ones(8)] + [rng.random(8) for _ in range(6)]]
print("level 2 balance: objective at equal weights", repr(obj_l2(np.ones(8))), "best of scipy NM", repr(min(fits)))
