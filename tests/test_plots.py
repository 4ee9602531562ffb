"""One picture for the whole project: one palette, one level scale, one pair-levels panel."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import sim.app as app  # noqa: E402
from sim.levels import DE_FACTO_NAMES, DE_JURE_NAMES, LEVEL_NAMES  # noqa: E402
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
                      reference=(years, [0, 1, 2, 3, 3, 3]))
    lines = _steps(ax)
    assert len(lines) == 2 and all(ln.get_drawstyle() == "steps-mid" for ln in lines)
    ref, model = lines
    assert ref.get_color() == style.REFERENCE_COLOUR and model.get_color() == style.MODEL_COLOUR
    # The reference is broader and underneath, so where both agree it shows around the line.
    assert ref.get_linewidth() > 2 * model.get_linewidth() and ref.get_zorder() < model.get_zorder()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [DE_JURE_NAMES[lv] for lv in range(-1, 4)]
    assert ax.get_ylim() == (-1.5, 3.5)
    plt.close(fig)


def test_model_is_labelled_as_one_run_or_median_of_runs():
    assert style.model_label(1) == "model (one run)"
    assert style.model_label(5) == "model (median of 5 runs)"
    labels = [h.get_label() for h in style.levels_legend(style.model_label(3), band=True)]
    assert labels == ["reference", "model (median of 3 runs)", "10-90% of runs"]


def test_level_colours_cover_the_de_facto_scale():
    assert [style.level_colour(lv) for lv in range(-2, 4)] == style.LEVEL_COLOURS
    assert set(DE_FACTO_NAMES) == set(range(-2, 4))
    assert set(DE_JURE_NAMES) == set(range(-1, 4))


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
    from sim.plots.page_levels import LEFT, RIGHT, WIDTH, step_path
    from sim.plots.svg import linear

    model = app.VizModel(scenario_file=str(ROOT / "scenarios" / "central_asia_1991_2024.yaml"), rng=0)
    for _ in range(3):
        model.step()
    a, b = model.ids[0], model.ids[1]
    reference = app.reference_series(model, a, b)
    svg = app.series_figure(model, a, b, reference)
    for scale in ("de_facto", "de_jure"):
        for name in LEVEL_NAMES[scale].values():
            assert f">{name}</text>" in svg
    assert f'stroke="{style.REFERENCE_COLOUR}"' in svg and f'stroke="{style.MODEL_COLOUR}"' in svg
    years, levels = model.level_series(a, b)
    assert years == [1991, 1992, 1993, 1994]
    path = re.search(r'<path d="([^"]*)"[^>]*class="model" data-scale="de_facto"', svg).group(1)
    x = linear(1990.5, 2024.5, LEFT, WIDTH - RIGHT)
    assert path.startswith(f"M{x(1990.5):.1f},") and path.endswith(f"H{x(1994.5):.1f}")
    assert path.count("H") == 4  # one flat step a year, never a slope between levels
    assert step_path([2000, 2001, 2003], [1, float("nan"), 2], x, lambda v: v).count("M") == 2  # gaps stay gaps


# --------------------------------------------------------------------------- run figures

@pytest.fixture(scope="module")
def historical_run():
    from sim.run.simulate import simulate
    return simulate(ROOT / "scenarios" / "central_asia_1991_2024.yaml", 0)


def _drawn(monkeypatch, module, draw) -> Figure:
    """The figure a drawing function would have written (its file is not needed)."""
    saved = []
    monkeypatch.setattr(module, "save_png", lambda fig, path, dpi: saved.append(fig))
    if hasattr(module, "write_rendered"):  # a figure drawn in advance, finished over its picture
        monkeypatch.setattr(module, "write_rendered", lambda fig, path: saved.append(fig))
    draw()
    assert len(saved) == 1
    return saved[0]


def test_heatmap_marks_each_de_jure_level_as_its_legend_shows(monkeypatch, historical_run, tmp_path):
    from sim.plots import run
    fig = _drawn(monkeypatch, run, lambda: run.heatmap(historical_run, tmp_path / "h.png"))
    ax = fig.axes[0]
    handles = {h.get_label(): h for h in fig.legends[0].legend_handles}
    d = historical_run.dyads
    pairs = (d.a + "-" + d.b).drop_duplicates().tolist()
    jure = d.de_jure.to_numpy().reshape(-1, len(pairs)).T
    levels = [lv for lv in run.DE_JURE_MARKS if (jure == lv).any()]
    scatters = [c for c in ax.collections if len(c.get_offsets())]
    marks_in_key = [label for label in handles if label.startswith("de jure")]
    assert len(scatters) == len(levels) == len(marks_in_key) >= 1
    for level, marks in zip(levels, scatters):
        handle = handles[f"de jure {DE_JURE_NAMES[level]}"]
        # The same face and rim as the legend's marker ...
        assert to_hex(marks.get_facecolor()[0]) == to_hex(handle.get_markerfacecolor())
        assert to_hex(marks.get_edgecolor()[0]) == to_hex(handle.get_markeredgecolor())
        # ... on exactly the cells at that level (de jure 3 is not also marked as 2).
        rows, cols = np.nonzero(jure == level)
        assert sorted(map(tuple, marks.get_offsets().astype(int).tolist())) == sorted(zip(cols, rows))
    # A light face with a dark rim or the reverse: each mark shows on navy and on pale grey.
    for level, marks in run.DE_JURE_MARKS.items():
        assert {to_hex(marks["facecolors"]), to_hex(marks["edgecolors"])} == {"#000000", "#ffffff"}
    # The key sits above the pairs, not in a band below them.
    assert fig.legends[0].get_window_extent().y0 >= ax.get_window_extent().y1


def test_network_has_one_key_for_all_panels_naming_what_is_drawn(monkeypatch, historical_run, tmp_path):
    from sim.plots import run
    years = run.default_snapshots(historical_run)
    fig = _drawn(monkeypatch, run, lambda: run.snapshots(historical_run, years, tmp_path / "n.png"))
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == [str(y) for y in years]
    assert all(ax.get_legend() is None for ax in fig.axes)
    labels = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert "no line: distant" in labels
    dashed = any(ls[1] is not None for ax in panels for c in ax.collections
                 if isinstance(c, LineCollection) for ls in c.get_linestyles())
    assert dashed == any(label.startswith("dashed: treaty ahead of practice") for label in labels)
    drawn_colours = {to_hex(rgba) for ax in panels for c in ax.collections if isinstance(c, LineCollection)
                     for rgba in c.get_colors()}
    for level, name in DE_FACTO_NAMES.items():
        if level != 0:  # every line colour in the key appears on a map, and the reverse
            assert (name in labels) == (style.level_colour(level) in drawn_colours), name
    m = historical_run.model
    shown = set()
    for year in years:
        t = m.years.index(year)
        active = (m.history["members"][t] & m.history["bloc_active"][t][None, :]).any(axis=0)
        shown |= {m.bloc_names[b] for b, on in zip(m.bloc_ids, active) if on}
    assert shown and shown == set(labels) & {m.bloc_names[b] for b in m.bloc_ids}
    # The key lies below the panels and inside the figure.
    for legend in fig.legends:
        box = legend.get_window_extent()
        assert box.y1 <= min(ax.get_window_extent().y0 for ax in panels)
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width


def test_network_snapshots_end_in_the_runs_last_year(monkeypatch, historical_run, tmp_path):
    """The network figure ends where the report's end-state table does: the run's last year
    is drawn even when the scenario's chosen years stop short of it."""
    import dataclasses

    from sim.plots import run
    from sim.run.figure_data import figure_run
    from sim.run.report import run_report

    last = historical_run.model.years[-1]
    assert last == 2024 and f"## Alignments in {last}" in run_report(historical_run, {})
    assert run.default_snapshots(historical_run)[-1] == last
    short = dataclasses.replace(figure_run(historical_run), snapshots=[2003, 1992])
    assert run.default_snapshots(short) == [1992, 2003, last]
    fig = _drawn(monkeypatch, run, lambda: run.snapshots(short, run.default_snapshots(short), tmp_path / "n.png"))
    assert [ax.get_title() for ax in fig.axes if ax.get_title()] == ["1992", "2003", str(last)]


