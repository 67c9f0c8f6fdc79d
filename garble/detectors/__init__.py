"""Built-in detectors, registered explicitly in a literal tuple.

Third-party detectors come from the ``garble.detectors`` entry-point group
(see :mod:`garble.registry`).
"""

from __future__ import annotations

from garble.detectors.grammar import Grammar
from garble.detectors.incoherent import Incoherent
from garble.detectors.mojibake import Mojibake
from garble.detectors.padding import Padding
from garble.detectors.readability import Readability
from garble.detectors.tables import Tables
from garble.detectors.typography import Typography

BUILTIN = (Mojibake, Incoherent, Tables, Padding, Typography, Grammar, Readability)

__all__ = ["BUILTIN"]
