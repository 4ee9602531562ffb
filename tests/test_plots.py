"""One picture for the whole project: one palette, one level scale, one pair-levels panel."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import sim.app as app  # noqa: E402
from sim.plots import style  # noqa: E402
from sim.plots.validation import pair_figure  # noqa: E402
from tests.conftest import assert_real_figure  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _steps(ax):
    return [ln for ln in ax.get_lines() if ln.get_drawstyle().startswith("steps")]


def test_no_figure_module_defines_its_own_colours():
    """Colours live in sim/plots/style.py only: every other figure module and the page import them."""
    files = [p for p in (ROOT / "sim" / "plots").glob("*.py") if p.name != "style.py"]
    files.append(ROOT / "sim" / "app.py")
    for path in files:
        text = path.read_text()
        found = re.findall(r"#[0-9a-fA-F]{6}\b|\btab:\w+|steelblue", text)
        assert not found, f"{path.name} defines colours {found}; take them from sim.plots.style"


def test_draw_levels_draws_steps_under_level_names_with_the_reference_visible():
    fig, ax = plt.subplots()
    years = np.arange(2000, 2006)
    style.draw_levels(ax, "de_jure", model=(years, [0, 1, 1, 3, 3, 2]),
                      reference=(years, [0, 1, 2, 3, 3, 3]), names="long")
    lines = _steps(ax)
    assert len(lines) == 2 and all(ln.get_drawstyle() == "steps-mid" for ln in lines)
    ref, model = lines
    assert ref.get_color() == style.REFERENCE_COLOUR and model.get_color() == style.MODEL_COLOUR
    # The reference is broader and underneath, so where both agree it shows around the line.
    assert ref.get_linewidth() > 2 * model.get_linewidth() and ref.get_zorder() < model.get_zorder()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [style.LONG_NAMES["de_jure"][lv] for lv in range(-1, 4)]
    assert ax.get_ylim() == (-1.5, 3.5)
    plt.close(fig)


def test_model_is_labelled_as_one_run_or_median_of_runs():
    assert style.model_label(1) == "model (one run)"
    assert style.model_label(5) == "model (median of 5 runs)"
    labels = [h.get_label() for h in style.levels_legend(style.model_label(3), band=True)]
    assert labels == ["reference", "model (median of 3 runs)", "10-90% of runs"]


def test_level_colours_cover_the_de_facto_scale():
    assert [style.level_colour(lv) for lv in range(-2, 4)] == style.LEVEL_COLOURS
    assert set(style.SHORT_NAMES["de_facto"]) == set(range(-2, 4))
    assert set(style.SHORT_NAMES["de_jure"]) == set(range(-1, 4))


def test_validation_pair_figure_names_levels_and_counts_runs(tmp_path):
    years = list(range(1992, 2000))
    rows = [dict(a="KZK", b="RUS", year=y, dimension=dim, ref=r, sim_mean=m, sim_median=m,
                 sim_q10=m - 1, sim_q90=m)
            for dim in ("de_facto", "de_jure") for y in years
            for r, m in [(2 if y > 1995 else 1, 1)]]
    path = tmp_path / "pair.png"
    assert pair_figure(pd.DataFrame(rows), "KZK", "RUS", path, runs=4)
    assert_real_figure(path)


def test_browser_pair_series_uses_the_shared_picture():
    """The page's pair panel (SVG) draws what draw_levels draws: level names, the reference
    as a broad pale step, the model as a navy step of the collected levels."""
    from sim.plots.page_levels import step_path
    from sim.plots.svg import linear

    model = app.VizModel(scenario_file=str(ROOT / "scenarios" / "central_asia_1991_2024.yaml"), rng=0)
    for _ in range(3):
        model.step()
    a, b = model.ids[0], model.ids[1]
    reference = app.reference_series(model, a, b)
    svg = app.series_figure(model, a, b, reference)
    for scale in ("de_facto", "de_jure"):
        for name in style.SHORT_NAMES[scale].values():
            assert f">{name}</text>" in svg
    assert f'stroke="{style.REFERENCE_COLOUR}"' in svg and f'stroke="{style.MODEL_COLOUR}"' in svg
    years, levels = model.level_series(a, b)
    assert years == [1991, 1992, 1993, 1994]
    path = re.search(r'<path d="([^"]*)"[^>]*class="model" data-scale="de_facto"', svg).group(1)
    x = linear(1990.5, 2024.5, 96.0, 450.0)
    assert path.startswith(f"M{x(1990.5):.1f},") and path.endswith(f"H{x(1994.5):.1f}")
    assert path.count("H") == 4  # one flat step a year, never a slope between levels
    assert step_path([2000, 2001, 2003], [1, float("nan"), 2], x, lambda v: v).count("M") == 2  # gaps stay gaps
