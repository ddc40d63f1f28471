"""Mechanisms: small pure functions over arrays, one module each, run in the order that
``PartnershipModel.step`` lists (docs/ODD.md, 'Process overview and scheduling')."""

import numpy as _np

try:  # the ufunc behind np.clip: one pass and one call, without np.clip's Python wrapper
    _clip = _np._core.umath.clip
except AttributeError:  # numpy < 2
    _clip = _np.core.umath.clip


def clip01(x: _np.ndarray) -> _np.ndarray:
    """Clip ``x`` to [0, 1] in place and return it (what ``np.clip(x, 0, 1, out=x)`` does)."""
    return _clip(x, 0.0, 1.0, out=x)
