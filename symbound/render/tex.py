r"""Escaping plain text for LaTeX (no Jinja needed, so results can render cheaply).

>>> tex_escape("50% of A_1 & {B}")
'50\\% of A\\_1 \\& \\{B\\}'
"""

from __future__ import annotations

import re

__all__ = ["tex_escape"]

_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_TEX_RE = re.compile("|".join(re.escape(k) for k in _TEX_SPECIAL))


def tex_escape(text: str) -> str:
    """Escape LaTeX's special characters in plain text."""
    return _TEX_RE.sub(lambda m: _TEX_SPECIAL[m.group()], str(text))
