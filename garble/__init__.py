"""garble: find damaged text and say how damaged it is.

>>> import garble
>>> report = garble.check("Chinaâ€™s AI sector", select=["MJ"])
>>> [d.code for d in report.findings]   # doctest: +SKIP
['MJ102']
"""

from __future__ import annotations

from garble.engine import Checker, ConfigError, Settings, check
from garble.report import Diagnostic, Report
from garble.types import Finding, Fix, Rule, Severity

__version__ = "0.1.0"

__all__ = [
    "Checker",
    "ConfigError",
    "Diagnostic",
    "Finding",
    "Fix",
    "Report",
    "Rule",
    "Settings",
    "Severity",
    "__version__",
    "check",
]
