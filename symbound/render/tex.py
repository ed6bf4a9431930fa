r"""Escaping plain text for LaTeX (no Jinja needed, so results can render cheaply).

>>> tex_escape("50% of A_1 & {B}")
'50\\% of A\\_1 \\& \\{B\\}'
"""

from __future__ import annotations

import re

__all__ = ["tex_escape", "tex_key"]

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
#: The notation's Unicode, as pdflatex-safe LaTeX.
_UNICODE = {
    "‖": r"$\|$",
    "∞": r"$\infty$",
    "−": "-",
    "′": "'",
    "§": r"\S{}",
    "ℓ": r"$\ell$",
    "≤": r"$\le$",
    "≥": r"$\ge$",
    "ε": r"$\varepsilon$",
    "ᵀ": r"$^{\top}$",
    "φ": r"$\varphi$",
    "γ": r"$\gamma$",
    "Δ": r"$\Delta$",
    "→": r"$\to$",
    "⇒": r"$\Rightarrow$",
    "η": r"$\eta$",
    "∈": r"$\in$",
    "ℝ": r"$\mathbb{R}$",
    "₀": r"$_0$",
    "τ": r"$\tau$",
    "ρ": r"$\rho$",
    "κ": r"$\kappa$",
    "θ": r"$\theta$",
    "β": r"$\beta$",
    "Σ": r"$\Sigma$",
    "×": r"$\times$",
}
_TEX_RE = re.compile("|".join(re.escape(k) for k in (*_TEX_SPECIAL, *_UNICODE)))


def tex_escape(text: str) -> str:
    """Escape LaTeX's special characters in plain text, and typeset the notation's Unicode.

    Any other non-ASCII character is refused, so nothing reaches pdflatex that it
    cannot typeset.

    >>> print(tex_escape("‖X‖_∞ ≤ ε"))
    $\\|$X$\\|$\\_$\\infty$ $\\le$ $\\varepsilon$
    """
    out = _TEX_RE.sub(lambda m: _TEX_SPECIAL.get(m.group()) or _UNICODE[m.group()], str(text))
    odd = sorted({ch for ch in out if ord(ch) > 127})
    if odd:
        raise ValueError(f"no LaTeX for the character(s) {''.join(odd)!r}; add them to _UNICODE")
    return out


def tex_key(key: str) -> str:
    r"""A catalogue key in typewriter type, breakable after its dots.

    >>> tex_key("as25.lemma4.1")
    '\\texttt{as25.\\allowbreak{}lemma4.\\allowbreak{}1}'
    """
    return r"\texttt{" + tex_escape(key).replace(".", r".\allowbreak{}") + "}"
