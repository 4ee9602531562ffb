"""Fit the historical scenario's mechanism weights to the whole reference record.

Differential evolution (scipy) over the free mechanism parameters listed in
``PARAMETERS``. The objective scores runs (seeds 0-2) on everything the record holds for
1992-2024 (1991 holds the initial conditions):

* de facto exact accuracy over all 36 pairs;
* de jure exact accuracy over all 36 pairs;
* de facto change points as an F1 score: recall is the share of reference changes the run
  makes in the same direction within a year, precision the share of the run's changes
  that match a reference change, so a run cannot buy hits with restlessness;
* bloc joins and exits as an F1 score on the same terms, and bloc membership accuracy;
* the documented patterns (seeds/reference/documented_patterns.yaml) that a run's levels
  and blocs can show (the class patterns need full recording and are left to validation):
  the share a run reproduces.

objective = -(exact_f + exact_j + 0.5 * F1_changes + 0.5 * F1_blocs + 0.5 * bloc_exact
              + patterns) / 4.5

Scoring reads the model's history arrays directly against the reference rows, so one
evaluation costs three runs. The initial population includes the scenario's current
values unless ``--fresh``, or an earlier fit's point with ``--start FIT.json``: the search
keeps its start, so where it starts decides which basin a short budget explores (the
theory tournament starts each theory from its best fit on record,
``experiments/theory_tournament/archive.py``).

    .venv/bin/python experiments/fit_baseline/fit.py [--maxiter 30] [--popsize 8] [--seed 11]
        [--train-end 2024] [--out experiments/fit_baseline/fitted.json] [--fresh | --start FIT.json]
        [--set path=value ...] [--fixed path ...]
"""

from __future__ import annotations

import argparse
import json
import time
from operator import attrgetter
from pathlib import Path

import numpy as np
from scipy.optimize import differential_evolution

from sim.files import json_text
from sim.analysis.patterns import judge_levels, judge_membership, load_patterns
from sim.run.simulate import simulate
from sim.scenario.reference import load_bloc_reference, load_reference
from sim.scenario.schema import apply_overrides, load_raw, scenario_from_dict

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "central_asia_1991_2024.yaml"
REFERENCE = ROOT / "seeds" / "reference" / "central_asia_reference.csv"
BLOC_REFERENCE = ROOT / "seeds" / "reference" / "central_asia_reference_blocs.csv"
PATTERNS = ROOT / "seeds" / "reference" / "documented_patterns.yaml"

#: (dotted path, lower bound, upper bound); the *_years are rounded down to integers.
PARAMETERS = [
    ("mechanism.threat.power", 0, 1), ("mechanism.threat.proximity", 0, 1),
    ("mechanism.threat.offense", 0, 1), ("mechanism.threat.intent", 0.01, 1),
    ("mechanism.utility.security", 0, 3), ("mechanism.utility.balancing", 0, 3),
    ("mechanism.utility.bandwagon", 0, 3), ("mechanism.utility.ideology", 0, 1.5),
    ("mechanism.utility.interests", 0, 2), ("mechanism.utility.economy", 0, 3),
    ("mechanism.utility.disputes", 0, 3),
    ("mechanism.utility.autonomy", 0, 2), ("mechanism.utility.commitment", 0, 1.5),
    ("mechanism.utility.inertia", 0, 1.5),
    ("mechanism.level_gain", 1.5, 5), ("mechanism.normal_level", -0.5, 1.5),
    ("mechanism.adjustment_rate", 0.2, 1.0),
    ("mechanism.formalise_years", 1, 5.99), ("mechanism.denounce_years", 1, 5.99),
    ("mechanism.bloc_join_margin", 0, 2),
    ("mechanism.bloc_leave_margin", 1, 3.5), ("mechanism.bloc_consent", 0, 1.5),
    ("mechanism.temperature", 0.02, 0.5), ("mechanism.switching_cost", 0, 0.5),
]
INTEGER = ("mechanism.formalise_years", "mechanism.denounce_years")
SEEDS = (0, 1, 2)


def overrides(x, params) -> dict:
    d = {path: float(v) for (path, _, _), v in zip(params, x)}
    for key in INTEGER:
        if key in d:
            d[key] = int(d[key])
    return d


def current_values(sc, params) -> list[float]:
    """The scenario's present values of the fitted parameters, clipped into the bounds."""
    return [min(max(float(attrgetter(path)(sc)), lo), hi) for path, lo, hi in params]


def _f1(recall: float, precision: float) -> float:
    return 0.0 if recall + precision == 0 else 2 * recall * precision / (recall + precision)


