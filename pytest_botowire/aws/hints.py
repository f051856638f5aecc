"""The one "did you mean" helper: the closest valid names to a mistyped one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` valid names close to ``word``: similar spelling, else other case, else a part.

    ``difflib``'s similarity first (``"SendMesage"`` -> ``"SendMessage"``); failing that the
    same name in another case (``"body"`` -> ``"Body"``), then names containing ``word``
    (``"logs"`` -> ``"cloudwatch-logs"``).
    """
    names = list(candidates)
    found = difflib.get_close_matches(word, names, n=n, cutoff=0.6)
    if not found:
        lowered = word.lower()
        found = [name for name in names if name.lower() == lowered][:n]
    if not found:
        lowered = word.lower()
        found = [name for name in names if lowered in name.lower()][:n]
    return found


def did_you_mean(word: str, candidates: Iterable[str], n: int = 3) -> str:
    """``"did you mean 'a' or 'b'?"`` for the names :func:`closest` finds, or ``""``."""
    found = closest(word, candidates, n)
    if not found:
        return ""
    return "did you mean " + " or ".join(repr(name) for name in found) + "?"
