"""The appendix: claim status, certified regime tables, trade-off, prior work, as LaTeX."""

from symbound.appendix.build import AppendixData, build_appendix
from symbound.appendix.spec import AppendixSpec, RegimeTable, Scaling, ThresholdComparison
from symbound.appendix.write import write_appendix

__all__ = [
    "AppendixData",
    "AppendixSpec",
    "RegimeTable",
    "Scaling",
    "ThresholdComparison",
    "build_appendix",
    "write_appendix",
]
