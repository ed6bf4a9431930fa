"""LaTeX output through Jinja templates (``templates/``, shipped as ``symbound.templates``)."""

from symbound.render.latex import environment, render_lemma
from symbound.render.tex import tex_escape

__all__ = ["environment", "render_lemma", "tex_escape"]