def test_close_capitals_are_spread_so_their_labels_do_not_collide(monkeypatch, historical_run, tmp_path):
    """Almaty (Kazakhstan's capital until 1997) and Bishkek are 200 km apart."""
    from sim.plots import network, run
    fig = _drawn(monkeypatch, run, lambda: run.snapshots(historical_run, [1992], tmp_path / "n.png"))
    ax = fig.axes[0]
    where = {t.get_text(): ax.transData.transform(t.get_position()) for t in ax.texts}
    gap_points = np.hypot(*(where["KZK"] - where["KYR"])) * 72 / fig.dpi
    assert gap_points >= network.LABEL_GAP - 0.5
    boxes = [t.get_window_extent() for t in ax.texts]
    overlapping = [(a, b) for k, a in enumerate(boxes) for b in boxes[k + 1:] if a.overlaps(b)]
    assert not overlapping


def test_spread_apart_moves_only_capitals_that_are_too_close():
    points = np.array([[0.0, 0.0], [3.0, 4.0], [100.0, 0.0], [100.0, 0.0]])
    out = network_spread(points, 10.0)
    assert np.hypot(*(out[2] - out[3])) >= 10.0 - 1e-6  # even two capitals on one spot
    assert np.hypot(*(out[0] - out[1])) >= 10.0 - 1e-6
    # Pushed apart along the line joining them: the direction from one to the other is kept.
    direction = (out[1] - out[0]) / np.hypot(*(out[1] - out[0]))
    assert np.allclose(direction, [0.6, 0.8])
    far = np.array([[0.0, 0.0], [50.0, 0.0]])
    assert np.array_equal(network_spread(far, 10.0), far)


