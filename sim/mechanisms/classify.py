"""Classifying each pair's relationship, as the source literature distinguishes them.

Natural allies cooperate on shared values and interests; strategic partners cooperate
because they face a shared threat; a paper alliance has a de jure instrument well above
what the pair actually does; rivals are tense or worse. Pairs that cooperate for other
reasons (trade, habit) are ``partner``; the rest ``none``.
"""

from __future__ import annotations

import numpy as np

CLASSES = ("none", "partner", "natural_ally", "strategic_partner", "paper_alliance", "rival")


def shared_threat(threat: np.ndarray, block: int = 64) -> np.ndarray:
    """``[i, j]``: the largest threat that i and j both face from one third state.

    Computed in blocks of rows so memory stays O(block * n^2) for large systems.
    """
    n = threat.shape[0]
    out = np.zeros((n, n))
    # threat[i, i] = 0, so k == i or k == j contributes 0 to the min and never wins.
    for start in range(0, n, block):
        rows = threat[start:start + block]
        out[start:start + block] = np.minimum(rows[:, None, :], threat[None, :, :]).max(axis=2)
    np.fill_diagonal(out, 0.0)
    return out


def classify(*, de_facto: np.ndarray, de_jure: np.ndarray, ideology: np.ndarray,
             interests: np.ndarray, shared: np.ndarray, value_drive: np.ndarray,
             threat_drive: np.ndarray, paper_gap: int, natural_threshold: float,
             shared_threat_threshold: float) -> np.ndarray:
    """Class index per pair (``CLASSES``), symmetric.

    A cooperating pair is a natural ally when it shares values and interests (both at least
    ``natural_threshold``) and they, not threat, drive its cooperation; a strategic partner
    when it faces a shared threat (at least ``shared_threat_threshold``) and threat drives
    its cooperation. "Drive" compares the pair's weighted utility from values (ideology,
    interests) with that from threat (security, bandwagon), averaged over both sides.

    Args:
        ideology, interests: affinity and convergence components, ``[i, j]`` in [-1, 1].
        shared: output of :func:`shared_threat`.
        value_drive, threat_drive: ``[i, j]`` weighted utility i draws from values and from
            threat in aligning with j.
    """
    values = (ideology + ideology.T) / 2
    common = (interests + interests.T) / 2
    by_values = (value_drive + value_drive.T) >= (threat_drive + threat_drive.T)
    cls = np.zeros(de_facto.shape, dtype=int)
    coop = de_facto >= 1
    cls[coop] = CLASSES.index("partner")
    strategic = coop & (shared >= shared_threat_threshold) & ~by_values
    cls[strategic] = CLASSES.index("strategic_partner")
    natural = coop & (values >= natural_threshold) & (common >= natural_threshold) & by_values
    cls[natural] = CLASSES.index("natural_ally")
    paper = (de_jure >= 2) & (de_jure - np.maximum(de_facto, 0) >= paper_gap)
    cls[paper] = CLASSES.index("paper_alliance")
    cls[de_facto <= -1] = CLASSES.index("rival")
    np.fill_diagonal(cls, 0)
    return cls
