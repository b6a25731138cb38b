"""Depth of PoseAug's augmented poses from the same simulation as the training table's depth (issue 27 item 2).

A lifter trained on a table learns the statistics of that table's depth; the poses PoseAug generates must carry
depth with the same statistics, or the lifter learns to tell generated poses from real ones by their depth (or
learns a second, kinder depth model). :class:`AugmentedDepthSimulation` is read from the training table's dataset
card and produces the descriptors with **the functions the table builder used** (one code path, no copy of the
error model):

* ``surface-v2`` (:func:`auglift_hf.simulation.surface_depth.surface_descriptors_from_joints` with the card's
  :class:`~auglift_hf.simulation.surface_error.SurfaceDepthError` fields; a severity range draws one severity per
  call with :func:`~auglift_hf.simulation.surface_depth.draw_severity`, as the table draws one per sequence);
* ``capsule-v1`` (:func:`auglift_hf.simulation.raycast.depth_descriptors_from_joints`) with **the error model the
  card records**: the realistic preset (:class:`~auglift_hf.simulation.depth_error.MonocularDepthError`, e.g.
  ``depth_error_preset``) when the table was built with it (``auglift convert --depth-source synthetic
  --depth-simulation capsule-v1``, ``auglift quickstart --depth-simulation capsule-v1``),
  :class:`~auglift_hf.simulation.depth_error.DepthCorruption` when it was built with that (``--simple-simulation``),
  exact depth when it records none;
* the descriptor (mode, sample count, pattern, CASP radius law, extrema) is the table's input contract
  (``auglift_input_contract.depth_descriptor``), the same the table's source sampled with.

The rows of an augmented batch are unrelated poses (other people, places and cameras), so each is simulated as a
sequence of one frame (``independent_frames``): its own body shape and scene (surface-v2) and error draws
independent between rows, i.e. each row has the distribution of one frame of a table sequence
(``tests/simulation/test_poseaug_depth.py`` compares the per-joint statistics with a table built by
``auglift convert``). Depth is sampled at the exact projection, as in ``gt2d`` tables (PoseAug's 2D is exact).

``legacy-capsule`` (:meth:`AugmentedDepthSimulation.legacy`): the behaviour before this module, the capsule body
with the older, kinder :class:`~auglift_hf.simulation.depth_error.DepthCorruption` (16 sunflower samples); only
as the explicit option ``poseaug_depth=legacy-capsule``, e.g. for a table whose card does not say how its depth
was made (which is refused otherwise).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import torch

#: Values of the training option ``poseaug_depth``: ``table`` (the training table's simulation, default) or
#: ``legacy-capsule`` (capsule body + ``DepthCorruption``; explicit only).
POSEAUG_DEPTH_OPTIONS: tuple[str, ...] = ("table", "legacy-capsule")
LEGACY = "legacy-capsule"
#: Rows of an augmented batch that share one severity drawn from a table's severity range (the table: one per
#: sequence); small enough that a batch of 128-1024 poses spans several severities, large enough to stay vectorised.
SEVERITY_GROUP_ROWS = 128


@dataclass(frozen=True)
class AugmentedDepthSimulation:
    """How augmented poses get their depth: a simulation, its error model's fields and the descriptor.

    Args:
        simulation: ``"surface-v2"``, ``"capsule-v1"`` or ``"legacy-capsule"``.
        depth_error: the card's recorded error-model fields (``None``: exact depth); ``severity`` may be a
            ``[lo, hi]`` range (surface-v2).
        descriptor: the table contract's ``depth_descriptor`` (``None`` for ``legacy-capsule``: chosen from the
            lifter's channels, ``casp`` with 16 samples or ``point``).
        source: where it was read from (the table folders), for the training config and messages.
    """

    simulation: str
    depth_error: dict[str, Any] | None
    descriptor: dict[str, Any] | None
    source: str = ""

    def __post_init__(self) -> None:
        if self.simulation not in ("surface-v2", "capsule-v1", LEGACY):
            raise ValueError(f"unknown depth simulation {self.simulation!r} ({self.source})")
        self.error_kind  # noqa: B018 - validates the recorded fields
        if self.descriptor is not None:
            from ...contract import descriptor_kwargs

            descriptor_kwargs(self.descriptor)  # validates
            if self.descriptor.get("encoding", "package") != "package":
                raise ValueError(
                    f"{self.source}: the table's depth encoding {self.descriptor['encoding']!r} is not implemented by "
                    "PoseAug's torch encoder (encode_like_processor): PoseAug with depth needs a package-encoding table"
                )

    # ------------------------------------------------------------------ construction
    @classmethod
    def legacy(cls) -> AugmentedDepthSimulation:
        """The behaviour before the table's simulation was used: capsule body + ``DepthCorruption()``."""
        from ..depth_error import DepthCorruption

        return cls(LEGACY, DepthCorruption().to_dict(), None, source="poseaug_depth=legacy-capsule")

    @classmethod
    def from_table(cls, folder: str | os.PathLike) -> AugmentedDepthSimulation:
        """Read the card of table ``folder`` (``README.md``: :data:`~auglift_hf.simulation.depth_source.
        DEPTH_SIMULATION_KEY` and the input contract's descriptor).

        Raises:
            ValueError: the card does not record how the depth was made (one line naming the table).
        """
        from ...contract import CARD_KEY, read_card_metadata
        from ..depth_source import DEPTH_SIMULATION_KEY

        path = os.path.join(os.fspath(folder), "README.md")
        meta = read_card_metadata(path) if os.path.isfile(path) else {}
        record = meta.get(DEPTH_SIMULATION_KEY)
        if record is None and os.path.isfile(path):  # a card written before the key existed: its depth description
            with open(path, encoding="utf-8") as fh:
                record = _record_from_description(fh.read())
        descriptor = (
            (meta.get(CARD_KEY) or {}).get("depth_descriptor") if isinstance(meta.get(CARD_KEY), dict) else None
        )
        if not isinstance(record, dict) or record.get("simulation") not in ("surface-v2", "capsule-v1"):
            raise ValueError(
                f"training table {os.fspath(folder)}: its card does not say how its depth was made (no "
                f"`{DEPTH_SIMULATION_KEY}` with a known simulation in README.md), so PoseAug cannot give augmented "
                "poses the same depth: rebuild it with `auglift convert ... --depth-source synthetic`, or pass "
                "poseaug_depth=legacy-capsule to use the older capsule + DepthCorruption depth"
            )
        if not isinstance(descriptor, dict):
            raise ValueError(
                f"training table {os.fspath(folder)}: its card records no depth_descriptor in `{CARD_KEY}`; PoseAug "
                "cannot sample augmented poses' depth like the table's"
            )
        return cls(record["simulation"], record.get("depth_error"), descriptor, source=os.fspath(folder))

    @classmethod
    def from_tables(cls, tables: Sequence[Any]) -> AugmentedDepthSimulation:
        """The simulation shared by every training table; refuses tables that disagree or are not folders."""
        found: list[AugmentedDepthSimulation] = []
        for src in tables:
            if not isinstance(src, (str, os.PathLike)) or not os.path.isdir(os.fspath(src)):
                raise ValueError(
                    f"training table {src if isinstance(src, str) else type(src).__name__}: not a table folder with a "
                    "card, so PoseAug cannot read how its depth was made; pass poseaug_depth=legacy-capsule"
                )
            found.append(cls.from_table(src))
        if not found:
            raise ValueError(
                "PoseAug with depth needs data.train_datasets (table folders) or poseaug_depth=legacy-capsule"
            )
        first = found[0]
        for other in found[1:]:
            if (other.simulation, other.depth_error, other.descriptor) != (
                first.simulation, first.depth_error, first.descriptor
            ):  # fmt: skip
                raise ValueError(
                    f"training tables {first.source} and {other.source} record different depth simulations "
                    f"({first.describe()} vs {other.describe()}): PoseAug gives augmented poses one depth model; "
                    "train on tables built the same way"
                )
        names = [f.source for f in found]
        return cls(first.simulation, first.depth_error, first.descriptor, source=", ".join(names))

    # ------------------------------------------------------------------ description
    @property
    def error_kind(self) -> str:
        """``"SurfaceDepthError"``, ``"MonocularDepthError"``, ``"DepthCorruption"`` or ``"exact"``."""
        return _error_kind(self.simulation, self.depth_error, self.source)

    def to_dict(self) -> dict[str, Any]:
        """What the trained lifter's ``training_config.json`` records (``training.poseaug_depth_simulation``)."""
        return {"simulation": self.simulation, "error_model": self.error_kind, "depth_error": self.depth_error,
                "depth_descriptor": self.descriptor, "read_from": self.source}  # fmt: skip

    def describe(self) -> str:
        sev = (self.depth_error or {}).get("severity")
        return f"{self.simulation} ({self.error_kind}{'' if sev is None else f', severity {sev}'})"

    # ------------------------------------------------------------------ the depth
    def error_model(self, seed: int) -> Any:
        """The error model of one call (one batch): the card's fields; a severity range draws the severity from
        ``seed`` (:func:`~auglift_hf.simulation.surface_depth.draw_severity`)."""
        err = dict(self.depth_error or {})
        if self.error_kind == "exact":
            return None
        if self.error_kind == "DepthCorruption":
            from ..depth_error import DepthCorruption

            return DepthCorruption(**err)
        sev = err.get("severity")
        if isinstance(sev, (list, tuple)):
            from ..surface_depth import draw_severity

            err["severity"] = draw_severity(seed, tuple(sev))
        if self.error_kind == "SurfaceDepthError":
            from ..surface_error import SurfaceDepthError

            cls = SurfaceDepthError
        else:
            from ..depth_error import MonocularDepthError

            cls = MonocularDepthError
        return cls(**{f.name: err[f.name] for f in fields(cls) if f.name in err})

    def descriptors(
        self, pose: torch.Tensor, f: torch.Tensor, c: torch.Tensor, image_size: torch.Tensor | None, seed: int,
        needs_extrema: bool = False,
    ) -> torch.Tensor:  # fmt: skip
        """Descriptors ``(B, 17, k)`` metres of the bodies ``pose`` ``(B, 17, 3)`` (camera metres; ``f``, ``c``
        ``(B, 2)`` pixels, ``image_size`` ``(B, 2)`` or ``None``), sampled at their exact projections.

        ``needs_extrema`` (legacy only): CASP (``d, d_min, d_max``) rather than ``point``.
        """
        from ...contract import default_descriptor, descriptor_kwargs

        desc = self.descriptor or default_descriptor("casp" if needs_extrema else "point", 16)
        mode, kwargs = descriptor_kwargs(desc)
        kwargs["pattern_seed"] = kwargs.pop("seed", 0)
        kwargs.pop("interpolation", None)  # both ray casters read the exact ray of each sample
        k = {"casp": 3, "minmax": 2}.get(mode, 1)
        out = torch.empty(pose.shape[0], pose.shape[1], k)
        ranged = isinstance((self.depth_error or {}).get("severity"), (list, tuple))
        sizes = [None] if image_size is None else torch.unique(image_size.float(), dim=0)
        call = 0
        for size in sizes:  # one image size per call (the samples are clamped to the image)
            rows = torch.arange(len(pose)) if size is None else (image_size.float() == size).all(-1).nonzero()[:, 0]
            wh = None if size is None else (int(size[0]), int(size[1]))
            # a severity range: one severity per group of rows, as the table draws one per sequence
            for group in rows.split(SEVERITY_GROUP_ROWS) if ranged else [rows]:
                call += 1
                s = seed * 1_000_003 + call if ranged else seed
                out[group] = self._cast(pose[group], f[group], c[group], wh, mode, self.error_model(s), s, kwargs)
        return out.to(pose.dtype)

    def _cast(self, pose, f, c, wh, mode, model, seed, kwargs) -> torch.Tensor:  # noqa: ANN001
        # float32: ~2x faster than float64 for the capsule caster, differences < 0.1 mm (bench_poseaug_depth.py)
        pose, f, c = pose.detach().float(), f.detach().float(), c.detach().float()
        if self.simulation == "surface-v2":
            from ..surface_depth import surface_descriptors_from_joints

            if wh is None:
                raise ValueError("surface-v2 depth needs the image size (samples are snapped to its pixels)")
            from ..surface import OUTDOOR_FAR

            out = surface_descriptors_from_joints(
                pose, None, None, f, c, mode, image_size=wh, error=model, seed=seed, independent_frames=True,
                **kwargs,
            )  # fmt: skip
            # A joint none of whose rays hits anything reduces to 0: a generated pose at or behind the camera, or
            # turned so that its scene's horizontal direction degenerates (RT rotates and translates freely; no table
            # has one). It reads the farthest background instead, a depth network's far range, finite and > 0, so the
            # encoder (dscale2d) accepts it (the capsule caster's 10 m plane plays that role there).
            return torch.where(torch.isfinite(out) & (out > 0), out, torch.full_like(out, OUTDOOR_FAR[1]))
        from ..raycast import depth_descriptors_from_joints

        if hasattr(model, "for_independent_frames"):
            model = model.for_independent_frames()
        chunk = max(int(pose.shape[0]), 1) if mode == "point" else 256  # measured fastest (bench_poseaug_depth.py)
        return depth_descriptors_from_joints(
            pose, None, None, f, c, mode=mode, corruption=model, seed=seed, image_size=wh, chunk_size=chunk, **kwargs
        )