def network_spread(points, gap):
    from sim.plots.network import spread_apart
    return spread_apart(points, np.full((len(points), len(points)), gap))


def test_edges_leave_out_distant_pairs_and_paper_alliances_inside_a_bloc():
    from sim.plots.network import COOPERATION_MAX_STATES, edge_style
    facto = np.array([[0, 1, 0, 0], [1, 0, -2, 0], [0, -2, 0, 0], [0, 0, 0, 0]])
    jure = np.array([[0, 3, 3, 0], [3, 0, 0, 0], [3, 0, 0, 0], [0, 0, 0, 0]])
    shared = np.zeros((4, 4), dtype=bool)
    shared[0, 1] = shared[1, 0] = True  # 0 and 1 are in one bloc; 0 and 2 are not
    ii, jj, level, dashed, colours, widths = edge_style(facto, jure, shared)
    got = {(int(i), int(j)): (int(lv), bool(d)) for i, j, lv, d in zip(ii, jj, level, dashed)}
    assert got == {(0, 1): (1, False), (1, 2): (-2, False), (0, 2): (0, True)}
    assert list(level) == [0, 1, -2]  # weakest first, so the militarised line lies on top
    # In a large system cooperation is the background, not a line.
    n = COOPERATION_MAX_STATES + 1
    big = np.ones((n, n), dtype=int) - np.eye(n, dtype=int)
    assert len(edge_style(big, np.zeros((n, n), dtype=int), np.zeros((n, n), dtype=bool))[0]) == 0


def test_pair_levels_are_steps_on_named_levels_labelled_as_one_run(monkeypatch, historical_run, tmp_path):
    from sim.plots import run
    pairs = run.default_pairs(historical_run)
    fig = _drawn(monkeypatch, run, lambda: run.level_lines(historical_run, pairs, tmp_path / "l.png"))
    panels = [ax for ax in fig.axes if ax.get_yticklabels()]
    assert len(panels) == 2 * len(pairs)
    for k, ax in enumerate(panels):
        scale = style.SCALE_NAMES[k % 2]
        assert [t.get_text() for t in ax.get_yticklabels()] == list(LEVEL_NAMES[scale].values())
        data = [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 1]
        assert data and all(ln.get_drawstyle() == "steps-mid" for ln in data)
        assert {ln.get_color() for ln in data} == {style.MODEL_COLOUR, style.REFERENCE_COLOUR}
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["reference", "model (one run)"]
    assert not any("mean" in label for label in labels)


