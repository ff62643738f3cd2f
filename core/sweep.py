"""The one BPTT sweep every layer and direction runs (MATH.md, "Error flows", "Truncated BPTT" and
"Depth: embeddings, stacked layers, both directions"): every source's error carried back through
one cell at once, one block of rows per step.

A source J^(s) is one row of the block. At step t the block holds the rows of the sources whose
window reaches t: s - t < k on a single layer or the top of a stack (errors travel back in time
only), |s - t| < k below the top of a bidirectional stack (the reverse direction above has carried
them forward). What enters the block at step t is

    own     (T, H): V^T do^(t) into the row of source t alone (the layer the output layer reads), or
    inject  (T, n, H): U_{l+1}^T da^(l+1, t<-s) for every source s (a layer below another).

Row-vector convention as in unfold.py: ``W^T delta`` is ``delta @ W``.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .cells import CELL_MODULES
from .contract import window as window_of

CHUNK = 8  # steps whose flows are reduced together
# From this many sources on (and with neither the shares nor the per-source errors asked), a
# sweep runs as two at once on two cores, each carrying every other source (sweep_apart).
APART_SOURCES = 512


@dataclass(frozen=True)
class Swept:
    """What one sweep gives. dh (T, H), da (T, G H), ds (T, H) or None: the errors summed over the
    sources; flow2 (n, T): ||dh^(t<-s)||^2 by source row (flow2_s along the LSTM's s); dots (n, T):
    <da^(t<-s), da^(t)> when shares were asked; by_unit (T, T, H) dh^(t<-s) indexed [s, t] when
    asked; dh0 and ds0, what reaches the initial states."""

    dh: np.ndarray
    da: np.ndarray
    ds: np.ndarray | None
    flow2: np.ndarray
    flow2_s: np.ndarray | None
    dots: np.ndarray | None
    by_unit: np.ndarray | None
    dh0: np.ndarray
    ds0: np.ndarray | None


def sweep(
    fwd, sources: np.ndarray, truncate: int | None, *, own: np.ndarray | None = None,
    inject: np.ndarray | None = None, both_ways: bool = False, by_source: bool = False, shares: bool = True,
    below: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None = None,
) -> Swept:
    """Carry every source of ``sources`` (sorted steps) back from t = tau to 0 through the cell of
    ``fwd`` (a Forward of one layer and direction), with what enters at each step from ``own``
    or ``inject`` (above). ``both_ways`` widens the rows of step t to |s - t| < k. ``below`` = (U, into, own_rows):
    the layer's U and a (T, n, D) array, in the sweep's own step and row order, to which each
    source's error sent to the layer's input, U^T da^(t<-s), is added (no copy of it is made);
    with ``own_rows`` (T, D), it is written instead, but for the row of the source at step t
    itself, which goes to own_rows[t] and is not touched in ``into`` (the top of a stack: its two
    directions reach the same rows only there, so each writes the rest without reading it).

    Every cell's local rule is linear in the errors, so the whole block costs one matrix product
    per step, O(T^2 G H^2) in all. The blocks of CHUNK steps are kept, and their sums, norms and
    shares taken together in a few calls."""
    local = CELL_MODULES[fwd.params.cell].Local(fwd)
    steps, H = fwd.h.shape
    GH = fwd.a.shape[1]
    has_state = fwd.s is not None
    n = len(sources)
    k = window_of(truncate, steps)
    # Rows first[t]:stop[t] of a block are the sources in step t's window; older[t] skips s = t.
    step_numbers = np.arange(steps)
    firsts = np.searchsorted(sources, step_numbers - (k - 1 if both_ways else 0)).tolist()
    stops = np.searchsorted(sources, step_numbers + k).tolist()
    olders = np.searchsorted(sources, step_numbers + 1).tolist()

    # blocks_*[t - lo + 1]: one row per source for the chunk lo <= t < hi. Step t sends what
    # reaches h^(t-1) straight into the block of step t - 1, slot 0 for the first step of the
    # next chunk; slot 0 of blocks_s stays unused. No source's da is formed: the shares come from
    # its dh (and ds), Local.share_weights.
    blocks_h = np.zeros((CHUNK + 1, n, H))
    blocks_s = np.zeros((CHUNK + 1, n, H)) if has_state else None
    carry = np.zeros((n, H)) if has_state else None  # the LSTM's f^(t+1) * ds^(t+1<-s)
    ones = np.ones(n)
    dh = np.zeros((steps, H))
    da = np.zeros((steps, GH))
    ds = np.zeros((steps, H)) if has_state else None
    flow2 = np.zeros((n, steps))  # [i, t]: ||dh^(t<-sources[i])||^2
    flow2_s = np.zeros((n, steps)) if has_state else None
    dots = np.zeros((n, steps)) if shares else None  # [i, t]: <da^(t<-sources[i]), da^(t)>
    by_unit = np.zeros((steps, steps, H)) if by_source else None
    U, sent, own_rows = below if below is not None else (None, None, None)
    # one step's rows sent, from dh and from ds, before they are added (no temporaries a step)
    sending = np.empty((2, n, sent.shape[2])) if sent is not None else None
    kept = [b for b in (blocks_h, blocks_s) if b is not None]

    with np.errstate(all="ignore"):
        for hi in range(steps, 0, -CHUNK):
            lo = max(hi - CHUNK, 0)
            r0, r1 = firsts[lo], stops[hi - 1]  # every row any step of the chunk uses
            if hi < steps:  # what the step above the chunk sent back
                blocks_h[hi - lo] = blocks_h[0]
            for t in range(hi - 1, lo - 1, -1):
                first, older, stop = firsts[t], olders[t], stops[t]
                k_slot = t - lo + 1
                if inject is None:
                    if first < older:  # the loss at step t itself
                        blocks_h[k_slot, first] = own[t]
                        if has_state:
                            carry[first] = 0.0
                else:  # the rows entering the window start from what arrives from above
                    entering = min(firsts[t + 1], stop) if t + 1 < steps else stop
                    blocks_h[k_slot, first:entering] = inject[t, first:entering]
                    blocks_h[k_slot, entering:stop] += inject[t, entering:stop]
                    if has_state:
                        carry[first:entering] = 0.0
                for block in kept:  # rows outside the window count as zero
                    block[k_slot, r0:first] = 0.0
                    block[k_slot, stop:r1] = 0.0
                if first < stop:
                    rows = slice(first, stop)
                    local.at(
                        t, blocks_h[k_slot, rows],
                        blocks_h[k_slot - 1, rows], blocks_s[k_slot, rows] if has_state else None,
                        carry[rows] if has_state else None,
                    )
                    if sent is not None:  # U^T da^(t<-s), from dh (and ds) without forming da
                        to_input, from_s = local.input_maps(t, U)
                        part = sending[0, : stop - first]
                        np.matmul(blocks_h[k_slot, rows], to_input, out=part)
                        if from_s is not None:
                            part += np.matmul(blocks_s[k_slot, rows], from_s, out=sending[1, : stop - first])
                        if own_rows is None:
                            sent[t, rows] += part
                        elif first < older:  # the source at step t: its row aside, the rest written
                            own_rows[t] = part[0]
                            sent[t, older:stop] = part[1:]
                        else:
                            sent[t, rows] = part
            span = slice(lo, hi)
            chunk_h = blocks_h[1: hi - lo + 1, r0:r1]
            np.matmul(ones[r0:r1], chunk_h, out=dh[span])
            np.vecdot(chunk_h, chunk_h, out=flow2[r0:r1, span].T)
            if has_state:
                chunk_s = blocks_s[1: hi - lo + 1, r0:r1]
                np.matmul(ones[r0:r1], chunk_s, out=ds[span])
                np.vecdot(chunk_s, chunk_s, out=flow2_s[r0:r1, span].T)
            # the rule is linear: applied to the summed errors it gives the summed da
            local.errors(span, dh[span], da[span], ds[span] if has_state else None)
            if shares:  # <da^(t<-s), da^(t)> = <dh^(t<-s), w_h> (+ <ds^(t<-s), w_s>): no source's da formed
                w_h, w_s = local.share_weights(span, dh[span], ds[span] if has_state else None)
                np.matmul(chunk_h, w_h[:, :, None], out=dots[r0:r1, span].T[:, :, None])
                if w_s is not None:
                    dots[r0:r1, span] += np.matmul(chunk_s, w_s[:, :, None])[:, :, 0].T
            if by_unit is not None:
                by_unit[sources[r0:r1], span] = chunk_h.transpose(1, 0, 2)
        # h0 (and s0) receive what reached step 0 (MATH.md: dh0 = W^T da^(0)), so k >= T is full BPTT.
        at_zero = slice(firsts[0], stops[0])
        dh0 = blocks_h[0, at_zero].sum(axis=0)
        ds0 = carry[at_zero].sum(axis=0) if has_state else None
    return Swept(dh, da, ds, flow2, flow2_s, dots, by_unit, dh0, ds0)


# The cores a process may lend to second sweeps at once: beyond them a second sweep runs in turn
# (two computations each splitting in two would put four busy threads on two cores).
SPARE_CORES = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) - 1))


def at_once(first, second) -> tuple:
    """(first(), second()), the second on a thread of its own when a core is spare (NumPy's
    products let go of the GIL, so two sweeps share two cores); one after the other otherwise."""
    if not SPARE_CORES.acquire(blocking=False):
        return first(), second()
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="sweep") as pool:
            later = pool.submit(second)
            return first(), later.result()
    finally:
        SPARE_CORES.release()


def sweep_apart(fwd, sources: np.ndarray, truncate: int | None, own: np.ndarray) -> Swept:
    """sweep(fwd, sources, truncate, own=own, shares=False) for many sources: each row of the block
    is one source's own, so every other source goes to a second sweep run at once, and the two
    give the same flows and, summed, the same errors (to the rounding of a sum taken in another
    order). Below APART_SOURCES, one sweep."""
    if len(sources) < APART_SOURCES:
        return sweep(fwd, sources, truncate, own=own, shares=False)
    even, odd = at_once(lambda: sweep(fwd, sources[0::2], truncate, own=own, shares=False),
                        lambda: sweep(fwd, sources[1::2], truncate, own=own, shares=False))

    def rows(a, b):
        if a is None:
            return None
        out = np.empty((len(sources),) + a.shape[1:])
        out[0::2], out[1::2] = a, b
        return out

    add = lambda a, b: None if a is None else a + b  # noqa: E731
    with np.errstate(all="ignore"):  # an overflow is the caller's to report, as after one sweep
        return Swept(even.dh + odd.dh, even.da + odd.da, add(even.ds, odd.ds), rows(even.flow2, odd.flow2),
                     rows(even.flow2_s, odd.flow2_s), None, None, even.dh0 + odd.dh0, add(even.ds0, odd.ds0))
