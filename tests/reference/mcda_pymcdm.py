"""Reference values for tests/mcda.rs: pymcdm 1.4.0 (pip install pymcdm) on the ASEM data.

Run from the repository root: python3 tests/reference/mcda_pymcdm.py
Units in the file order of data/asem/iData.csv. Normalisation as the crate's default scorer does it
(COINr's default): direction applied, min-max to [0, 100] over each indicator's non-missing values.
"""
import csv

import numpy as np
from pymcdm.methods import PROMETHEE_II, TOPSIS
from pymcdm.normalizations import vector_normalization

meta = {m["iCode"]: m for m in csv.DictReader(open("data/asem/iMeta.csv"))}
rows = list(csv.DictReader(open("data/asem/iData.csv")))


def raw(codes):
    return np.array([[float(r[c]) if r[c] not in ("", "NA") else np.nan for c in codes] for r in rows])


def minmax100(x, codes):
    out = np.empty_like(x)
    for j, c in enumerate(codes):
        col = x[:, j]
        lo, hi = np.nanmin(col), np.nanmax(col)
        if meta[c]["Direction"] == "-1":
            out[:, j] = (hi - col) / (hi - lo) * 100.0
        else:
            out[:, j] = (col - lo) / (hi - lo) * 100.0
    return out


def gaussian_promethee(x, w, s):
    # Brans' type VI: P(d) = 1 - exp(-d^2 / (2 s^2)) for d > 0; net flow (phi+ - phi-) as pymcdm
    n = x.shape[0]
    pi = np.zeros((n, n))
    for j in range(x.shape[1]):
        d = x[:, j][:, None] - x[:, j][None, :]
        pi += w[j] * np.where(d > 0, 1 - np.exp(-d * d / (2 * s * s)), 0.0)
    return (pi.sum(axis=1) - pi.sum(axis=0)) / (n - 1)


def show(name, v):
    print(f"// {name}")
    print("[" + ", ".join(repr(float(a)) for a in v) + "]")


pol = ["Embs", "IGOs", "UNVote"]
xp = minmax100(raw(pol), pol)
w3 = np.ones(3) / 3
types = np.ones(3)
show("POLITICAL_TOPSIS_MINMAX", TOPSIS()(xp, w3, types))
show("POLITICAL_TOPSIS_VECTOR", TOPSIS(vector_normalization)(xp, w3, types))
show("POLITICAL_PROMETHEE_USUAL", PROMETHEE_II("usual")(xp, w3, types))
show("POLITICAL_PROMETHEE_USHAPE_Q10", PROMETHEE_II("ushape", q=[10.0] * 3)(xp, w3, types))
show("POLITICAL_PROMETHEE_VSHAPE_P20", PROMETHEE_II("vshape", p=[20.0] * 3)(xp, w3, types))
show("POLITICAL_PROMETHEE_LEVEL_P20_Q5", PROMETHEE_II("level", p=[20.0] * 3, q=[5.0] * 3)(xp, w3, types))
show("POLITICAL_PROMETHEE_VSHAPE2_P20_Q5", PROMETHEE_II("vshape_2", p=[20.0] * 3, q=[5.0] * 3)(xp, w3, types))
show("POLITICAL_PROMETHEE_GAUSSIAN_S15 (numpy, Brans type VI)", gaussian_promethee(xp, w3, 15.0))

# raw Political values, unequal weights (0.5, 0.3, 0.2): TOPSIS both normalisations, PROMETHEE usual
xr = raw(pol)
wr = np.array([0.5, 0.3, 0.2])
show("RAW_TOPSIS_MINMAX_W532", TOPSIS()(xr, wr, types))
show("RAW_TOPSIS_VECTOR_W532", TOPSIS(vector_normalization)(xr, wr, types))
show("RAW_PROMETHEE_USUAL_W532", PROMETHEE_II("usual")(xr, wr, types))

# Instit (three cost indicators, 4 missing values): complete units only (MissingPolicy::Propagate)
ins = ["CostImpEx", "Tariff", "TBTs", "TIRcon", "RTAs", "Visa"]
xi = minmax100(raw(ins), ins)
ok = ~np.isnan(xi).any(axis=1)
w6 = np.ones(6) / 6
out = np.full(len(rows), np.nan)
out[ok] = TOPSIS()(xi[ok], w6, np.ones(6))
show("INSTIT_TOPSIS_MINMAX_PROPAGATE (NaN = unit with a missing indicator)", out)
out = np.full(len(rows), np.nan)
out[ok] = PROMETHEE_II("vshape", p=[25.0] * 6)(xi[ok], w6, np.ones(6))
show("INSTIT_PROMETHEE_VSHAPE_P25_PROPAGATE", out)
