"""News goes up: a lower layer sends a signal, the domains above it connect handlers.

Calls go down the layers (see the README's layout); when a lower package must hear from,
or tell, a package above it (a payment was paid, the register filters on open dues),
it defines a blinker signal in its own `signals.py` and the higher package connects a
receiver, as indico does (`indico/core/signals/`). The lower package never names the
higher one.
"""

from blinker import Signal


def values_from_signal(signal: Signal, *args, **kwargs) -> list:
    """What the receivers returned, leaving out None (a receiver with nothing to say)."""
    return [value for _receiver, value in signal.send(*args, **kwargs) if value is not None]
