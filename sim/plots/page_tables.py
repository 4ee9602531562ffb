"""The browser page's tables: the threat matrix as a shaded table, and the "why" of a pair.

Both are HTML, so they take the page's font, never clip, and cost nothing to redraw. The
numbers are signed and rounded once, so a value that rounds to zero reads ``0.000``, never
``-0.000``.
"""

from __future__ import annotations

from html import escape

from matplotlib.colors import to_hex

from sim.plots.style import SIDE_COLOURS, THREAT_CMAP


def signed(value: float, digits: int = 3) -> str:
    """``+0.050``, ``-0.120``, and ``0.000`` for anything that rounds to zero."""
    rounded = round(float(value), digits)
    return f"{0.0:.{digits}f}" if rounded == 0 else f"{rounded:+.{digits}f}"


def threat_table(ids: list[str], threat) -> str:
    """Row i, column j: the threat j poses to i, 0..1, shaded light (none) to red (most)."""
    head = "".join(f"<th scope='col'>{escape(s)}</th>" for s in ids)
    rows = []
    for i, state in enumerate(ids):
        cells = []
        for j in range(len(ids)):
            if i == j:
                cells.append("<td class='self'></td>")
                continue
            value = float(threat[i][j])
            ink = "white" if value > 0.6 else "black"
            cells.append(f"<td style='background:{to_hex(THREAT_CMAP(value))};color:{ink}'>{value:.2f}</td>")
        rows.append(f"<tr><th scope='row'>{escape(state)}</th>{''.join(cells)}</tr>")
    return (f"<table class='threat'><caption>Threat each state (row) sees from each other state "
            f"(column), 0 to 1</caption><tr><th></th>{head}</tr>{''.join(rows)}</table>")


def why_table(values: dict[str, tuple[float, float]], a: str, b: str) -> str:
    """Each utility component of both sides, with a bar of its size and sign."""
    top = max([abs(v) for pair in values.values() for v in pair] + [1e-9])
    rows = []
    for name, (ab, ba) in values.items():
        cells = "".join(f"<td class='num'>{signed(v)}</td><td class='bar'>{_bar(v, top, SIDE_COLOURS[k])}</td>"
                        for k, v in enumerate((ab, ba)))
        rows.append(f"<tr class='{'total' if name == 'total' else 'part'}'><th scope='row'>{escape(name)}</th>"
                    f"{cells}</tr>")
    return (f"<table class='why'><tr><th scope='col'>component</th>"
            f"<th scope='col' colspan='2'>{escape(a)} toward {escape(b)}</th>"
            f"<th scope='col' colspan='2'>{escape(b)} toward {escape(a)}</th></tr>{''.join(rows)}</table>")


def _bar(value: float, top: float, colour: str) -> str:
    """A bar from the middle of its cell, right for positive and left for negative values."""
    share = min(abs(value) / top, 1.0) * 50
    side = "left:50%" if value >= 0 else f"left:{50 - share:.1f}%"
    return (f"<div class='track'><div class='fill' style='{side};width:{share:.1f}%;background:{colour}'>"
            f"</div></div>")