def _matched(moves: np.ndarray, wanted: list[tuple], tol: int = 1) -> tuple[int, int]:
    """One-to-one matches of wanted moves (key..., t, direction) in a moves array [t, key...]."""
    used = set()
    hits = 0
    for *key, t, d in wanted:
        for dt in sorted(range(-tol, tol + 1), key=abs):
            tt = t + dt
            if 1 <= tt < moves.shape[0] and (tt, *key) not in used and moves[(tt, *key)] == d:
                used.add((tt, *key))
                hits += 1
                break
    return hits, len(used)


class Scorer:
    """Everything the objective needs, in numpy, for runs of one scenario."""

    def __init__(self, sc, y0: int, y1: int):
        ids, blocs, first = sc.ids, [b.id for b in sc.blocs], sc.time.start
        self.t0, self.t1 = y0 - first, y1 - first
        ref = load_reference(REFERENCE, states=ids)
        ref = ref[(ref.year >= y0) & (ref.year <= y1)]
        ix = {s: k for k, s in enumerate(ids)}
        self.rows = {}
        for dim in ("de_facto", "de_jure"):
            r = ref[ref[dim].notna()]
            self.rows[dim] = (r.year.to_numpy() - first, r.a.map(ix).to_numpy(),
                              r.b.map(ix).to_numpy(), r[dim].to_numpy(dtype=int))
        full = load_reference(REFERENCE, states=ids)
        self.changes = []
        for (a, b), g in full[full.de_facto.notna()].sort_values("year").groupby(["a", "b"]):
            y, v = g.year.to_numpy(), g.de_facto.to_numpy(dtype=int)
            for k in range(1, len(v)):
                if v[k] != v[k - 1] and y[k] - y[k - 1] == 1 and y0 <= y[k] <= y1:
                    i, j = sorted((ix[a], ix[b]))
                    self.changes.append((i, j, y[k] - first, int(np.sign(v[k] - v[k - 1]))))
        bref = load_bloc_reference(BLOC_REFERENCE)
        bref = bref[bref.bloc.isin(blocs) & bref.state.isin(ids)]
        self.brows = (bref.year.to_numpy() - first, bref.state.map(ix).to_numpy(),
                      bref.bloc.map({b: k for k, b in enumerate(blocs)}).to_numpy(), bref.member.to_numpy())
        keep = (self.brows[0] >= self.t0) & (self.brows[0] <= self.t1)
        self.brows = tuple(a[keep] for a in self.brows)
        founders = {(ix[s], k, (b.founded or first) - first) for k, b in enumerate(sc.blocs) for s in b.founders}
        M = np.zeros((y1 - first + 1, len(ids), len(blocs)), int)
        t, i, k, m = (a for a in (bref.year.to_numpy() - first, bref.state.map(ix).to_numpy(),
                                  bref.bloc.map({b: k for k, b in enumerate(blocs)}).to_numpy(), bref.member.to_numpy()))
        ok = (t >= 0) & (t < M.shape[0])
        M[t[ok], i[ok], k[ok]] = m[ok]
        dM = np.diff(M, axis=0)
        self.bloc_changes = [(int(i), int(k), int(t) + 1, int(np.sign(dM[t, i, k])))
                             for t, i, k in zip(*np.nonzero(dM))
                             if self.t0 <= t + 1 <= self.t1 and (i, k, t + 1) not in founders]
        self.founders = founders
        self.ix, self.bx, self.first = ix, {b: k for k, b in enumerate(blocs)}, first
        self.patterns = [p for p in load_patterns(PATTERNS)
                         if all(c.kind != "class" for c in p.conditions)
                         and all(c.years[1] <= y1 for c in p.conditions)]

    def _holds(self, c, F, J, Mb) -> bool:
        """One pattern condition on a run's history arrays (judged as sim.analysis.patterns does)."""
        t = np.arange(c.years[0] - self.first, c.years[1] - self.first + 1)
        if c.kind == "member":
            return judge_membership(Mb[t, self.ix[c.state], self.bx[c.bloc]], c)
        i, j = self.ix[c.pair[0]], self.ix[c.pair[1]]
        return judge_levels((F if c.scale == "de_facto" else J)[t, i, j].astype(float), c)

    def __call__(self, history: dict) -> dict[str, float]:
        F = np.stack(history["de_facto"]).astype(int)
        J = np.stack(history["de_jure"]).astype(int)
        Mb = np.stack(history["members"]) & np.stack(history["bloc_active"])[:, None, :]
        out = {}
        t, i, j, v = self.rows["de_facto"]
        out["exact_de_facto"] = float((F[t, i, j] == v).mean())
        t, i, j, v = self.rows["de_jure"]
        out["exact_de_jure"] = float((J[t, i, j] == v).mean())
        moves = np.zeros_like(F)
        moves[1:] = np.sign(F[1:] - F[:-1])
        upper = np.triu(np.ones(F.shape[1:], bool), 1)
        n_sim = int((moves[self.t0:self.t1 + 1] != 0)[:, upper].sum())
        hits, used = _matched(moves, [(i, j, t, d) for i, j, t, d in self.changes])
        rec = hits / max(len(self.changes), 1)
        out["change_recall"], out["change_false"] = rec, float(n_sim - used)
        out["change_f1"] = _f1(rec, used / n_sim if n_sim else 0.0)
        t, i, k, m = self.brows
        out["bloc_exact"] = float((Mb[t, i, k].astype(int) == m).mean())
        bm = np.zeros(Mb.shape, int)
        bm[1:] = np.sign(Mb[1:].astype(int) - Mb[:-1].astype(int))
        for i_, k_, t_ in self.founders:
            if 0 <= t_ < bm.shape[0]:
                bm[t_, i_, k_] = 0
        n_bsim = int((bm[self.t0:self.t1 + 1] != 0).sum())
        bh, bused = _matched(bm, self.bloc_changes)
        brec = bh / max(len(self.bloc_changes), 1)
        out["bloc_recall"], out["bloc_false"] = brec, float(n_bsim - bused)
        out["bloc_f1"] = _f1(brec, bused / n_bsim if n_bsim else 0.0)
        out["patterns"] = float(np.mean([all(self._holds(c, F, J, Mb) for c in p.conditions)
                                         for p in self.patterns])) if self.patterns else 0.0
        return out


