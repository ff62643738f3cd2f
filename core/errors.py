"""Exceptions the core raises for problems a caller can fix."""


class InputError(ValueError):
    """An input the core cannot use; ``field`` names it the way the API does."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def __reduce__(self):  # crosses from a computation process to the server's intact
        return type(self), (self.field, self.message)


class NumericalOverflow(ArithmeticError):
    """A value became non-finite during the computation.

    ``step`` is the time step and ``quantity`` the array (``a``, ``h``, ``o``, ``loss``,
    ``dh``...) in which it happened, so the caller can say where, not only that.
    """

    def __init__(self, quantity: str, step: int, training_step: int | None = None):
        where = f"at step {step}" if training_step is None else f"at step {step} of training step {training_step}"
        hint = (
            "try a smaller spectral_radius, smaller weights or a bounded activation" if training_step is None
            else "lower the learning_rate or clip the gradients"
        )
        super().__init__(f"the computation overflowed in {quantity} {where}: {hint}")
        self.quantity = quantity
        self.step = step
        self.training_step = training_step

    def __reduce__(self):
        return type(self), (self.quantity, self.step, self.training_step)
