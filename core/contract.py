"""The contract's vocabulary in one place: cells, their gates and parameters, activations,
heads, tasks and the truncation window (MATH.md). The API's schemas and the page's
vocabulary are built from these names; nothing else retypes them.
"""

from dataclasses import dataclass

from .encode import TASKS
from .functions import ACTIVATIONS, HEADS

CELLS = ("rnn", "lstm", "gru", "mingru", "minlstm")
CELL_TITLES = {"rnn": "simple RNN", "lstm": "LSTM", "gru": "GRU", "mingru": "minGRU", "minlstm": "minLSTM"}
# The cells whose gates read only x (Feng et al., 2024): no W, and h = alpha * h' + beta.
MIN_CELLS = ("mingru", "minlstm")

# The blocks stacked in U, W, b and in the pre-activations a, in PyTorch's order; the min cells,
# which no PyTorch layer computes, in the paper's.
GATES = {
    "rnn": (),
    "lstm": ("input", "forget", "candidate", "output"),
    "gru": ("reset", "update", "candidate"),
    "mingru": ("update", "candidate"),
    "minlstm": ("forget", "input", "candidate"),
}
# The gates' values a forward pass stacks (Forward.gates, H columns each), in order: the blocks of
# GATES, then the minLSTM's normalised gates f' = f/(f+i) and i' = i/(f+i), which have no block.
GATE_VALUES = {**GATES, "minlstm": GATES["minlstm"] + ("f_norm", "i_norm")}
GATE_LETTERS = {
    "input": "i", "forget": "f", "candidate": "g", "output": "q",  # LSTM (MATH.md: q, not o)
    "reset": "r", "update": "z", "f_norm": "f′", "i_norm": "i′",
}
GRU_CANDIDATE_LETTER = "n"  # the GRU's candidate is n in MATH.md, the LSTM's is g
CANDIDATE_LETTERS = {"gru": GRU_CANDIDATE_LETTER, "mingru": "h̃", "minlstm": "h̃"}


def blocks(cell: str) -> int:
    """G: how many H-row blocks U, W and b stack (1, 4, 3; 2 and 3 for minGRU and minLSTM)."""
    return max(1, len(GATES[cell]))


def gate_letter(cell: str, gate: str) -> str:
    return CANDIDATE_LETTERS.get(cell, GATE_LETTERS["candidate"]) if gate == "candidate" else GATE_LETTERS[gate]


# Parameters per cell, in the order answers list them. The GRU's candidate has a recurrent
# bias of its own, b_hn, inside the reset gate's product; the min cells have no W.
PARAM_NAMES = {
    "rnn": ("U", "W", "b", "V", "c"),
    "lstm": ("U", "W", "b", "V", "c"),
    "gru": ("U", "W", "b", "b_hn", "V", "c"),
    "mingru": ("U", "b", "V", "c"),
    "minlstm": ("U", "b", "V", "c"),
}
# The names a parameter goes by in the texts learners read and in PyTorch, as (letter,
# subscript); the page relabels with them and the numbers stay. Gates keep their letters in every
# notation: PyTorch calls the LSTM's output gate o, which MATH.md keeps for the output layer's
# logits, so here it stays q (one letter, one meaning on one page).
NOTATIONS = {
    "textbook": {"title": "U, W, b, V, c",
                 "params": {"U": ("U", ""), "W": ("W", ""), "b": ("b", ""), "b_hn": ("b", "hn"),
                            "V": ("V", ""), "c": ("c", "")}},
    "wx": {"title": "Wx, Ws, Wy",
           "params": {"U": ("W", "x"), "W": ("W", "s"), "b": ("b", "s"), "b_hn": ("b", "hn"),
                      "V": ("W", "y"), "c": ("b", "y")}},
    "wxh": {"title": "Wxh, Whh, Why",
            "params": {"U": ("W", "xh"), "W": ("W", "hh"), "b": ("b", "h"), "b_hn": ("b", "hn"),
                       "V": ("W", "hy"), "c": ("b", "y")}},
    "pytorch": {"title": "PyTorch (gate o is q)",
                "params": {"U": ("W", "ih"), "W": ("W", "hh"), "b": ("b", "ih+hh"), "b_hn": ("b", "hn"),
                           "V": ("W", "fc"), "c": ("b", "fc")}},
}
DEFAULT_NOTATION = "textbook"

@dataclass(frozen=True)
class RequestField:
    """One field of the model a request describes, declared once: the API's name, the page's
    name (its form control's id and its link's key), the form's label, the cells it applies to,
    its kind (a whole number, a number, a choice), its default, the least value and the limit's
    name in the app's limits (/api/v1/meta), for an optional number what its empty box means, and
    the API's description (the schema adds which cells it applies to)."""

    name: str
    link: str
    label: str
    kind: str  # "int", "number", "bool" or "choice"
    default: int | float | str | None = None  # None: optional, the core's own default
    cells: tuple[str, ...] = CELLS
    low: float | None = None  # the least value (None: minus the limit; a choice has none)
    above: bool = False  # the least value itself is refused (greater than it)
    limit: str | None = None  # the key of meta.limits holding its largest value
    empty: str | None = None  # an optional number: the words its empty box shows
    step: float = 1
    about: str = ""  # the form's tooltip
    doc: str = ""  # the API's description


