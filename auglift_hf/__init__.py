"""auglift-hf: depth-augmented 3D human pose lifting (AugLift, arXiv 2508.07112) on the Hugging Face stack.

Importing the package registers every lifter with ``AutoConfig`` / ``AutoModel``.
Conventions (everywhere): H36M-17 joint order (:mod:`auglift_hf.skeleton`), metres inside data and
models, millimetres in metrics and user-facing outputs, camera coordinates (x right, y down, z forward).
"""

__version__ = "0.1.0"

from . import camera, skeleton  # noqa: E402

MODEL_TYPES: tuple[str, ...] = ()
