"""Frame-table depth sources of the simulations: per-sequence descriptors with the card's description attached."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: YAML key of a frame table's card (front matter) recording how its simulated depth columns were made:
#: ``{"simulation": "capsule-v1" | "surface-v2", "depth_error": <the error model's fields, null = exact depth>,
#: "body": <words>}``, written by :func:`auglift_hf.data.schema.write_frame_table` from a simulated source's
#: ``simulation_record``; read back by PoseAug to give augmented poses the same depth
#: (:mod:`auglift_hf.simulation.poseaug.table_depth`).
DEPTH_SIMULATION_KEY = "auglift_depth_simulation"


def simulation_record(simulation: str, body: str, error: Any) -> dict[str, Any]:
    """The card's :data:`DEPTH_SIMULATION_KEY` entry: plain JSON types (``error``: ``to_dict()``, a dict or ``None``;
    anything else is recorded as its text, which no reader can rebuild)."""
    import json

    described = error.to_dict() if hasattr(error, "to_dict") else error
    try:
        described = json.loads(json.dumps(described))
    except TypeError:
        described = str(described)
    return {"simulation": simulation, "depth_error": described, "body": body}


def simulated_depth_source(
    descriptors: Callable[..., Any],
    mode: str,
    seed: int,
    num_samples: int | None,
    *,
    simulation: str,
    body: str,
    error: Any,
    encoding: str = "package",
) -> Callable[..., np.ndarray]:
    """A ``auglift_hf.data.schema.DepthSource``: ``source(keypoints_3d, keypoints_2d, scores, focal, center,
    image_size) -> (frames, 17, k)`` float32 metres, one call per sequence, seeded ``seed * 1_000_003 + call``.

    Args:
        descriptors: ``descriptors(keypoints_3d, keypoints_2d, scores, focal, center, *, mode, image_size, seed,
            **descriptor_kwargs)`` of one simulation (its error model bound); ``keypoints_2d`` is ``None`` for
            ground-truth 2D (the exact projection is sampled).
        mode, num_samples: the descriptor (:func:`auglift_hf.contract.default_descriptor`; ``None`` = the default
            count).
        simulation, body, error: what the card says: the simulation's name, its body / scene in words, the error
            model (``to_dict()`` or a plain value).
        encoding: the lifter-side depth codec recorded in the contract's descriptor
            (:data:`auglift_hf.features.depth.DEPTH_ENCODINGS`): ``"package"`` (default) or ``"auglift"``, which
            also takes AugLift's sampling (:data:`auglift_hf.features.depth.AUGLIFT_SAMPLING`: 100 candidates
            uniform in the square, those in the disk kept) unless ``num_samples`` is given.

    The source carries ``channels``, ``simulation``, ``kind``, ``contract`` (depth kind, the metric depth model a
    lifter trained on it expects, the descriptor), ``depth_error``, ``simulation_record`` (the card's
    :data:`DEPTH_SIMULATION_KEY` entry) and ``gt_keypoints_from_3d``; and ``at_call(call, ...)`` (the output of the
    ``call``-th call, without counting it) with ``skip_calls(n)`` (count ``n`` calls made with ``at_call``; returns
    the first call number), so that sequences can be simulated in parallel with the serial seeds.
    """
    from ..contract import DEFAULT_DEPTH_MODEL, DEFAULT_NUM_SAMPLES, default_descriptor, descriptor_kwargs
    from ..features.depth import AUGLIFT_SAMPLING, DEPTH_CHANNELS, DEPTH_ENCODINGS

    if encoding not in DEPTH_ENCODINGS:
        raise ValueError(f"`encoding` must be one of {list(DEPTH_ENCODINGS)}, got {encoding!r}")
    overrides = {**AUGLIFT_SAMPLING, "encoding": "auglift"} if encoding == "auglift" else {}
    if num_samples is not None:
        overrides["num_samples"] = int(num_samples)
    descriptor = default_descriptor(mode, **{"num_samples": DEFAULT_NUM_SAMPLES, **overrides})
    _, kwargs = descriptor_kwargs(descriptor)
    kwargs["pattern_seed"] = kwargs.pop("seed")
    calls = [0]

    def at_call(call, keypoints_3d, keypoints_2d, scores, focal, center, image_size):  # noqa: ANN001, ANN202
        out = descriptors(
            keypoints_3d, keypoints_2d, scores, focal, center, mode=mode, image_size=tuple(image_size),
            seed=seed * 1_000_003 + call, **kwargs,
        )  # fmt: skip
        return np.asarray(out.detach().cpu().numpy() if hasattr(out, "detach") else out, dtype=np.float32)

    def source(keypoints_3d, keypoints_2d, scores, focal, center, image_size):  # noqa: ANN001, ANN202
        calls[0] += 1
        return at_call(calls[0], keypoints_3d, keypoints_2d, scores, focal, center, image_size)

    def skip_calls(n: int) -> int:
        """Advance the call counter by ``n`` (calls made elsewhere with :func:`at_call`); returns the first one."""
        calls[0] += int(n)
        return calls[0] - int(n) + 1

    # what a parallel writer needs to reproduce the serial calls exactly (auglift_hf.data.schema.write_frame_table)
    source.at_call = at_call  # type: ignore[attr-defined]
    source.skip_calls = skip_calls  # type: ignore[attr-defined]

    described = error.to_dict() if hasattr(error, "to_dict") else error
    source.gt_keypoints_from_3d = True  # type: ignore[attr-defined]
    source.channels = DEPTH_CHANNELS[mode]  # type: ignore[attr-defined]
    source.simulation = simulation  # type: ignore[attr-defined]
    source.kind = (  # type: ignore[attr-defined]
        f"synthetic metric depth ({mode}, {descriptor['num_samples']} {descriptor['pattern']} samples, "
        f"{encoding} encoding, {body}, seed {seed}); "
        f"monocular depth error model: {described}"
    )
    source.contract = {  # type: ignore[attr-defined]
        "depth_kind": "metric",
        "depth_model": DEFAULT_DEPTH_MODEL,
        "depth_descriptor": descriptor,
    }
    source.depth_error = described  # type: ignore[attr-defined]
    source.simulation_record = simulation_record(simulation, body, described)  # type: ignore[attr-defined]
    return source