def objective_value(s: dict) -> float:
    return -(s["exact_de_facto"] + s["exact_de_jure"] + 0.5 * s["change_f1"] + 0.5 * s["bloc_f1"]
             + 0.5 * s["bloc_exact"] + s["patterns"]) / 4.5


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--maxiter", type=int, default=30)
    p.add_argument("--popsize", type=int, default=8)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--train-end", type=int, default=2024, help="last year scored by the fit")
    p.add_argument("--out", default=str(ROOT / "experiments" / "fit_baseline" / "fitted.json"))
    p.add_argument("--fresh", action="store_true",
                   help="do not seed the population with the scenario's current values")
    p.add_argument("--start", metavar="FIT.json",
                   help="seed the population with an earlier fit's values (its 'overrides') instead of the "
                        "scenario's; what --set fixes still wins")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="fix a parameter (e.g. a theory's preset) before fitting the rest")
    p.add_argument("--fixed", action="append", default=[], metavar="PATH",
                   help="leave this parameter out of the fit")
    args = p.parse_args()
    raw = load_raw(SCENARIO)
    fixed = dict(kv.split("=", 1) for kv in args.set)
    if args.start:  # another start: the population's seed is that fit's point
        raw = apply_overrides(raw, json.loads(Path(args.start).read_text())["overrides"], source=args.start)
    raw = apply_overrides(raw, {k: json.loads(v) for k, v in fixed.items()})
    params = [q for q in PARAMETERS if q[0] not in args.fixed and q[0] not in fixed]
    first = scenario_from_dict(raw, base_dir=SCENARIO.parent)
    scorer = Scorer(first, 1992, args.train_end)
    best = {"objective": np.inf}

    def evaluate(x) -> tuple[float, dict]:
        sc = scenario_from_dict(apply_overrides(raw, overrides(x, params)), base_dir=SCENARIO.parent)
        runs = [scorer(simulate(sc, seed, record=False).model.history) for seed in SEEDS]
        s = {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}
        return objective_value(s), s

    def objective(x) -> float:
        value, s = evaluate(x)
        if value < best["objective"]:
            best.update(objective=value, scores=s, overrides=overrides(x, params))
            print(time.strftime("%H:%M:%S"), f"objective {value:.4f}",
                  {k: round(v, 3) for k, v in s.items()}, flush=True)
        return value

    result = differential_evolution(objective, [(lo, hi) for _, lo, hi in params], seed=args.seed,
                                    popsize=args.popsize, maxiter=args.maxiter, tol=1e-6, polish=False,
                                    x0=None if args.fresh else current_values(first, params),
                                    updating="immediate")
    value, s = evaluate(result.x)
    out = {"objective": value, "scores": s, "overrides": overrides(result.x, params),
           "free_parameters": len(params), "fixed": fixed, "seed": args.seed,
           "evaluations": int(result.nfev), "train_end": args.train_end, "start": args.start}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json_text(out, indent=1, default=float) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
