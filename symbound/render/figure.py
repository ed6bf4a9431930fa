r"""Byte-stable matplotlib figures: drawn with the object API, rendered without stamps.

Every figure symbound draws goes through here: :func:`new_figure` makes a
:class:`Figure` (matplotlib's, which also shows itself in Jupyter through
``_repr_png_``), :func:`style` fixes matplotlib's default style whatever the user's
``matplotlibrc``, and :func:`render` gives PNG and PDF bytes without dates or
software stamps, so the same data gives the same bytes.  No pyplot, no global state.
This module imports matplotlib: import it only where a figure is drawn.

>>> with style():
...     fig = new_figure((2, 2))
...     _ = fig.subplots().plot([1, 2], [1, 4])
>>> files = render(fig)
>>> files["png"][:8], files["pdf"][:5], render(fig) == files
(b'\x89PNG\r\n\x1a\n', b'%PDF-', True)
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import matplotlib.figure
import matplotlib.style

from symbound.errors import UsageError

__all__ = ["FORMATS", "Figure", "colours", "figure_format", "new_figure", "render", "save", "style"]

#: the formats :func:`render` and :func:`save` write, by file suffix
FORMATS = ("png", "pdf")
_METADATA = {
    "png": {"Software": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
}
_DPI = 150


class Figure(matplotlib.figure.Figure):
    """A matplotlib Figure that Jupyter shows as a PNG even without pyplot's inline
    backend (its ``_repr_png_`` renders it as :func:`render` does)."""

    def _repr_png_(self) -> bytes:
        return render(self, ("png",))["png"]


def style():
    """matplotlib's default style, whatever the user's ``matplotlibrc`` says."""
    return matplotlib.style.context("default")


def new_figure(figsize: tuple[float, float]) -> Figure:
    """An empty :class:`Figure` of ``figsize`` inches (draw it inside :func:`style`)."""
    return Figure(figsize=figsize)


def colours(count: int) -> list:
    """``count`` colours from viridis, dark to light (its yellow end left out)."""
    cmap = matplotlib.colormaps["viridis"]
    return [cmap(0.85 * k / max(count - 1, 1)) for k in range(count)]


def render(fig: matplotlib.figure.Figure, formats=FORMATS) -> dict[str, bytes]:
    """The figure as PNG (150 dpi) and PDF bytes, without dates or software stamps."""
    out = {}
    for fmt in formats:
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=_DPI, metadata=_METADATA[fmt])
        out[fmt] = buffer.getvalue()
    return out


def figure_format(path: Path | str, what: str = "--plot") -> str:
    """The format a figure file's suffix asks for (``png`` or ``pdf``), or a one-line
    :class:`~symbound.errors.UsageError`."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        shown = f"'.{suffix}'" if suffix else "no suffix"
        raise UsageError(f"{what}: {path} has {shown}; give a file ending in .png or .pdf")
    return suffix


def save(fig: matplotlib.figure.Figure, path: Path | str, what: str = "--plot") -> Path:
    """Write ``fig`` to ``path`` (PNG or PDF by its suffix), atomically; return the path."""
    from symbound.io import atomic_write, check_output_file

    path = check_output_file(path, what)
    fmt = figure_format(path, what)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, render(fig, (fmt,))[fmt])
    return path
