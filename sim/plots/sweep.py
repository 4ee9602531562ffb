"""Pictures of a sweep: outcome maps, ensemble probabilities, score distributions.

An outcome map shows how a summary metric (mean over replicates) changes over two swept
parameters, e.g. the balance-of-power to balance-of-threat axis against the noise
temperature. The ensemble-probability chart shows, per pair and year, the share of runs in
which the pair was at least cooperating (or allied). Score distributions show the spread of
validation scores across runs, which is what one seed alone would hide.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.ensembles.storage import load_dyads, load_results  # noqa: E402
from sim.plots.style import (METRIC_CMAP, MODEL_COLOUR, SCALE_NAMES, SHARE_CMAP, SPLIT_COLOUR,  # noqa: E402
                             draw_levels, figure_header, level_names_inches, levels_legend, model_label,
                             pair_rows, panel_grid, save_png, scale_label)


def outcome_map(results: pd.DataFrame, x: str, y: str, metric: str, path: str | Path,
                title: str | None = None) -> Path:
    """Heatmap of the replicate mean of ``metric`` over the levels of ``x`` and ``y``."""
    ok = results[results.status == "ok"]
    table = ok.pivot_table(index=y, columns=x, values=metric, aggfunc="mean")
    fig, ax = plt.subplots(figsize=(6, 4.5))
    im = ax.imshow(table.to_numpy(float), origin="lower", aspect="auto", cmap=METRIC_CMAP)
    ax.set_xticks(range(table.shape[1]), [f"{v:.3g}" if isinstance(v, float) else str(v)
                                          for v in table.columns], rotation=45, fontsize=8)
    ax.set_yticks(range(table.shape[0]), [f"{v:.3g}" if isinstance(v, float) else str(v)
                                          for v in table.index], fontsize=8)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    for (i, j), v in np.ndenumerate(table.to_numpy(float)):
        if np.isfinite(v) and table.size <= 100:
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7, color="white")
    fig.colorbar(im, ax=ax, label=f"{metric} (mean over replicates)")
    ax.set_title(title or metric, fontsize=10)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def ensemble_probability(dyads: pd.DataFrame, path: str | Path, level: int = 1,
                         column: str = "de_facto", pairs: list[tuple[str, str]] | None = None,
                         title: str | None = None) -> tuple[Path, pd.DataFrame]:
    """Share of runs with ``column >= level`` per pair and year, as a pairs x years heatmap."""
    d = dyads.assign(pair=dyads.a + "-" + dyads.b, hit=(dyads[column] >= level).astype(float))
    if pairs:
        keep = {f"{a}-{b}" for a, b in pairs} | {f"{b}-{a}" for a, b in pairs}
        d = d[d.pair.isin(keep)]
    prob = d.pivot_table(index="pair", columns="year", values="hit", aggfunc="mean")
    prob = prob.loc[prob.mean(axis=1).sort_values(ascending=False).index]
    fig, ax = plt.subplots(figsize=(max(6, 0.22 * prob.shape[1] + 2), max(3, 0.25 * len(prob) + 1)))
    im = ax.imshow(prob.to_numpy(float), aspect="auto", cmap=SHARE_CMAP, vmin=0, vmax=1)
    ax.set_yticks(range(len(prob)), prob.index, fontsize=7)
    step = max(1, prob.shape[1] // 12)
    ax.set_xticks(range(0, prob.shape[1], step), prob.columns[::step], fontsize=7, rotation=45)
    fig.colorbar(im, ax=ax, label=f"P({column} >= {level})")
    ax.set_title(title or f"Ensemble probability of {column} >= {level}", fontsize=10)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path, prob


def score_distribution(results: pd.DataFrame, metrics: list[str], path: str | Path,
                       by: str | None = None) -> Path:
    """Histograms (or box plots by ``by``) of run-level scores."""
    ok = results[results.status == "ok"]
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 3.2), squeeze=False)
    for ax, m in zip(axes[0], metrics):
        if by is not None and ok[by].nunique() <= 12:
            groups = [g[m].dropna().to_numpy() for _, g in ok.groupby(by)]
            ax.boxplot(groups, tick_labels=[f"{k:.3g}" if isinstance(k, float) else str(k)
                                            for k in sorted(ok[by].unique())])
            ax.set_xlabel(by)
        else:
            ax.hist(ok[m].dropna(), bins=20, color=MODEL_COLOUR)
            ax.set_xlabel(m)
            ax.set_ylabel("runs")
        ax.set_title(m, fontsize=9)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def default_plots(out_dir: str | Path, sweep) -> list[Path]:
    """The plots a sweep draws at the end, into ``out_dir/plots``."""
    out_dir = Path(out_dir)
    plots = out_dir / "plots"
    plots.mkdir(exist_ok=True)
    results = load_results(out_dir)
    if results.empty or not (results.status == "ok").any():
        return []
    spec = sweep.spec
    names = list(spec.parameters)
    made = []
    metrics = spec.plots.metrics or [c for c in results.columns if c.startswith("val_exact")][:1]
    x = spec.plots.x or (names[0] if names else None)
    y = spec.plots.y or (names[1] if len(names) > 1 else None)
    for m in metrics:
        if m not in results.columns:  # known only now: the outputs come from the runs
            print(f"alliance-sim: warning: plots.metrics: '{m}' is not a result column of the "
                  "sweep; no map drawn for it", file=sys.stderr)
            continue
        if x and y and spec.design.kind == "grid":
            made.append(outcome_map(results, x, y, m, plots / f"map_{m}.png"))
    val = [c for c in results.columns if c.startswith("val_exact")]
    if val:
        made.append(score_distribution(results, val[:3], plots / "scores.png"))
    if spec.outputs.dyads:
        dy = load_dyads(out_dir, columns=["a", "b", "year", "de_facto", "de_jure"])
        made.append(ensemble_probability(dy, plots / "ensemble_probability.png")[0])
    return made


def fit_timeline(reference: pd.DataFrame, runs: dict[str, pd.DataFrame], train_end: int,
                 path: str | Path, max_pairs: int = 4) -> Path:
    """Reference against simulated levels for the pairs that change most, with the
    train/test split marked: what a fit reproduces and where it stops reproducing.

    The first of ``runs`` is the model's line, the others are drawn as comparisons.
    """
    from sim.scenario.reference import LEVEL_COLUMNS, canonical_pairs

    def levels(table: pd.DataFrame) -> pd.DataFrame:
        return canonical_pairs(table[list(LEVEL_COLUMNS)])

    ref = levels(reference)
    moves = ref.groupby(["a", "b"])[list(SCALE_NAMES)].nunique().sum(axis=1)
    pairs = list(moves.sort_values(ascending=False).index[:max_pairs])
    runs = {k: levels(v) for k, v in runs.items()}
    (first, main), *rest = runs.items()
    names = level_names_inches()  # the level names left of each panel
    fig, axes = panel_grid(len(pairs), 2, (4.3, 1.3), left=names + 0.3, right=0.15, top=0.9, bottom=0.35,
                           gaps=(names + 0.3, 0.4), sharex=True)
    for row, (a, b) in zip(axes, pairs):
        rr, mm = pair_rows(ref, a, b), pair_rows(main, a, b)
        others = [(label, pair_rows(d, a, b)) for label, d in rest]
        for ax, col in zip(row, SCALE_NAMES):
            draw_levels(ax, col, reference=(rr.year, rr[col]), model=(mm.year, mm[col]),
                        others=[(label, o.year, o[col]) for label, o in others])
            ax.axvline(train_end + 0.5, color=SPLIT_COLOUR, lw=0.8)
            ax.set_title(f"{a}-{b} {scale_label(col)}", fontsize=9)
            ax.tick_params(labelsize=8)
    axes[0, 1].text(train_end + 0.7, 0.98, "test", color=SPLIT_COLOUR, fontsize=8, va="top",
                    transform=axes[0, 1].get_xaxis_transform())
    legend = levels_legend(model_label(1, first), others=[model_label(1, label) for label, _ in rest])
    figure_header(fig, f"fitted on years <= {train_end}, tested after", legend, beside=False)
    path = Path(path)
    save_png(fig, path, dpi=110)
    return path