def test_every_output_names_a_level_as_sim_levels_does(monkeypatch, historical_run, tmp_path):
    """A level has one name in figures, tables, the report and the browser page: a reader
    who sees "close partnership" in the report finds it under that name in the figures
    (not "close" there and "close partnership" here), and the names fit their margins."""
    from sim.plots import network, run, validation
    from sim.run.report import run_report

    # The pair-levels figure: its axes name the levels, and the names stay left of their panel
    # without running into the panel before it.
    fig = _drawn(monkeypatch, run, lambda: run.level_lines(historical_run, run.default_pairs(historical_run),
                                                          tmp_path / "l.png"))
    fig.canvas.draw()
    panels = [ax for ax in fig.axes if ax.get_yticklabels()]
    for k, ax in enumerate(panels):
        names = [t.get_text() for t in ax.get_yticklabels()]
        assert names == list(LEVEL_NAMES[style.SCALE_NAMES[k % 2]].values())
        left_edge = 0 if k % 2 == 0 else panels[k - 1].get_window_extent().x1
        assert min(t.get_window_extent().x0 for t in ax.get_yticklabels()) > left_edge + 0.05 * fig.dpi
    # The heatmap's key and the network's key.
    fig = _drawn(monkeypatch, run, lambda: run.heatmap(historical_run, tmp_path / "h.png"))
    heat = [t.get_text() for t in fig.legends[0].get_texts()]
    assert [f"{lv} {name}" for lv, name in DE_FACTO_NAMES.items()] == heat[:len(DE_FACTO_NAMES)]
    assert {f"de jure {DE_JURE_NAMES[lv]}" for lv in run.DE_JURE_MARKS} >= set(heat[len(DE_FACTO_NAMES):])
    drawn = {"levels": {-2, -1, 1, 2, 3}, "dashed": False, "blocs": set()}
    key = [h.get_label() for h in network.network_legend(drawn, {})]
    assert key == [DE_FACTO_NAMES[lv] for lv in (-2, -1, 1, 2, 3)] + [f"no line: {DE_FACTO_NAMES[0]}"]
    # The validation grid (small panels): the same names, inside the figure.
    rows = [dict(a="KZK", b="RUS", year=y, dimension="de_jure", ref=2, sim_median=1, sim_q10=1, sim_q90=2)
            for y in range(1992, 1998)]
    fig = _drawn(monkeypatch, validation,
                 lambda: validation.pair_grid(pd.DataFrame(rows), Path("unused.png"), "de_jure", runs=1))
    fig.canvas.draw()
    ticks = fig.axes[0].get_yticklabels()
    assert [t.get_text() for t in ticks] == list(DE_JURE_NAMES.values())
    assert min(t.get_window_extent().x0 for t in ticks) > 0.05 * fig.dpi
    # The report's table.
    report = run_report(historical_run, {})
    assert "| RUS-KZK | 3 active alliance | 3 alliance treaty |" in report
    # The browser page's pair panel.
    model = app.VizModel(scenario_file=str(ROOT / "scenarios" / "central_asia_1991_2024.yaml"), rng=0)
    model.step()
    svg = app.series_figure(model, model.ids[0], model.ids[1], None)
    shown = re.findall(r'text-anchor="end"[^>]*>([^<]+)</text>', svg)
    assert shown == [name for scale in style.SCALE_NAMES for name in LEVEL_NAMES[scale].values()]


def test_validation_grid_labels_the_ensemble_by_its_count(monkeypatch):
    from sim.plots import validation
    years = list(range(1992, 1998))
    rows = [dict(a="KZK", b="RUS", year=y, dimension="de_facto", ref=2, sim_median=2,
                 sim_q10=1, sim_q90=2) for y in years]
    fig = _drawn(monkeypatch, validation,
                 lambda: validation.pair_grid(pd.DataFrame(rows), Path("unused.png"), "de_facto", runs=7))
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["reference", "model (median of 7 runs)", "10-90% of runs"]
    ax = fig.axes[0]
    # Model and reference agree in every year: the broad reference still shows around the model.
    ref, model = _steps(ax)
    assert list(ref.get_ydata()) == list(model.get_ydata())
    assert ref.get_linewidth() > 2 * model.get_linewidth() and ref.get_zorder() < model.get_zorder()


