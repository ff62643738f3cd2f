"""One module per cell. Each holds its forward rule for one step and, right under it, the
local backward rule of that step (MATH.md, "Forward pass of the simple RNN",
"Backward pass", "The LSTM", "The GRU" and "minGRU and minLSTM"):

    step(p, xu, h_prev, s_prev, activation) -> Step(a, gates, h, s)
        one step forward for one sequence or a batch of them (rows); xu = U x + b, the input's
        part of the pre-activations.
    Local(fwd).at(t, dh, reaching, ds, carry)
        one step backward for a block of sources at once (one row per source), written into
        the arrays given: from the errors dh^(t<-s) (and, for the LSTM, the carry from step
        t+1), what reaches h^(t-1) through this step, and the LSTM's ds^(t<-s) and its carry
        for step t-1 (in place). No source's da^(t<-s) is formed.
    Local(fwd).share_weights(span, dh, ds) -> (w_h, w_s or None)
        for the summed errors of a span of steps, the weights that give every source's
        <da^(t<-s), da^(t)> = <dh^(t<-s), w_h> (+ <ds^(t<-s), w_s>) without forming its da
        (each block of da is a factor times dh or ds, so w = sum_k factor_k^2 * the total).
    Local(fwd).input_maps(t, U) -> (M_h, M_s or None)
        what a step sends to its input, U^T da^(t<-s) = dh @ M_h (+ ds @ M_s for the LSTM), for a
        stack's layer below (deep_backward.py), without forming da.
    Local(fwd).rows(t, dh, da, w_errors, carry) -> (dh^(t-1), carry)
        one step back for a batch of sequences, one row each, each with its own gates
        (bptt.batch_gradients): da (and, for the GRU, the errors behind W's contribution) written
        into the arrays given.
    weight_errors(fwd, da) -> (T, G H) or None
        the errors that multiply h^(t-1)^T in W's step contribution; None for the cells without W.
    extra_grads(fwd, da) -> {name: array}
        step contributions of the cell's extra parameters (the GRU's b_hn), (T, ...).

The minGRU and the minLSTM share their diagonal step back (diagonal.DiagonalLocal).

Every rule is linear in the errors it carries, so a block of sources costs one H x H matrix
product per step (two for the LSTM: h and s), whatever the number of gates (bptt.backward). The
min cells' step back is diagonal, an element-wise product. They also give

    coefficients(xu) -> (alpha, beta, gates)
        the pair of h = alpha * h' + beta for every row of xu at once (core/scan.py).
"""

from . import gru, lstm, mingru, minlstm, rnn
from .step import Step

__all__ = ["CELL_MODULES", "Step"]

CELL_MODULES = {"rnn": rnn, "lstm": lstm, "gru": gru, "mingru": mingru, "minlstm": minlstm}
