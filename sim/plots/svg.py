"""SVG text for the browser page's figures: elements, and a scale from data to pixels.

The page redraws its figures every year it shows. Matplotlib took more than a second of a
Step for four PNGs; the same pictures written as SVG text take a few milliseconds, the
browser draws them at once, and their text is the page's own font at body size. This
module holds only what every page figure needs: well-formed, escaped elements.
"""

from __future__ import annotations

from html import escape

#: The page's body font size in pixels; figure text uses it so it reads like the page.
BODY_PX = 14


def element(tag: str, text: str | None = None, **attrs) -> str:
    """One SVG element; ``font_size=12`` becomes ``font-size="12"``, ``class_`` becomes ``class``.

    ``text`` is escaped, so it can only be text; elements that hold other elements are
    built with :func:`group` or :func:`svg`. Attributes whose value is None are left out.
    """
    head = _head(tag, attrs)
    return f"<{head}/>" if text is None else f"<{head}>{escape(text)}</{tag}>"


def group(children: list[str], **attrs) -> str:
    """A ``<g>`` holding already-built elements."""
    return f"<{_head('g', attrs)}>{''.join(children)}</g>"


def svg(children: list[str], width: float, height: float, label: str, **attrs) -> str:
    """A whole figure that scales to the width of its panel (``viewBox``) and says what it shows."""
    head = _head("svg", dict(xmlns="http://www.w3.org/2000/svg", viewBox=f"0 0 {width:g} {height:g}", role="img",
                             aria_label=label, style=f"width:100%;max-width:{width:g}px;height:auto;display:block",
                             font_family="inherit", font_size=BODY_PX, **attrs))
    return f"<{head}><title>{escape(label)}</title>{''.join(children)}</svg>"


def _head(tag: str, attrs: dict) -> str:
    """A start tag's inside: the tag name and its escaped attributes (None values left out)."""
    return " ".join([tag] + [f'{_name(k)}="{escape(_value(v), quote=True)}"' for k, v in attrs.items()
                             if v is not None])


def linear(lo: float, hi: float, out_lo: float, out_hi: float):
    """A function taking data in ``[lo, hi]`` to pixels in ``[out_lo, out_hi]``."""
    span = (hi - lo) or 1.0

    def scale(value: float) -> float:
        return out_lo + (float(value) - lo) * (out_hi - out_lo) / span

    return scale


def _name(key: str) -> str:
    return key.rstrip("_").replace("_", "-")


def _value(value) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