# The fields of a stacked, bidirectional or embedded model (issue 28; MATH.md, "Depth: embeddings,
# stacked layers, both directions"): the last rows of the form.
DEPTH_FIELDS = (
    RequestField("layers", "layers", "Layers L", "int", default=1, low=1, limit="layers",
                 about="Layers stacked, each reading the states of the one below",
                 doc="Stacked layers of the cell, each reading the states of the one below (PyTorch's num_layers)."),
    RequestField("bidirectional", "bidirectional", "Both directions", "bool", default=False,
                 about="Each layer also reads the sequence from the end, with weights of its own",
                 doc="Each layer adds a copy of the cell with its own weights that reads the sequence from the end; "
                 "the next layer and the output layer read both states side by side (2H)."),
    RequestField("embedding", "embedding", "Embedding size", "int", low=1, limit="embedding", empty="one-hot",
                 about="The first layer reads each character's row of an embedding instead of a one-hot vector",
                 doc="D_e: the first layer reads each character's row of an embedding E (tokens x D_e) instead of a "
                 "one-hot vector; text only."),
)

# The fields of the page's form about the model, in the form's order. The API refuses each
# cell-only one for the other cells (CELL_FIELDS), /api/v1/meta lists them (fields) and the page
# builds its form's rows, its state table and its requests from that list.
REQUEST_FIELDS = (
    RequestField("hidden_size", "hidden_size", "Hidden size H", "int", default=8, low=1, limit="hidden_size"),
    RequestField("activation", "activation", "Activation g", "choice", cells=("rnn",),
                 doc="The simple RNN's g (default tanh)."),
    RequestField("output", "output", "Output head", "choice", doc="Default: softmax for text, identity for numbers."),
    RequestField("seed", "seed", "Seed", "int", default=0, low=0, limit="seed"),
    RequestField("spectral_radius", "rho", "ρ(W)", "number", cells=("rnn",), low=0, above=True, limit="spectral_radius",
                 empty="as initialised", step=0.1, doc="Rescale W to this spectral radius rho(W)."),
    RequestField("forget_bias", "forget_bias", "Forget bias", "number", cells=("lstm", "minlstm"),
                 limit="forget_bias", empty="1.0", step=0.5,
                 about="The forget gate's initial bias: larger keeps the cell state, and its error, longer",
                 doc="Initial forget-gate bias (default 1 for lstm, 0 for minlstm); larger keeps the cell state, "
                 "and its error, longer."),
    RequestField("update_bias", "update_bias", "Update bias", "number", cells=("gru", "mingru"),
                 limit="forget_bias", empty="0", step=0.5,
                 about="The update gate's initial bias. GRU: larger keeps h, and its error, longer. "
                 "minGRU: smaller does (its α = 1 − z)",
                 doc="Initial update-gate bias (default 0). gru: larger keeps h, and its error, longer; "
                 "mingru: smaller does (alpha = 1 - z)."),
    RequestField("truncate", "truncate", "Truncation k", "int", low=1, limit="truncate", empty="full",
                 doc="Truncated BPTT window k; null = full."),
    *DEPTH_FIELDS,
)
# Fields the form does not show that belong to some cells only.
CELL_FIELDS = {
    **{field.name: field.cells for field in REQUEST_FIELDS if field.cells != CELLS},
    "input_bias": ("lstm", "minlstm"),
    "s0": ("lstm",),
}
# A gate bias's value when the request leaves it out (init_params's defaults): the LSTM's forget
# gate starts at 1, every other gate bias at 0.
DEFAULT_FORGET_BIAS = {"lstm": 1.0, "minlstm": 0.0}

# Hidden states the cell carries from step to step (and so gets an initial value and an error).
STATES = {"rnn": ("h",), "lstm": ("h", "s"), "gru": ("h",), "mingru": ("h",), "minlstm": ("h",)}


def param_shapes(cell: str, input_size: int, hidden_size: int, output_size: int) -> dict[str, tuple[int, ...]]:
    """The shape of every parameter of ``cell`` for sizes D, H and K."""
    D, H, K = input_size, hidden_size, output_size
    G = blocks(cell)
    shapes = {"U": (G * H, D), "W": (G * H, H), "b": (G * H,), "b_hn": (H,), "V": (K, H), "c": (K,)}
    return {name: shapes[name] for name in PARAM_NAMES[cell]}


# The function each gate applies, and the symbols the page writes for functions. The min cells'
# candidate is a_h itself (gate_function).
GATE_FUNCTIONS = {"input": "σ", "forget": "σ", "candidate": "tanh", "output": "σ", "reset": "σ", "update": "σ",
                  "f_norm": "f/(f+i)", "i_norm": "i/(f+i)"}
LINEAR_CANDIDATE = "id"


def gate_function(cell: str, gate: str) -> str:
    return LINEAR_CANDIDATE if (cell in MIN_CELLS and gate == "candidate") else GATE_FUNCTIONS[gate]

ACTIVATION_SYMBOLS = {"tanh": "tanh", "relu": "relu", "sigmoid": "σ", "identity": "id"}
HEAD_SYMBOLS = {"softmax": "softmax", "identity": "id", "sigmoid": "σ"}
HEAD_TITLES = {"softmax": "softmax + cross-entropy", "identity": "identity + ½ squared error",
               "sigmoid": "sigmoid + binary cross-entropy"}

ACTIVATION_NAMES = tuple(ACTIVATIONS)
DEFAULT_ACTIVATION = "tanh"
HEAD_NAMES = tuple(HEADS)
TASK_NAMES = TASKS
# gamma = max |g'(a)|, in the bound (||W||_2 gamma)^d of MATH.md "Error gain against distance".
ACTIVATION_GAIN = {"tanh": 1.0, "relu": 1.0, "sigmoid": 0.25, "identity": 1.0}


def window(truncate: int | None, steps: int) -> int:
    """The truncation window k as a number: an error travels back at most k - 1 steps.
    Full BPTT (None) is a window longer than the sequence."""
    return steps + 1 if truncate is None else truncate
