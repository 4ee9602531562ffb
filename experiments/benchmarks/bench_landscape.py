"""Benchmark: exhaustive two-bloc landscapes with basins, and random starts.

Targets (one core, including basins): n = 20 under 1 s, n = 24 under 20 s.
Run: .venv/bin/python experiments/benchmarks/bench_landscape.py [--sizes 16 20 24]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from sim.landscape.theory import exhaustive_binary, exhaustive_kblocs, random_starts


def landscape(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    s = rng.uniform(0.05, 1.0, n)
    p = rng.normal(size=(n, n))
    return s, (p + p.T) / 2


def timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[12, 16, 20, 24])
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    print(f"{'n':>3} {'configurations':>14} {'minima':>6} {'seconds':>8} {'target':>7}")
    for n in args.sizes:
        s, p = landscape(n)
        best = min(timed(exhaustive_binary, s, p)[1] for _ in range(args.repeats))
        res, _ = timed(exhaustive_binary, s, p)
        target = {20: "< 1 s", 24: "< 20 s"}.get(n, "")
        print(f"{n:>3} {res.n_configurations:>14,} {len(res.minima):>6} {best:>8.3f} {target:>7}")
    s, p = landscape(10)
    res, t = timed(exhaustive_kblocs, s, p, 3)
    print(f"k=3 exhaustive, n=10: {res.n_configurations:,} configurations, "
          f"{len(res.minima)} minima, {t:.3f} s")
    s, p = landscape(60)
    res, t = timed(random_starts, s, p, 2, 2000, 0)
    print(f"random starts, n=60, k=2: 2,000 starts, {len(res.minima)} minima, {t:.3f} s")
    res, t = timed(random_starts, s, p, 4, 1000, 0)
    print(f"random starts, n=60, k=4: 1,000 starts, {len(res.minima)} minima, {t:.3f} s")


if __name__ == "__main__":
    main()
