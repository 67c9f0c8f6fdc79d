"""Turn findings into a 0-100 quality score that explains itself.

Each family's damage ``s_f`` in [0, 1) comes from its finding density:
``r`` = sum of ``confidence x rule.weight`` per 1,000 characters (texts
shorter than 1,000 characters count as 1,000, so a short text is not
amplified), and ``s_f = r / (r + h_f)`` where ``h_f`` is the family's
half point. Families combine with a weighted noisy-OR,
``S = 1 - prod(1 - w_f * s_f)``, so one strong signal is enough to mark a
document damaged while weak signals add up. The quality score is
``100 * (1 - S)``; the points it loses are shared among the families in
proportion to ``-log(1 - w_f * s_f)``, which is exactly additive under the
noisy-OR, so the breakdown always sums to ``100 - score``.

Adding a finding raises ``r``, hence ``s_f`` and ``S``: it never raises the
score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Mapping


@dataclass(frozen=True)
class Score:
    value: float  # quality 0..100, 100 = nothing found
    damage: float  # S in [0, 1)
    by_family: Mapping[str, float]  # s_f
    breakdown: Mapping[str, float]  # points taken off per family


def family_damage(weighted_count: float, n_chars: int, half_point: float) -> float:
    """Damage of one family from its summed ``confidence x weight``.

    >>> family_damage(0.0, 5000, 1.0)
    0.0
    >>> round(family_damage(1.0, 500, 1.0), 3)   # short text counts as 1,000 chars
    0.5
    """
    if weighted_count <= 0:
        return 0.0
    r = weighted_count * 1000.0 / max(n_chars, 1000)
    return r / (r + half_point)


def combine(
    damages: Mapping[str, float],
    weights: Mapping[str, float],
    families: Iterable[str],
) -> Score:
    """Weighted noisy-OR of family damages into a :class:`Score`."""
    logs: dict[str, float] = {}
    for fam in families:
        s = damages.get(fam, 0.0)
        w = min(max(weights.get(fam, 1.0), 0.0), 1.0)
        # w*s < 1 always (s < 1); guard the log anyway. (-log(1.0) is -0.0, which JSON
        # output would show as "-0.0" for a family that lost nothing)
        logs[fam] = -math.log(max(1.0 - w * s, 1e-12)) if w * s > 0 else 0.0
    total = sum(logs.values())
    damage = 1.0 - math.exp(-total)
    lost = 100.0 * damage
    breakdown = {f: (lost * v / total if total > 0 else 0.0) for f, v in logs.items()}
    value = 100.0 - lost
    return Score(
        value=round(value, 1),
        damage=damage,
        by_family={f: damages.get(f, 0.0) for f in logs},
        breakdown={f: round(v, 1) for f, v in breakdown.items()},
    )
