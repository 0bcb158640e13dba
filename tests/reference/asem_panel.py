"""Independent reference values for tests/purse.rs, tests/trends.rs and tests/impute_panel.rs.

Reads data/asem/iMeta.csv and data/asem/iData_p.csv with the csv module and numpy only (no code of
the crate), and prints the numbers the tests compare with. Run from the repository root:

    python3 tests/reference/asem_panel.py

Build: no preparation steps; min-max to [0, 100] per indicator (values multiplied by Direction);
arithmetic mean with the iMeta weights (all 1) over the *available* children at every level; the index
is the root. "global" fits min and max on the 255 rows of all years pooled, "per-year" on each year's
51 rows.
"""
import csv
import numpy as np

meta = list(csv.DictReader(open("data/asem/iMeta.csv")))
rows = list(csv.DictReader(open("data/asem/iData_p.csv")))
inds = [m for m in meta if m["Type"] == "Indicator"]
aggs = [m for m in meta if m["Type"] == "Aggregate"]
codes = [m["iCode"] for m in inds]
dirs = np.array([float(m["Direction"]) for m in inds])
years = sorted({int(r["Time"]) for r in rows})
units = [r["uCode"] for r in rows if r["Time"] == str(years[0])]


def val(s):
    return float(s) if s not in ("", "NA") else np.nan


X = {y: np.array([[val(r[c]) for c in codes] for r in rows if int(r["Time"]) == y]) for y in years}
U = {y: [r["uCode"] for r in rows if int(r["Time"]) == y] for y in years}
assert all(U[y] == units for y in years)


def minmax(x, lo, hi):
    return (x - lo) / (hi - lo) * 100.0


def aggregate(norm):
    """norm: units x indicators -> dict code -> units vector (indicators and aggregates)."""
    vals = {c: norm[:, j] for j, c in enumerate(codes)}
    parent = {m["iCode"]: m["Parent"] for m in meta if m["Type"] in ("Indicator", "Aggregate")}
    level = {m["iCode"]: int(m["Level"]) for m in meta if m["Type"] in ("Indicator", "Aggregate")}
    for lev in sorted({level[a["iCode"]] for a in aggs}):
        for a in [a["iCode"] for a in aggs if level[a["iCode"]] == lev]:
            kids = [c for c, p in parent.items() if p == a]
            m = np.array([vals[k] for k in kids])
            vals[a] = np.nanmean(m, axis=0)
    return vals


root = [a["iCode"] for a in aggs if a["Parent"] == ""][0]
oriented = {y: X[y] * dirs for y in years}
pooled = np.vstack([oriented[y] for y in years])
glo_min, glo_max = np.nanmin(pooled, axis=0), np.nanmax(pooled, axis=0)
j = codes.index("LPI")
print("LPI pooled min/max: %r %r" % (glo_min[j], glo_max[j]))
for y in (2018, 2022):
    g = aggregate(minmax(oriented[y], glo_min, glo_max))
    p = aggregate(minmax(oriented[y], np.nanmin(oriented[y], axis=0), np.nanmax(oriented[y], axis=0)))
    for u in ("AUT", "CHN", "NZL"):
        i = units.index(u)
        print("%d %s global Index %r  per-year Index %r  global Conn %r" % (y, u, g[root][i], p[root][i], g["Conn"][i]))

# trends of raw indicator series (all 5 years)
t = np.array(years, dtype=float)
for u, c in (("AUT", "LPI"), ("CHN", "Goods"), ("NZL", "CO2")):
    y = np.array([X[yy][units.index(u), codes.index(c)] for yy in years])
    cagr = (y[-1] / y[0]) ** (1.0 / (t[-1] - t[0])) - 1.0
    slope = np.polyfit(t, y, 1)[0]
    b, a = np.polyfit(t, y, 1)
    prc = b / (a + b * t[0]) * 100.0
    print("%s %s series %r CAGR %r slope %r prc_change %r" % (u, c, list(y), cagr, slope, prc))
    # last three years only
    y3, t3 = y[-3:], t[-3:]
    print("   latest 3: CAGR %r slope %r" % ((y3[-1] / y3[0]) ** (1.0 / (t3[-1] - t3[0])) - 1.0, np.polyfit(t3, y3, 1)[0]))

# linear panel imputation of AUT LPI 2020 removed: between 2019 and 2021
y = [X[yy][units.index("AUT"), codes.index("LPI")] for yy in years]
print("AUT LPI 2019 %r 2021 %r linear 2020 %r" % (y[1], y[3], y[1] + (y[3] - y[1]) * ((2020 - 2019) / (2021 - 2019))))