#: The depth description ``auglift convert`` wrote into a card's prose before :data:`DEPTH_SIMULATION_KEY` existed
#: (``simulated_depth_source``'s ``kind``; the descriptor part changed over time, the body and error parts did not).
_DESCRIPTION = re.compile(
    r"come from: \*\*synthetic metric depth \([^;]*?(?P<body>surface-v2 surface body in a room/outdoor scene|"
    r"capsule-body renderer), seed -?\d+\); monocular depth error model: (?P<error>\{[^\n]*\}|None)\*\*\."
)


def _record_from_description(card: str) -> dict[str, Any] | None:
    """The :data:`DEPTH_SIMULATION_KEY` record of an older card, parsed from its depth description (a Python literal,
    read with ``ast.literal_eval``); ``None`` when the card has no such description."""
    import ast

    found = _DESCRIPTION.search(card)
    if found is None:
        return None
    try:
        error = ast.literal_eval(found["error"])
    except (ValueError, SyntaxError):
        return None
    simulation = "surface-v2" if found["body"].startswith("surface-v2") else "capsule-v1"
    return {"simulation": simulation, "depth_error": error, "body": found["body"], "from": "depth description"}


def _error_kind(simulation: str, error: Any, where: str) -> str:
    """Which error model class the recorded fields belong to (refusing fields no model has)."""
    from ..depth_error import DepthCorruption, MonocularDepthError
    from ..surface_error import SurfaceDepthError

    if error is None:
        return "exact"
    if not isinstance(error, dict):
        raise ValueError(
            f"{where}: the card's depth error model is not a set of fields ({error!r}); cannot rebuild it"
        )
    candidates = {"surface-v2": (SurfaceDepthError,), "capsule-v1": (MonocularDepthError, DepthCorruption),
                  LEGACY: (DepthCorruption,)}[simulation]  # fmt: skip
    extra = {"severity_per_sequence"}  # the description of a severity range
    for cls in candidates:
        names = {f.name for f in fields(cls)}
        if set(error) - extra <= names and (cls is DepthCorruption or "preset" in error):
            return cls.__name__
    raise ValueError(
        f"{where}: the card's {simulation} depth error fields {sorted(error)} match no error model of the package"
    )


def poseaug_depth_simulation(option: str, tables: Sequence[Any]) -> AugmentedDepthSimulation:
    """The training option ``poseaug_depth`` (:data:`POSEAUG_DEPTH_OPTIONS`) resolved against the training tables."""
    if option not in POSEAUG_DEPTH_OPTIONS:
        raise ValueError(f"training.poseaug_depth must be one of {list(POSEAUG_DEPTH_OPTIONS)}, got {option!r}")
    if option == LEGACY:
        return AugmentedDepthSimulation.legacy()
    return AugmentedDepthSimulation.from_tables(tables)


__all__ = ["POSEAUG_DEPTH_OPTIONS", "AugmentedDepthSimulation", "poseaug_depth_simulation"]