# --------------------------------------------------------------------------- landscape and palette

def test_minima_figure_has_an_actual_column_matched_to_the_sides(monkeypatch):
    from types import SimpleNamespace

    from sim.plots import landscape
    minimum = SimpleNamespace(labels=[1, 1, 0, 0], energy=-2.0, basin_share=0.75, share_se=None)
    second = SimpleNamespace(labels=[0, 1, 1, 1], energy=1.0, basin_share=0.25, share_se=None)
    result = SimpleNamespace(minima=[minimum, second], method="exhaustive")
    ids = ["NTH", "NES", "STH", "SES"]
    actual = {"NTH": "north", "NES": "north", "STH": "south", "SES": "south"}
    fig = _drawn(monkeypatch, landscape, lambda: landscape.draw_minima(
        result, ids, ids, Path("unused.png"), "two pairs", actual))
    ax = fig.axes[0]
    columns = [t.get_text() for t in ax.get_xticklabels()]
    assert columns[-1] == "actual" and len(columns) == 3
    assert "0 misplaced" in columns[0] and "1 misplaced" in columns[1]
    grid = ax.images[0].get_array()
    # Minimum #1 numbers the north 1 and the south 0; redrawn, it matches the actual sides.
    assert grid[:, 0].tolist() == grid[:, 2].tolist() == [0, 0, 1, 1]
    assert grid[:, 1].tolist() == [0, 1, 1, 1]
    cells = [t.get_text() for t in ax.texts]
    assert cells[-4:] == ["north", "north", "south", "south"]
    without = _drawn(monkeypatch, landscape, lambda: landscape.draw_minima(
        result, ids, ids, Path("unused.png"), "two pairs"))
    assert "actual" not in [t.get_text() for t in without.axes[0].get_xticklabels()]


def test_matched_labels_rename_one_to_one_and_keep_extra_blocs_apart():
    from sim.plots.landscape import matched_labels
    assert matched_labels([5, 5, 7, 7], [1, 1, 0, 0]).tolist() == [1, 1, 0, 0]
    assert matched_labels([0, 1, 2, 2], [0, 0, 1, 1]).tolist() == [0, 2, 1, 1]


def test_figures_outside_the_plots_package_use_its_palette():
    for path in (ROOT / "sim" / "calibration" / "rules.py", ROOT / "sim" / "analysis" / "sensitivity.py",
                 ROOT / "sim" / "landscape" / "files.py"):
        text = path.read_text()
        found = re.findall(r"#[0-9a-fA-F]{6}\b|\btab(?::\w+|10|20)\b|get_cmap|steelblue", text)
        assert not found, f"{path.name} picks colours {found}; take them from sim.plots.style"


def test_pair_levels_drawn_over_a_draft_are_the_figure_drawn_whole(historical_run, tmp_path):
    from sim.plots import run
    from sim.run.figure_data import FigurePlan, figure_run
    res = figure_run(historical_run)
    drafts = run.run_drafts(FigurePlan.of(historical_run.scenario, historical_run.seed))
    run.draw_run_figure(res, "levels", tmp_path, drafts)
    assert drafts["levels"].finished, "the scenario's pairs, years and reference are the run's: its draft is used"
    # The finished figure drawn again in one pass, its series in their place in the drawing order.
    style.save_png(drafts["levels"].fig, tmp_path / "whole.png", dpi=run.LEVELS_DPI)
    assert (tmp_path / "pair_levels.png").read_bytes() == (tmp_path / "whole.png").read_bytes()


def test_a_draft_of_other_pairs_is_not_used(historical_run, tmp_path):
    from sim.plots import run
    from sim.run.figure_data import figure_run
    res = figure_run(historical_run)
    pairs = run.default_pairs(res)
    other = run.LevelsDraft(run.LevelsLayout.of(res.name, res.seed, res.years, pairs[:1], True))
    run.level_lines(res, pairs, tmp_path / "drafted.png", draft=other)
    run.level_lines(res, pairs, tmp_path / "fresh.png")
    assert not other.finished
    assert (tmp_path / "drafted.png").read_bytes() == (tmp_path / "fresh.png").read_bytes()
