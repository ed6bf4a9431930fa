"""Empirical layer collapse: random networks measured against the proved bounds.

- :mod:`~symbound.empirical.spec`: what a study measures (frozen values that
  derivation modules declare);
- :mod:`~symbound.empirical.networks`: random networks with weight entries bounded
  by η, one random stream per case;
- :mod:`~symbound.empirical.collapse`: distances through depth against their bounds;
- :mod:`~symbound.empirical.residual`: the residual ratio layer by layer under
  several architectures;
- :mod:`~symbound.empirical.figures` and :mod:`~symbound.empirical.report`:
  matplotlib figures (PNG, PDF) and the LaTeX/JSON files.
"""
