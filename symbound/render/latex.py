r"""A Jinja environment for LaTeX, and the renderings that use it.

Jinja's default delimiters (``{{ }}``, ``{% %}``) collide with TeX's braces, so the
templates use ``\VAR{...}``, ``\BLOCK{...}`` and ``\#{...}`` instead.  Undefined
variables are errors (``StrictUndefined``), never empty text.  Plain text that
reaches LaTeX goes through :func:`tex_escape`; mathematics comes from SymPy's
printer and from the lemma's own LaTeX fields.

"""

from __future__ import annotations

import functools

import jinja2

from symbound._resources import templates_dir
from symbound.lemmas.model import Lemma
from symbound.render.tex import tex_escape

__all__ = ["environment", "render_lemma", "tex_escape"]


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja environment over the shipped templates, with LaTeX-safe delimiters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        block_start_string=r"\BLOCK{",
        block_end_string="}",
        variable_start_string=r"\VAR{",
        variable_end_string="}",
        comment_start_string=r"\#{",
        comment_end_string="}",
        line_statement_prefix=None,
        line_comment_prefix="%#",
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["tex"] = tex_escape
    return env


def render_lemma(lemma: Lemma) -> str:
    r"""The lemma as a LaTeX ``lemma`` environment, with its provenance in comments.

    >>> from symbound import load_catalogue
    >>> print(render_lemma(load_catalogue()["as25.lemma4.1.corrected"]))  # doctest: +ELLIPSIS
    % as25.lemma4.1.corrected -- corrected (corrects as25.lemma4.1); provenance: proved here
    ...
    \[ \|\mathrm{Res}\left(A\right) - \mathrm{Res}\left(B\right)\|_{\max} \le 2 \varepsilon. \]
    \end{lemma}
    <BLANKLINE>
    """
    return environment().get_template("lemma.tex.j2").render(lemma=lemma)
