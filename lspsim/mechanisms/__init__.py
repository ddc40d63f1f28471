"""Mechanisms: small pure functions over arrays, one module each, run in the order that
``PartnershipModel.step`` lists (docs/ODD.md, 'Process overview and scheduling')."""

import numpy as _np

try:  # the ufunc behind np.clip: one pass and one call, without np.clip's Python wrapper
    _clip = _np._core.umath.clip
except AttributeError:  # numpy < 2
    _clip = _np.core.umath.clip

# The same ufunc, for the fast schedule's clips to per-partner bounds: clip_ufunc(x, lo, hi,
# out=x) is np.clip(x, lo, hi, out=x) (min(max(x, lo), hi)).
clip_ufunc = _clip


# 0 and 1 as read-only 0-d float64 arrays (bounds, not parameters of behaviour). A ufunc takes
# a 0-d array operand faster than a Python float (no scalar conversion: about 0.3 us less a call
# on small arrays) and computes the same float64 result; the fast schedule passes these for its
# fixed 0s and 1s.
ZERO, ONE = _np.zeros(()), _np.ones(())
ZERO.flags.writeable = ONE.flags.writeable = False


def const(value: float) -> _np.ndarray:
    """``value`` as a read-only 0-d float64 array (see ``ZERO``): for constants the fast
    schedule applies every month."""
    out = _np.array(float(value))
    out.flags.writeable = False
    return out


def clip01(x: _np.ndarray) -> _np.ndarray:
    """Clip ``x`` to [0, 1] in place and return it (what ``np.clip(x, 0, 1, out=x)`` does)."""
    return _clip(x, ZERO, ONE, out=x)
