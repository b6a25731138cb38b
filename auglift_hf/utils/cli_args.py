"""``argparse`` value types that refuse numbers that cannot be meant (``--max-frames -5``, ``--fps 0``, NaN).

Each raises ``argparse.ArgumentTypeError``, which the ``auglift`` parser reports as one line naming the option
(exit code 2).
"""

from __future__ import annotations

import argparse
import math


def positive_int(text: str) -> int:
    """An integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    """A finite number >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text!r}")
    return value


#: The depth simulations a CLI option can name (:data:`auglift_hf.data.schema.DEPTH_SIMULATIONS`; literal here so
#: ``--help`` imports nothing heavy; a test checks they agree).
DEPTH_SIMULATION_CHOICES: tuple[str, ...] = ("capsule-v1", "surface-v2")
#: The simulated-detector presets (:data:`auglift_hf.simulation.detector2d.COCO_DETECTOR_PRESETS`; literal for the
#: same reason, checked by the same kind of test).
DETECTOR_PRESET_CHOICES: tuple[str, ...] = ("movenet-fitted", "optimistic", "movenet-measured", "score-calibrated")
#: :data:`auglift_hf.simulation.detector2d.DEFAULT_DETECTOR_PRESET` (literal for the same reason, same test).
DEFAULT_DETECTOR_PRESET = "movenet-fitted"


def depth_severity(text: str) -> float:
    """A monocular-depth error severity in ``[0, MAX_SEVERITY]`` (:mod:`auglift_hf.simulation.depth_error`)."""
    from ..simulation.depth_error import MAX_SEVERITY

    value = non_negative_float(text)
    if value > MAX_SEVERITY:
        raise argparse.ArgumentTypeError(
            f"expected a severity in [0, {MAX_SEVERITY:g}] (1 = the Depth Anything V2 metric preset; above "
            f"{MAX_SEVERITY:g} the simulated depth collapses to a constant), got {text!r}"
        )
    return value
