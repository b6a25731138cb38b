"""Copy trained reference lifters into ``checkpoints/<name>/`` as Hub-ready folders with measured model cards.

Each folder gets ``config.json``, ``model.safetensors``, ``preprocessor_config.json`` (and the self-contained
``configuration_*.py`` / ``modeling_*.py`` for ``trust_remote_code`` users), ``training_config.json``,
``eval_results.json`` (the measurements of ``evaluate.py``) and a ``README.md`` model card built with
:func:`auglift_hf.hub.cards.write_model_card` plus a section on how it was trained and what it is good for.

The depth simulation of a checkpoint is read, never assumed: from the ``"depth"`` text of its training table's
``<table>_summary.json`` (``build_data.py``), recorded in the folder's ``eval_results.json`` under
:data:`DEPTH_RECORD_KEY` (``{"simulation", "train_severity", "train_depth", "source"}``) so that ``card_data.py``,
which runs without the tables, names it later; a folder without the record was shipped before issue 24 and is
:data:`LEGACY_DEPTH_SIMULATION` (what those checkpoints were trained on). Each row's evaluation severity is read from
its evaluation table (``reference_eval.tables`` of an ``evaluate.py`` json: the table card's
``auglift_depth_simulation`` record, else its summary text). Rows of an ``evaluate.py`` json that records its tables
(``reference_eval.tables``, issue 24) state the frames and stride actually scored; older jsons keep the "first 120
frames" texts of :data:`PLACES`, byte for byte.

Usage::

    python benchmarks/reference/ship.py --runs /work/cache/h36m_ref/runs --eval /work/cache/h36m_ref/eval \
        poseformer-9f-xycd:poseformer-xycd poseformer-9f-xy:poseformer-xy tcn-27f-xycd:tcn-27f-xycd tcn-27f-xy:tcn-27f-xy

An XY run on a mixture of source datasets (issue 26: several training tables whose ``dataset`` columns differ) is
read table by table (:func:`training_sources`: source, card licence, weight), recorded in ``eval_results.json``
(:data:`SOURCES_KEY`) and needs the root of its three-seed evaluation (``mixture_table.py``)::

    python benchmarks/reference/ship.py --runs /work/cache/i26/runs --eval /work/cache/i26/eval_ref \
        --three-seeds /work/cache/i26 tcn-27f-xy-mix-seed0:tcn-27f-xy-mix

A depth lifter on a mixture (every source with the same simulated depth, :func:`source_depths`) needs the root of
``evaluate_i26_depth_mixture.sh`` (the same root) and its rule (``depth_mixture_table.py``) saying "replace"; shipped
under ``tcn-27f-xy`` / ``tcn-27f-xycd`` / ``tcn-27f-casp`` the mixture replaces the H36M-only triple (header of
``evaluate_i26_depth_mixture.sh``). An existing folder is replaced only with ``--replace``; every destination is
checked before any folder is written.

A PoseAug-trained lifter (issue 27: ``training.poseaug``; the v4 experiment of ``benchmarks/v4_poseaug``) on the
H36M-joint ground-truth 2D table with surface-v2 depth needs the root of ``benchmarks/v4_poseaug/evaluate.sh``: its
card carries the three-seed tables of ``v4_table.py`` and it is shipped only if it beats its sample-matched plain twin
with an interval that excludes 0 on at least one cross-dataset column (:func:`v4_results`); its two training phases
are recorded in ``eval_results.json`` (:data:`POSEAUG_KEY`)::

    python benchmarks/reference/ship.py --runs /work/cache/v4/runs --eval /work/cache/v4/eval_ref \
        --v4 /work/cache/v4 xyd-pa-s0:simplebaseline-xyd-h36m-poseaug

The re-ship on MoveNet-fitted 2D (issue 24: the recipes retrained on tables built with the ``movenet-fitted`` detector
preset, ``train_i24_fitted.sh``) replaces a family's triple (``tcn-27f-*`` or ``poseformer-*``, from the destination
names) by its ``-fit`` seed-0 runs only if ``fitted_table.py ROOT FAMILY`` says replace (checked for every family
before any folder is written); the card carries its three-seed tables, and every card shipped since names the detector
preset of its training 2D (read from the training tables' summaries, recorded in ``eval_results.json`` under
:data:`DETECTOR_KEY`)::

    python benchmarks/reference/ship.py --runs /work/cache/i24f/runs --eval /work/cache/i24f/eval_ref \
        --fitted /work/cache/i24f --replace tcn-27f-xy-fit-seed0:tcn-27f-xy tcn-27f-xycd-fit-seed0:tcn-27f-xycd \
        tcn-27f-casp-fit-seed0:tcn-27f-casp
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import re
import shutil
import textwrap
from pathlib import Path

from auglift_hf.hub.cards import write_model_card
from auglift_hf.simulation.surface_error import CALIBRATED_SEVERITY
from auglift_hf.training.config import LiftingTrainingArguments
from auglift_hf.utils.io import atomic_write_dir

REPO = Path(__file__).resolve().parents[2]
#: evaluate.py condition label -> (card config, split) of the model-index rows
CARD_ROWS = {
    "in-domain GT-2D": ("gt2d (S9, S11, real cameras)", "test"),
    "in-domain noisy-2D": ("noisy-2d (S9, S11, real cameras)", "test"),
    "out-of-domain GT-2D": ("gt2d (S9, S11, virtual cameras 30% closer)", "test"),
    "out-of-domain noisy-2D": ("noisy-2d (S9, S11, virtual cameras 30% closer)", "test"),
    "CMU GT-2D": ("gt2d (CMU motion, H36M S1 cameras; cross-dataset)", "test"),
    "CMU noisy-2D": ("noisy-2d (CMU motion, H36M S1 cameras; cross-dataset)", "test"),
    "in-domain noisy-2D, no depth": ("noisy-2d, depth channels removed (S9, S11)", "test"),
    "CMU noisy-2D, no depth": ("noisy-2d, depth channels removed (CMU)", "test"),
    "in-domain COCO-GT-2D": ("coco-gt-2d (S9, S11, real cameras)", "test"),
    "out-of-domain COCO-GT-2D": ("coco-gt-2d (S9, S11, virtual cameras 30% closer)", "test"),
    "CMU COCO-GT-2D": ("coco-gt-2d (CMU motion, H36M S1 cameras; cross-dataset)", "test"),
}
#: The depth simulation of a folder that records none (`auglift_hf.data.schema.DEPTH_SIMULATIONS`): every depth lifter
#: shipped before issue 24 was trained and evaluated on it.
LEGACY_DEPTH_SIMULATION = "capsule-v1"
DEPTH_SIMULATION = LEGACY_DEPTH_SIMULATION  # the name the texts below were written for
#: ``eval_results.json`` key of the folder's depth record (:func:`depth_record` of the training table + its source).
DEPTH_RECORD_KEY = "depth_simulation"
#: ``eval_results.json`` key of a mixture folder's training sources (:func:`training_sources`): ``card_data.py``,
#: which runs without the tables, names them and their licences from it.
SOURCES_KEY = "training_sources"
#: ``eval_results.json`` key of a PoseAug-trained folder's record (:func:`poseaug_record`: both training phases, the
#: PoseAug options and counts): ``card_data.py`` names its ground-truth 2D and PoseAug training from it.
POSEAUG_KEY = "poseaug"
#: ``eval_results.json`` key of the simulated detector preset of a folder's training 2D (``{"preset", "source"}``:
#: :func:`detector_preset` of its training tables' summaries): ``card_data.py`` names it in the training-data sentence;
#: a folder without it was shipped before the record and its sentence names none.
DETECTOR_KEY = "detector_preset"
#: ``eval_results.json`` key of a folder shipped by the re-ship on MoveNet-fitted 2D (``--fitted``, issue 24): its
#: three-seed tables are in its measured section (``fitted_table.py``), so ``card_data.py`` adds no RESULTS rows of
#: the weights it replaced.
FITTED_KEY = "fitted_reship"
#: What each simulated-detector preset is (``auglift_hf.simulation.detector2d.COCO_DETECTOR_PRESETS``), for the cards.
DETECTOR_PRESETS = {
    "movenet-fitted": "the simulator fitted to real MoveNet's error tails, persistent misses and scores",
    "optimistic": "the package's default until 2026-12-06: lighter error tails and per-frame misses, kinder than real "
    "MoveNet",
    "movenet-measured": "precision and landmark offsets measured on real MoveNet output, the rest at the package's "
    "assumptions",
    "score-calibrated": "the `optimistic` errors with scores only as informative as real MoveNet's",
}
#: The preset of a table whose 2D description names none: built before presets were named, with what is now
#: ``"optimistic"``.
LEGACY_DETECTOR_PRESET = "optimistic"
#: Where a card's data bullet names the detector preset (:func:`name_preset`).
DETECTOR_ANCHOR = "(`auglift_hf.simulation.simulate_coco_detector`"
H36M_MOTION = (
    "real: Human3.6M S9/S11 motion capture (data_3d_h36m_fk25.npz, forward kinematics of the public motion files "
    "with S1's bone lengths), 25 Hz"
)
H36M_SELECTION = (
    "first 120 frames of each of the 216 test sequences (54 takes x 4 cameras, 25,920 frames), one centred window "
    "every 16 frames, flip test"
)
#: evaluate.py condition place -> (dataset type, exact dataset name, motion, test frame selection)
PLACES = {
    "in-domain": ("h36m", "Human3.6M S9/S11 (real motion, 4 real cameras)",
                  H36M_MOTION + ", through the 4 real H36M cameras", H36M_SELECTION),
    "out-of-domain": ("h36m", "Human3.6M S9/S11 (real motion, 4 simulated virtual cameras)",
                      H36M_MOTION + ", through 4 simulated virtual cameras (30 % closer than H36M's, heights "
                      "0.5-2.6 m, focal 800-1500 px)", H36M_SELECTION),
    "CMU": ("cmu", "CMU motion capture (real motion, H36M S1's 4 real cameras; cross-dataset)",
            "real: CMU motion capture (32 takes; other subjects and proportions; never trained on), 24 Hz rows fed as "
            "25 Hz, through S1's 4 real H36M cameras",
            "first 120 frames of each of the 128 sequences (32 takes x 4 cameras, 11,348 frames, 10,623 of them with every "
            "joint in the image), one centred window every 16 frames on those, flip test"),
}  # fmt: skip
#: evaluate.py 2D label -> what the 2D was
TWO_D = {
    "GT-2D": "not a detector: exact projections of the 3D joints (H36M-17 definition), confidence 1",
    "COCO-GT-2D": "simulated: noise-free detector-definition 2D (COCO-17 landmarks placed by "
    "auglift_hf.simulation.simulate_coco_detector's body model, no detector noise, confidence 1, coco_to_h36m)",
    "noisy-2D": "simulated: COCO detector (auglift_hf.simulation.simulate_coco_detector: detector-definition "
    "landmarks, temporally correlated AR(1) noise, calibrated confidences, coco_to_h36m); no real detector output",
}
SIMULATED_DEPTH = (
    f"simulated: {DEPTH_SIMULATION} (capsule-body ray caster, CASP 16 samples) with the depth-anything-v2-metric "
    "monocular error model (auglift_hf.simulation.depth_error_preset), severity 1; no real Depth Anything output"
)

#: What ``surface-v2`` depth is, for the cards (the body, scene, descriptor and error model of
#: `auglift_hf.simulation.surface_depth`); {samples}, {train} and {evaluated} are filled from the records.
SURFACE_DEPTH = (
    "simulated: surface-v2 (body surface in a room/outdoor scene, ray-cast CASP {samples} samples) with the "
    "surface-v2 part-aware monocular error model; trained on {train}; evaluated at {evaluated}; no real Depth "
    "Anything output was seen in training or evaluation"
)
CALIBRATION = "benchmarks/RESULTS.md 'Issue 24: calibration'"


def detector_preset(text: str, where: str) -> str:
    """The simulated detector preset a table's 2D description names (``"... detector preset '<name>': ..."``,
    ``auglift_hf.data.h36m.simulate_detector_2d``); :data:`LEGACY_DETECTOR_PRESET` for a text naming none. Raises
    ``ValueError`` naming ``where`` for a preset this module cannot describe (:data:`DETECTOR_PRESETS`)."""
    m = re.search(r"detector preset '([^']+)'", text)
    name = m.group(1) if m else LEGACY_DETECTOR_PRESET
    if name not in DETECTOR_PRESETS:
        raise ValueError(f"{where}: its 2D was simulated with the detector preset {name!r}, which ship.py cannot "
                         f"describe (known: {', '.join(DETECTOR_PRESETS)})")  # fmt: skip
    return name


def name_preset(bullet: str, preset: str | None) -> str:
    """A data bullet's detector description (at :data:`DETECTOR_ANCHOR`) naming ``preset`` (``None``: unchanged)."""
    if preset is None:
        return bullet
    return bullet.replace(DETECTOR_ANCHOR, f"{DETECTOR_ANCHOR} with the `{preset}` detector preset, "
                          f"{DETECTOR_PRESETS[preset]}", 1)  # fmt: skip


def depth_record(text: str, where: str) -> dict:
    """``{"simulation", "severity", "samples"}`` of a ``build_data.py`` summary ``"depth"`` text.

    ``severity``: a number, ``[lo, hi]`` (one severity per sequence drawn in the range) or ``None`` (the legacy
    ``DepthCorruption``); ``samples``: CASP samples per joint. Raises ``ValueError`` naming ``where`` when the text
    names no known simulation.
    """
    samples = re.search(r"(\d+) (?:sunflower )?samples", text)
    record = {"samples": int(samples.group(1)) if samples else None, "severity": None}
    if "surface-v2" in text:
        record["simulation"] = "surface-v2"
    elif "capsule-body" in text:
        record["simulation"] = "capsule-v1"
    else:
        raise ValueError(f"{where}: its depth text names no known depth simulation (surface-v2, capsule-v1): {text!r}")
    head, sep, model = text.partition("monocular depth error model: ")
    if sep:  # auglift_hf.simulation.depth_source: the error model's to_dict() as a Python literal
        record["severity"] = ast.literal_eval(model.strip()).get("severity")
    elif m := re.search(r"severity drawn uniformly in \(([\d.]+), ([\d.]+)\)", text):  # build_data.py capsule-v1
        record["severity"] = [float(m.group(1)), float(m.group(2))]
    elif m := re.search(r"'severity': ([\d.]+)", text):
        record["severity"] = float(m.group(1))
    if record["simulation"] == "surface-v2" and record["severity"] is None:
        raise ValueError(f"{where}: its surface-v2 depth text records no severity: {text!r}")
    return record


def table_severity(table: dict, where: str) -> tuple[str | None, float | None]:
    """``(simulation, severity)`` of an ``evaluate.py`` table record (its card's ``auglift_depth_simulation``, else
    its summary text); ``(None, None)`` when the table records neither."""
    card = table.get("depth_simulation")
    if isinstance(card, dict) and card.get("simulation"):
        error = card.get("depth_error") if isinstance(card.get("depth_error"), dict) else {}
        return card["simulation"], error.get("severity")
    if table.get("depth"):
        rec = depth_record(table["depth"], where)
        return rec["simulation"], rec["severity"]
    return None, None


def _range(severity: object) -> str:
    if isinstance(severity, (list, tuple)):
        return f"severities uniform in [{severity[0]:g}, {severity[1]:g}] per sequence"
    return f"severity {severity:g}"


def _evaluated(severities: list[float]) -> str:
    if len(severities) != 1:
        return (
            "severities "
            + ", ".join(f"{s:g}" for s in severities)
            + f" (calibrated: {CALIBRATED_SEVERITY:g}, {CALIBRATION})"
        )
    (s,) = severities
    if math.isclose(s, CALIBRATED_SEVERITY):
        return (
            f"severity {s:g} (calibrated: the severity at which the package's TCN 27f XYCD gains about what real Depth "
            f"Anything V2 gave AugLift at the calibration's reduced budget on `optimistic` detector 2D; on "
            f"`movenet-fitted` 2D and at the shipped budget it gains more, mostly through the confidence channel, so "
            f"these depth gains are upper bounds; {CALIBRATION})"
        )
    return (
        f"severity {s:g} ({s / CALIBRATED_SEVERITY:g}x the calibrated severity {CALIBRATED_SEVERITY:g}, {CALIBRATION})"
    )


def simulated_depth_text(record: dict | None, severities: list[float] | None = None) -> str:
    """The depth text of a depth lifter's rows: :data:`SIMULATED_DEPTH` for a ``capsule-v1`` (or unrecorded) folder,
    else :data:`SURFACE_DEPTH` with the training range of ``record`` and the evaluation ``severities``."""
    if record is None or record["simulation"] == LEGACY_DEPTH_SIMULATION:
        return SIMULATED_DEPTH
    if not severities or any(s is None for s in severities):
        raise ValueError(f"{record.get('source')}: a {record['simulation']} row needs its evaluation severity")
    return SURFACE_DEPTH.format(
        samples=record.get("samples") or 16, train=_range(record["train_severity"]),
        evaluated=_evaluated(sorted(set(severities))),
    )  # fmt: skip


def _ordinal(n: int) -> str:
    if n == 1:
        return "every frame"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"every {n}{suffix} frame"


def measured_selection(reference: dict, label: str) -> str | None:
    """The frame selection of condition ``label`` from what ``evaluate.py`` recorded (its stride, frames and table);
    ``None`` for a json written before it recorded its tables (the :data:`PLACES` text applies)."""
    m = reference.get("conditions", {}).get(label) or {}
    table = (reference.get("tables") or {}).get(m.get("table"))
    if table is None or "stride" not in m:
        return None
    f = m["frames"]
    return (
        f"{_ordinal(int(m['stride']))} of each of the {table['sequences']} sequences ({table['takes']} takes; "
        f"{f['rows']:,} frames in the table, {f['valid']:,} valid), {f['scored']:,} frames scored, each the centre of "
        "one window edge-padded at the ends of its run of valid frames, one table row per window frame, flip test"
    )


def measured_severities(reference: dict, where: str) -> dict[str, float | None]:
    """``{condition label: evaluation severity}`` of an ``evaluate.py`` json that records its tables."""
    out = {}
    for label, m in reference.get("conditions", {}).items():
        table = (reference.get("tables") or {}).get(m.get("table"))
        if table is not None:
            out[label] = table_severity(table, f"{where}: table {m.get('table')}")[1]
    return out


def record_table_presets(reference: dict, where: str) -> None:
    """Record in each of ``reference["tables"]`` (an ``evaluate.py`` record) the detector preset of its 2D, read from
    the table's ``<table>_summary.json`` beside it (``build_data.py``; :func:`detector_preset`), so that the card can
    name it without the table (:func:`recorded_detector_preset`). A table without a summary is left unrecorded."""
    for name, table in (reference.get("tables") or {}).items():
        path = Path(table["path"])
        summary = path.parent / f"{path.name}_summary.json"
        if summary.is_file():
            text = json.loads(summary.read_text()).get("detector")
            if text:
                table["detector_preset"] = detector_preset(text, f"{where}: table {name} ({summary})")


def recorded_detector_preset(reference: dict, label: str) -> str | None:
    """The detector preset of the table condition ``label`` was scored on (:func:`record_table_presets`); ``None``
    when not recorded (folders shipped before the record: their card names none)."""
    m = reference.get("conditions", {}).get(label) or {}
    return ((reference.get("tables") or {}).get(m.get("table")) or {}).get("detector_preset")


def recorded_frame_rates(condition: dict) -> tuple[list[float], float | None] | None:
    """``(table_fps, window_frame_rate)`` of one ``evaluate.py`` condition, the ``frame_rates`` of
    :func:`condition_row`; ``None`` for a record from before ``evaluate.py`` resampled (it recorded neither)."""
    return (condition["table_fps"], condition["window_frame_rate"]) if "window_frame_rate" in condition else None


def condition_row(
    label: str,
    metrics: dict,
    has_depth: bool,
    frames: int | str | None,
    seeds: int = 1,
    depth_text: str | None = None,
    selection: str | None = None,
    frame_rates: tuple[list[float], float | None] | None = None,
    detector_preset: str | None = None,
) -> dict:
    """The exactly named model-index row of one ``evaluate.py`` condition (``CARD_ROWS`` label): real motion vs
    simulated 2D / depth with the simulation's name, frames scored (``"not recorded"`` when unknown), the test frame
    selection and the number of training seeds. ``depth_text`` / ``selection`` replace :data:`SIMULATED_DEPTH` and
    the :data:`PLACES` selection (re-shipped checkpoints: :func:`simulated_depth_text`, :func:`measured_selection`).
    ``frame_rates`` = ``(table_fps, window_frame_rate)`` as ``evaluate.py`` records them since it resamples: the
    motion text then says how the rows reached the lifter (without it, the older record's "fed as 25 Hz").
    ``detector_preset``: the preset of the scored table's simulated detector (:func:`recorded_detector_preset`),
    named in the detector-definition 2D texts; ``None``: not named (older records)."""
    place, _, rest = label.partition(" ")
    two_d, _, no_depth = rest.partition(", ")
    kind, name, motion, selection = PLACES[place][:3] + (selection or PLACES[place][3],)
    if frame_rates is not None:
        table_fps, rate = frame_rates
        if rate is None:  # a single-frame lifter: no frame rate to meet
            fed = "fed frame by frame"
        else:
            fed = (
                "fed as they are" if set(table_fps) == {rate} else f"resampled to {rate:g} Hz (the lifter frame rate)"
            )
        motion = motion.replace("24 Hz rows fed as 25 Hz", f"{'/'.join(f'{f:g}' for f in table_fps)} Hz rows {fed}")
    depth = (
        "none: the depth channels set to the processor's missing-depth fill" if no_depth
        else (depth_text or SIMULATED_DEPTH) if has_depth else "none (XY lifter: no depth input)"
    )  # fmt: skip
    config, split = CARD_ROWS[label]
    keypoints_2d = TWO_D[two_d]
    if detector_preset is not None and two_d in ("noisy-2D", "COCO-GT-2D"):
        keypoints_2d += f"; detector preset `{detector_preset}` ({DETECTOR_PRESETS[detector_preset]})"
    data = {
        "motion": motion, "keypoints_2d": keypoints_2d, "depth": depth,
        "frames_scored": frames if frames else "not recorded", "frame_selection": selection, "seeds": seeds,
    }  # fmt: skip
    return {"dataset": kind, "name": name, "config": config, "split": split, "metrics": metrics, "data": data}


COPY = ("config.json", "model.safetensors", "preprocessor_config.json", "training_config.json")

EXTRA_SECTION = """
## How this checkpoint was made (measured, not copied from a paper)

Reference run `{run}` of `benchmarks/reference/` (see `benchmarks/RESULTS.md` in the auglift-hf repository for
every number and the exact commands). In short:

{data}
- **Budget**: {steps} steps x batch {batch} ({samples:,} windows, {runtime:.0f} s on one shared CPU thread),
  AdamW, learning rate {lr:g} multiplied by {decay:g} every {epoch_steps:,} steps ({epoch}), seed 0, horizontal-flip augmentation. This is a small
  CPU budget and the model is not converged: the XY models are behind published XY numbers (PoseFormer 81f
  reaches 31.3 mm GT-2D MPJPE after ~130 GPU epochs on the official H36M data), and the depth channels come from a
  simulated monocular depth model (documented error model), not Depth Anything itself, so neither compares
  one-to-one with papers.
{evaluation}

| condition | MPJPE (mm) | PA-MPJPE (mm) | MPJPE action-wise (mm) |
|---|---|---|---|
{rows}

Input conventions are in `preprocessor_config.json`; use `PoseLiftingProcessor.from_pretrained(<folder>)`.
{depth_note}
{extra_results}
## Licence of the training data

{licence}
"""
#: The ``{epoch}`` and ``{licence}`` of :data:`EXTRA_SECTION` for a run on Human3.6M alone.
EPOCH_ONE_PASS = "one pass over the ~{windows:,} training\n  windows, one every {stride} frames"
LICENCE_H36M = """The weights were trained on Human3.6M motion, which is licensed for **non-commercial research only**
(http://vision.imar.ro/human3.6m/eula.php). Use these weights under the same terms."""

EVALUATION_LEGACY = """- **Evaluation** (table above, MPJPE / PA-MPJPE in mm, frame-wise, flip test; the reference evaluation of
  `benchmarks/RESULTS.md`): "GT-2D" = the H36M joints' projections (the ground truth of an `"h36m"` lifter);
  "COCO-GT-2D" = the noise-free detector-definition 2D (the ground truth of a `"coco"` lifter); "noisy-2d" = the
  simulated COCO detector of the test tables; "virtual cameras" = the
  out-of-domain split (cameras 30 % closer, heights 0.5-2.6 m, focal 800-1500 px); "CMU" = real CMU motion capture
  (sports, jumping, running; other subjects and proportions) through the real H36M cameras, never trained on."""
#: The evaluation bullet of an ``evaluate.py`` json that records its tables (whole test tables, issue 24).
EVALUATION_MEASURED = """- **Evaluation** (table above, MPJPE / PA-MPJPE in mm, frame-wise, flip test; `benchmarks/reference/evaluate.py`
  on {tables}; the frames and stride of each row are in the `model-index`): "GT-2D" = the H36M joints' projections
  (the ground truth of an `"h36m"` lifter); "noisy-2D" = the simulated COCO detector of the test tables; "CMU" = real
  CMU motion capture (sports, jumping, running; other subjects and proportions) through the real H36M cameras, never
  trained on; ", no depth" = the depth channels set to the processor's missing-depth fill. Depth of the rows:
  {depth}."""


DATA_LEGACY = """- **Data**: real Human3.6M motion (`data_3d_h36m_fk25.npz`, 25 Hz, forward kinematics of the public motion files)
  rendered into the four real H36M cameras (projection with distortion). Training: S1, S5, S6, S7, S8, {frames}
  of every sequence ({table_rows:,} camera-frames), 2D corrupted by the detector noise model of
  `auglift_hf.simulation.apply_detector_noise` (jitter 5 % of bone length, 1 % gross errors, 0.5 % left/right swaps,
  confidences falling with the error). Depth descriptors (d, d_min, d_max) from the capsule-body ray caster
  `auglift_hf.simulation.depth_descriptors_from_joints` (CASP, 16 samples) with monocular corruption
  (`DepthCorruption()` defaults) -- **not** from a real depth network."""
DATA_REALISTIC = """- **Data** (issue 14, `build_data.py --simulation realistic`): real Human3.6M motion (`data_3d_h36m_fk25.npz`,
  25 Hz) rendered into the four real H36M cameras. Training: S1, S5, S6, S7, S8, {frames} of every sequence
  ({table_rows:,} camera-frames) with **detector-definition 2D** (`auglift_hf.simulation.simulate_coco_detector`:
  COCO-17 landmarks placed where COCO annotators put them -- face points from a head model, hips/shoulders/knees/
  ankles as surface landmarks -- temporally correlated AR(1) detector noise scaled by the COCO OKS constants,
  larger errors and lower confidences where the body hides a landmark{conf}, then AugLift's `coco_to_h36m`), so the
  input contract says `"keypoint_definition": "coco"`. Depth descriptors (d, d_min, d_max) from the capsule-body
  ray caster (CASP, 16 samples) with the **monocular-depth error model** `auglift_hf.simulation.depth_error_preset`
  (Depth Anything V2 metric preset: per-frame scale drift and flicker, relief compression, silhouette mixing with
  the background, thin limbs losing depth), severity drawn in [0.5, 1.5] per sequence, and **depth dropout**
  (20 % of windows, 5 % of frames, 5 % of joints get the processor's missing-depth fill) so that the lifter falls
  back to XY when no depth is given -- still **not** from a real depth network."""
DATA_REALISTIC_H36M = """- **Data** (issue 14, `build_data.py --simulation realistic --train-definition h36m --no-depth`): real Human3.6M
  motion (`data_3d_h36m_fk25.npz`, 25 Hz) rendered into the four real H36M cameras. Training: S1, S5, S6, S7, S8,
  {frames} of every sequence ({table_rows:,} camera-frames) with **H36M-joint 2D**{h36m_2d}{proportions}. The input
  contract says `"keypoint_definition": "h36m"`: feed it ground-truth or H36M-definition 2D (e.g. the `gt2d` config of
  the dataset tables), not a COCO detector's output (use the `coco` checkpoints for that)."""
DATA_SURFACE = """- **Data** (issue 24, `build_data.py --depth-simulation surface-v2`): real Human3.6M motion
  (`data_3d_h36m_fk25.npz`, 25 Hz) rendered into the four real H36M cameras. Training: S1, S5, S6, S7, S8, {frames}
  of every sequence ({table_rows:,} camera-frames) with **detector-definition 2D**
  (`auglift_hf.simulation.simulate_coco_detector`: COCO-17 landmarks placed where COCO annotators put them,
  temporally correlated AR(1) detector noise scaled by the COCO OKS constants, larger errors and lower confidences
  where the body hides a landmark{conf}, then AugLift's `coco_to_h36m`), so the input contract says
  `"keypoint_definition": "coco"`. Depth descriptors (d, d_min, d_max): {depth_text}; **depth dropout**
  ({dropout}) so that the lifter falls back to XY when no depth is given."""
#: The Data bullet of an XY lifter on a ``surface-v2`` table (the re-ship on MoveNet-fitted 2D, ``--fitted``): the 2D
#: of :data:`DATA_SURFACE`; the table's depth columns are not read.
DATA_SURFACE_XY = DATA_SURFACE[: DATA_SURFACE.index(" Depth descriptors")] + " No depth is read (XY lifter)."
#: The Data bullet of a lifter trained on the noise-free H36M-joint 2D table with simulated depth (issue 27, the v4
#: experiment: ``benchmarks/v4_poseaug/run.sh``); ``{depth_text}``: :func:`simulated_depth_text`.
DATA_GT_SURFACE = """- **Data** (issue 27, `build_data.py --train-noise-free --train-definition h36m --depth-simulation surface-v2
  --train-severity 2 4`): real Human3.6M motion (`data_3d_h36m_fk25.npz`, 25 Hz) rendered into the four real H36M
  cameras. Training: S1, S5, S6, S7, S8, {frames} of every sequence ({table_rows:,} camera-frames) with the **exact
  H36M-joint 2D projections** (ground-truth 2D: the projections of the H36M-17 joints, confidence 1; not a detector).
  The input contract says `"keypoint_definition": "h36m"`: feed it ground-truth or H36M-definition 2D, not a COCO
  detector's output. Depth descriptors (d, d_min, d_max), of which this lifter reads d: {depth_text}; no depth
  dropout."""
#: How the H36M-joint 2D of a training table was made, keyed by the start of its summary's ``detector`` text.
H36M_2D = {
    "H36M-joint 2D with detector errors": "the realistic detector's errors (`auglift_hf.simulation.simulate_joint_detector`: "
    "temporally correlated AR(1) noise scaled by OKS constants, larger errors and lower confidences where the body "
    "hides a joint, gross errors, left/right swaps) around the exact H36M-17 joint projections",
    "noise-free H36M-joint 2D": "no detector errors (the exact H36M-17 joint projections, confidence 1)",
}
PROPORTIONS = (
    "; every take also appears {copies}x with other body proportions (`auglift_hf.data.h36m.augment_body_proportions`: "
    "bone lengths x uniform 1 +- 0.2 per symmetric bone group, PoseAug's bone-length range, one person per take)"
)
VIEWPOINTS = (
    "; every record also appears {copies}x seen by random static virtual cameras (`auglift_hf.data.h36m."
    "augment_viewpoints`, ranges of `auglift_hf.simulation.viewpoints`: 2.5-6 m away, 0.5-2.5 m high, focal 700-1600 "
    'px on 1000 x 1000 images, any azimuth, aimed at the mean pelvis; the "virtual cameras" evaluation rows lie '
    "inside these ranges, so they are not out of this lifter's viewpoint distribution)"
)


#: The Data bullet of an XY lifter trained on a mixture of sources (issue 26, :func:`mixture_info`): ``{sources}`` is
#: one sub-bullet per training table (:data:`MIXTURE_SOURCE`).
DATA_MIXTURE = """- **Data** ({how}): every training window is
  drawn from one of the tables below with the probability of its weight (`train_weights`,
  `auglift_hf.data.mixing.MixedWindowDataset`), {epoch_windows:,} windows per epoch = the number of windows of the first
  table ({first}; `train_epoch_windows: first`), so that the epoch, the learning-rate schedule and the number of
  windows seen equal those of the same recipe and budget trained on {first} alone{baseline}. The 2D of every table is **detector-definition
  2D** from the same simulated detector (`auglift_hf.simulation.simulate_coco_detector`: COCO-17 landmarks placed where
  COCO annotators put them, temporally correlated AR(1) detector noise scaled by the COCO OKS constants, larger errors
  and lower confidences where the body hides a landmark, then AugLift's `coco_to_h36m`), so the input contract says
  `"keypoint_definition": "coco"`. {depth}
{sources}"""
#: ``{how}`` / ``{baseline}`` of :data:`DATA_MIXTURE`: issue 26's mixture runs, compared with the same recipe on H36M
#: alone; the re-ship on MoveNet-fitted 2D (``--fitted``), compared with the recipe shipped before.
MIXTURE_ISSUE26 = ("issue 26, a training mixture, `benchmarks/reference/train_i26_mixture.sh`",
                   " (the baseline of the three-seed comparison below)")  # fmt: skip
MIXTURE_FITTED = ("issue 24, the re-ship on MoveNet-fitted 2D: a training mixture, "
                  "`benchmarks/reference/train_i24_fitted.sh`", "")  # fmt: skip
#: The depth sentence of :data:`DATA_MIXTURE` for an XY lifter, and for a depth lifter (``{depth_text}``:
#: :func:`simulated_depth_text`, the same for every source; ``{dropout}``: as in :data:`DATA_SURFACE`).
MIXTURE_NO_DEPTH = "No depth is read (XY lifter)."
MIXTURE_DEPTH = (
    "Depth descriptors (d, d_min, d_max) of every table, simulated by the same simulation with the same severity "
    "range (each source's below, as its table records it): {depth_text}; **depth dropout** ({dropout}) so that the "
    "lifter falls back to XY when no depth is given."
)
#: One source of :data:`DATA_MIXTURE`.
MIXTURE_SOURCE = (
    "  - **{name}** (training table `{table}`, weight {weight:g} = {share:.0%} of drawn windows, licence {license}): "
    "{motion}; {rows:,} camera-frames{extra}."
)
#: What the motion of a mixture source is, by its ``dataset`` column.
MIXTURE_MOTION = {
    "h36m": "real Human3.6M motion (`data_3d_h36m_fk25.npz`, 25 Hz) of S1, S5, S6, S7, S8, {frames} of every sequence, "
    "rendered into the four real H36M cameras",
    "bandai": "real motion capture, {clips:,} clips ({source_frames:,} frames at their file rate) read by "
    "`auglift_hf.data.bvh` (the reader of `auglift convert bvh`, through `build_data.py --only train_bvh`): {how_built}",
}
#: Licence texts of the training sources of a mixture card, by Hub licence id.
LICENCE_TEXTS = {
    "research-only": "research-only: **non-commercial research only** (Human3.6M: "
    "http://vision.imar.ro/human3.6m/eula.php)",
    "cc-by-nc-4.0": "CC BY-NC 4.0 (https://creativecommons.org/licenses/by-nc/4.0/): **non-commercial use only, "
    "attribution required**",
}
#: Attribution of a CC BY source (by its ``dataset`` column) in a mixture card's licence section.
ATTRIBUTION = {
    "bandai": "Bandai Namco Research Motion Dataset, Bandai Namco Research Inc. "
    "(https://github.com/BandaiNamcoResearchInc/Bandai-Namco-Research-Motiondataset)",
}


def _summary(table: Path) -> dict:
    path = table.parent / f"{table.name}_summary.json"
    summary = json.loads(path.read_text())
    for key in ("counts", "detector", "train_max_frames"):
        if key not in summary:
            raise ValueError(f"{path}: no {key!r} (written by build_data.py since issue 14; rebuild the table)")
    return summary


def training_table(training: dict, gt_surface: bool = False) -> dict:
    """Rows, windows, frame selection and data description of the run's training tables, from their summaries.

    Everything is read from ``<table>_summary.json`` (written by ``build_data.py`` beside each table), never guessed
    from folder names: the detector text, ``train_max_frames``, ``body_proportions`` and ``virtual_cameras``.
    ``gt_surface``: accept surface-v2 depth on noise-free H36M-joint 2D tables (:data:`DATA_GT_SURFACE`; the PoseAug
    runs of the v4 experiment), refused otherwise.
    """
    tables = [Path(p) for p in training["data"]["train_datasets"]]
    summaries = [_summary(t) for t in tables]
    rows = sum(sum(sum(split.values()) for split in s["counts"].values()) for s in summaries)
    stride = int(training["data"].get("train_stride") or 1)
    batch = int(training["training"].get("per_device_train_batch_size", 8))
    windows = rows // stride
    max_frames = {int(s["train_max_frames"]) for s in summaries}
    if len(max_frames) != 1:
        raise ValueError(f"{tables}: training tables with different frame caps {sorted(max_frames)}")
    (cap,) = max_frames
    info = {
        "table_rows": rows, "windows": windows, "stride": stride, "epoch_steps": math.ceil(windows / batch),
        "frames": f"first {cap} frames ({cap / 25:.0f} s)" if cap else "all frames (25 Hz)",
    }  # fmt: skip
    depths = [
        depth_record(s["depth"], str(t)) for s, t in zip(summaries, tables) if s.get("depth") not in (None, "none")
    ]
    if len({(d["simulation"], json.dumps(d["severity"])) for d in depths}) > 1:
        raise ValueError(f"{tables}: training tables with different depth simulations {depths}")
    info["depth_record"] = None
    if depths:
        info["depth_record"] = {
            "simulation": depths[0]["simulation"], "train_severity": depths[0]["severity"],
            "samples": depths[0]["samples"], "train_depth": summaries[0]["depth"],
            "source": f"{tables[0]}_summary.json",
        }  # fmt: skip
    detectors = [s["detector"] for s in summaries]
    realistic = not any(d.startswith("DetectorNoise") for d in detectors)
    kinds = [H36M_2D.get(d.split(" (")[0].rstrip()) for d in detectors]  # None: not H36M-joint 2D
    h36m = realistic and None not in kinds
    copies = {int(s.get("body_proportions", 0)) for s in summaries}
    info["proportions"] = PROPORTIONS.format(copies=max(copies)) if max(copies) else ""
    views = {int(s.get("virtual_cameras", 0)) for s in summaries}
    info["proportions"] += VIEWPOINTS.format(copies=max(views)) if max(views) else ""
    if h36m:
        weights = training["data"].get("train_weights") or [1.0] * len(kinds)
        info["h36m_2d"] = (
            " and " + kinds[0] if len(kinds) == 1
            else ", a mixture of " + "; and ".join(f"{w / sum(weights):.0%} of windows with {k}"
                                                  for w, k in zip(weights, kinds))
        )  # fmt: skip
    # build_data.py after the confidence calibration (RealisticDetectorNoise.confidence_width)
    info["conf"] = (
        "; confidences calibrated to a real detector's (mean 0.93, as AlphaPose on a walking clip)"
        if all("confidence_width" in d for d in detectors) else ""
    )  # fmt: skip
    surface = info["depth_record"] is not None and info["depth_record"]["simulation"] != LEGACY_DEPTH_SIMULATION
    ground_truth = h36m and all(k == H36M_2D["noise-free H36M-joint 2D"] for k in kinds)
    info["detector_preset"] = None
    if realistic and not ground_truth:  # a simulated detector (COCO / H36M-joint): its preset, the same in every table
        presets = {detector_preset(d, f"{t}_summary.json") for d, t in zip(detectors, tables)}
        if len(presets) > 1:
            raise ValueError(f"{tables}: training tables with different detector presets {sorted(presets)}")
        info["detector_preset"] = {"preset": presets.pop(), "source": f"{tables[0]}_summary.json"}
    if surface:
        if not realistic or (h36m and not (gt_surface and ground_truth)):
            raise ValueError(f"{tables}: {info['depth_record']['simulation']} depth on a legacy / H36M-joint 2D table")
        d = training["data"]
        info["dropout"] = (
            f"{d.get('depth_dropout_window') or 0:.0%} of windows, {d.get('depth_dropout_frame') or 0:.0%} of frames, "
            f"{d.get('depth_dropout_joint') or 0:.0%} of joints get the processor's missing-depth fill"
        )
        # formatted by ship() once the evaluation severity is known
        info["data"] = DATA_GT_SURFACE if h36m else name_preset(DATA_SURFACE, info["detector_preset"]["preset"])
    else:
        info["data"] = ((DATA_REALISTIC_H36M if h36m else DATA_REALISTIC) if realistic else DATA_LEGACY).format(**info)
    if h36m and not surface:  # composed from parts: re-wrap as one bullet (a surface bullet: in ship())
        info["data"] = textwrap.fill(" ".join(info["data"].split()), width=118, subsequent_indent="  ")
    for key in ("conf", "proportions", "h36m_2d") if not surface else ("proportions", "h36m_2d"):
        info.pop(key, None)
    info["h36m_joint_2d"] = h36m
    info["ground_truth_2d"] = ground_truth
    info["realistic"] = realistic
    return info


def training_sources(training: dict) -> list[dict]:
    """One record per training table of a run, in ``data.train_datasets`` order: ``{"table", "dataset", "name",
    "license", "weight", "rows", ...}``, read from the table, never from its folder name: ``dataset`` is the value of
    its ``dataset`` column (one per table), ``license`` the Hub licence of its dataset card
    (:func:`auglift_hf.hub.cards.training_table_licences`), ``rows`` / ``clips`` / ``source_frames`` its
    ``<table>_summary.json``, ``how_built`` its card's ``bvh:`` line (BVH tables), ``weight`` the share of drawn
    windows (``train_weights`` normalised). Raises ``ValueError`` naming the table when any of it is missing."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from auglift_hf.hub.cards import DATASET_NAMES, training_table_licences

    data = training["data"]
    tables = [Path(p) for p in data["train_datasets"]]
    weights = [float(w) for w in data.get("train_weights") or [1.0] * len(tables)]
    if len(weights) != len(tables):
        raise ValueError(f"{tables}: {len(weights)} train_weights for {len(tables)} training tables")
    config, split = data.get("dataset_config") or "gt2d", data.get("train_split") or "train"
    sources = []
    for table, weight in zip(tables, weights):
        files = sorted((table / config).glob(f"{split}-*.parquet"))
        if not files:
            raise ValueError(
                f"{table}: no {config}/{split}-*.parquet (the training table is needed to ship a mixture)"
            )
        names = sorted(set().union(*(pc.unique(pq.read_table(f, columns=["dataset"])["dataset"]).to_pylist()
                                     for f in files)))  # fmt: skip
        if len(names) != 1:
            raise ValueError(f"{table}: its dataset column holds {names}, expected one source per training table")
        licence = training_table_licences({"data": {"train_datasets": [str(table)]}})
        if not licence:
            raise ValueError(f"{table}/README.md: no dataset card with a license (a mixture card lists every licence)")
        summary = _summary(table)
        record = {
            "table": table.name, "dataset": names[0], "name": DATASET_NAMES.get(names[0], names[0]),
            "license": licence[0]["license"], "weight": weight / sum(weights),
            "rows": sum(sum(split.values()) for split in summary["counts"].values()),
            "train_max_frames": int(summary["train_max_frames"]),
        }  # fmt: skip
        record.update({k: summary[k] for k in ("clips", "source_frames") if k in summary})
        card = (table / "README.md").read_text(encoding="utf-8")
        if built := re.search(r"^- bvh: (.+)$", card, re.M):
            record["how_built"] = built.group(1).strip()
        sources.append(record)
    return sources


def is_mixture(sources: list[dict] | None) -> bool:
    """Whether the training tables (:func:`training_sources`) hold more than one source dataset."""
    return bool(sources) and len({s["dataset"] for s in sources}) > 1


def source_depths(training: dict) -> list[dict]:
    """The depth of every training table of a depth lifter on a mixture, in ``train_datasets`` order:
    :func:`depth_record` of its ``<table>_summary.json`` ``"depth"`` text (what ``build_data.py`` also writes into the
    table's card) plus ``"error"``, its monocular error model. Raises ``ValueError`` naming the summary of a table
    without depth, or the tables when their simulation, severity range, CASP samples or error model differ (one depth
    text describes the lifter's training)."""
    tables = [Path(p) for p in training["data"]["train_datasets"]]
    records = []
    for table in tables:
        text = _summary(table).get("depth")
        if text in (None, "none"):
            raise ValueError(f"{table.parent / (table.name + '_summary.json')}: the table has no depth columns; a depth "
                             "lifter on a mixture needs the same simulated depth in every source")  # fmt: skip
        record = depth_record(text, str(table))
        _, sep, model = text.partition("monocular depth error model: ")
        error = ast.literal_eval(model.strip()) if sep else None
        if isinstance(error, dict):  # the draw of each sequence's severity is the table's own seed
            error = {k: v for k, v in error.items() if k != "severity_per_sequence"}
        records.append({**record, "error": error})
    if len({json.dumps(r, sort_keys=True) for r in records}) > 1:
        raise ValueError(f"{[t.name for t in tables]}: training tables with different depth simulations "
                         f"{[{k: r[k] for k in ('simulation', 'severity', 'samples')} for r in records]} (or error "
                         "models); a depth lifter on a mixture needs the same simulated depth in every source")  # fmt: skip
    return records


def mixture_info(
    training: dict,
    sources: list[dict],
    depth_text: str | None = None,
    dropout: str | None = None,
    preset: str | None = None,
    context: tuple[str, str] = MIXTURE_ISSUE26,
) -> dict:
    """The :data:`EXTRA_SECTION` fields of a run on a mixture of sources (:func:`training_sources`): its data bullet,
    the epoch (``train_epoch_windows``: ``"first"`` = the first table's windows, or a number) and the licence
    section. A depth lifter's sources carry ``"depth"`` (:func:`source_depths`), ``depth_text`` its
    :func:`simulated_depth_text` and ``dropout`` its depth dropout; ``preset`` the detector preset of its 2D
    (:func:`name_preset`; ``None``: not named); ``context`` the campaign it was trained in (:data:`MIXTURE_ISSUE26`,
    :data:`MIXTURE_FITTED`). Raises ``ValueError`` for a source whose motion or licence this module
    cannot describe."""
    data = training["data"]
    stride = int(data.get("train_stride") or 1)
    batch = int(training["training"].get("per_device_train_batch_size", 8))
    first = sources[0]
    epoch = data.get("train_epoch_windows")
    if epoch is None:
        raise ValueError(f"{[s['table'] for s in sources]}: a mixture without train_epoch_windows (its epoch is not "
                         "recorded)")  # fmt: skip
    windows = first["rows"] // stride if epoch == "first" else int(epoch)
    lines = []
    for s in sources:
        if s["dataset"] not in MIXTURE_MOTION or s["license"] not in LICENCE_TEXTS:
            raise ValueError(f"{s['table']}: ship.py cannot describe source {s['dataset']!r} (licence {s['license']})")
        cap = s["train_max_frames"]
        motion = MIXTURE_MOTION[s["dataset"]].format(
            frames=f"first {cap} frames" if cap else "all frames", clips=s.get("clips", 0),
            source_frames=s.get("source_frames", 0), how_built=s.get("how_built", "not recorded"),
        )  # fmt: skip
        extra = ""
        if depth_text is not None:
            d = s["depth"]
            extra = f" (depth: simulated {d['simulation']}, {_range(d['severity'])}, CASP {d['samples']} samples)"
        elif s["dataset"] == "h36m":
            extra = " (the table also has depth columns, which this XY lifter does not read)"
        lines.append(MIXTURE_SOURCE.format(**s, share=s["weight"], motion=motion, extra=extra))
    depth = MIXTURE_NO_DEPTH
    if depth_text is not None:
        depth = MIXTURE_DEPTH.format(depth_text=depth_text, dropout=dropout)
    bullet = DATA_MIXTURE.format(epoch_windows=windows, first=first["name"], sources="\n".join(lines), depth=depth,
                                 how=context[0], baseline=context[1])  # fmt: skip
    bullet = name_preset(bullet, preset)
    head, *subs = bullet.split("\n  - ")
    text = textwrap.fill(" ".join(head.split()), width=118, subsequent_indent="  ")
    for sub in subs:
        text += "\n" + textwrap.fill(" ".join(sub.split()), width=118, initial_indent="  - ", subsequent_indent="    ")
    table = "\n".join(
        f"| {s['name']} | `{s['table']}` | {s['weight']:.0%} | {LICENCE_TEXTS[s['license']]} |" for s in sources
    )
    cc = [s for s in sources if s["license"].startswith("cc-")]
    credit = "; ".join(ATTRIBUTION.get(s["dataset"], s["name"]) for s in cc)
    licence = (
        "The weights were trained on a mixture of sources and inherit the terms of every one of them:\n\n"
        "| training source | table | share of drawn windows | licence |\n|---|---|---|---|\n" + table + "\n\n"
        + textwrap.fill(
            "**These weights are licensed CC BY-NC 4.0 (non-commercial use only; attribution: " + credit + ") on top "
            "of Human3.6M's research-only terms**: use them for non-commercial research only, and credit the "
            + " and the ".join(s["name"] for s in cc) + " wherever you use or redistribute them or their outputs."
            if cc else "Use these weights under the terms of every source above.",
            width=118,
        )
    )  # fmt: skip
    return {
        "table_rows": sum(s["rows"] for s in sources), "windows": windows, "stride": stride,
        "epoch_steps": math.ceil(windows / batch), "data": text, "licence": licence,
        "epoch": f"one epoch = {windows:,} windows drawn from the mixture, one every {stride} frames of each table",
    }  # fmt: skip


def source_datasets(sources: list[dict] | None) -> list[str]:
    """The card's ``datasets`` of a folder (its :data:`SOURCES_KEY` record; ``None``: Human3.6M alone)."""
    return list(dict.fromkeys(s["dataset"] for s in sources)) if sources else ["h36m"]


def source_licences(sources: list[dict] | None) -> list[dict] | None:
    """The recorded licences of a mixture folder for :func:`~auglift_hf.hub.cards.build_model_card` (``None``: read
    the training tables' cards, as for every folder shipped before the record)."""
    return [{"table": s["table"], "name": s["name"], "license": s["license"]} for s in sources] if sources else None


def training_data_text(
    h36m_joint_2d: bool,
    realistic: bool,
    has_depth: bool,
    depth_text: str | None = None,
    sources: list[dict] | None = None,
    poseaug: dict | None = None,
    preset: str | None = None,
) -> str:
    """The card's "Training data" sentence: real motion, simulated 2D and (for depth lifters) simulated depth, named
    (``depth_text``: :func:`simulated_depth_text` of a re-shipped folder; ``None``: ``capsule-v1``); ``sources``: the
    :func:`training_sources` of a mixture run (each source named with its share of windows and its licence);
    ``poseaug``: the :data:`POSEAUG_KEY` record of a PoseAug run on ground-truth 2D; ``preset``: the detector preset
    of detector-definition 2D (:data:`DETECTOR_KEY`; ``None``: a folder shipped before the record, not named)."""
    coco = (
        "detector-definition (COCO-17 -> H36M) 2D with temporally correlated noise and confidences" if preset is None
        else f"detector-definition (COCO-17 -> H36M) 2D from the `{preset}` detector preset ({DETECTOR_PRESETS[preset]})"
    )  # fmt: skip
    if poseaug is not None:
        return (
            "**Real** Human3.6M motion (S1, S5, S6, S7, S8) rendered into the real cameras, the **exact H36M-joint 2D "
            "projections** (ground-truth 2D, not a detector), monocular depth descriptors **"
            + (depth_text or SIMULATED_DEPTH)
            + "**; phase 2 with PoseAug (poses generated from the training poses by PoseAug's generators, their 2D "
            "projected and their depth simulated the same way); one training seed (seed 0)."
        )
    if is_mixture(sources):
        parts = [f"{s['name']} ({s['weight']:.0%} of drawn windows, licence {s['license']})" for s in sources]
        depth = (
            f", monocular depth descriptors with depth dropout, **{depth_text}**" if has_depth and depth_text else ""
        )
        return (
            "**Real** motion from a mixture of sources: "
            + "; ".join(parts)
            + ", all rendered into real H36M cameras, "
            "**simulated** " + coco + depth + "; one training seed (seed 0)."
        )
    two_d = (
        "H36M-joint 2D with temporally correlated detector errors and confidences" if h36m_joint_2d
        else coco if realistic
        else "detector-noise 2D with confidences"
    )  # fmt: skip
    depth = (
        f", **simulated** monocular depth descriptors (depth simulation `{DEPTH_SIMULATION}`"
        + (", realistic error model, depth dropout" if realistic else "") + "; no real Depth Anything output)"
        if has_depth else ""
    )  # fmt: skip
    if has_depth and depth_text and depth_text != SIMULATED_DEPTH:
        depth = f", monocular depth descriptors with depth dropout, **{depth_text}**"
    return (
        "**Real** Human3.6M motion (S1, S5, S6, S7, S8) rendered into the real cameras, **simulated** "
        + two_d
        + depth
        + "; one training seed (seed 0)."
    )


def _sibling(name: str):  # noqa: ANN202
    """The sibling script ``name`` of this folder, imported without leaving the folder on ``sys.path`` (it holds an
    ``evaluate.py`` that would shadow Hugging Face ``evaluate`` for whatever imports it next in the process)."""
    import importlib
    import sys

    saved = list(sys.path)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        return importlib.import_module(name)
    finally:
        sys.path[:] = saved  # also drops what the script inserted itself


def three_seed_results(root: Path) -> str:
    """The three-seed tables and the pre-registered decision of ``mixture_table.py ROOT``, as a card subsection."""
    mixture_table = _sibling("mixture_table")
    load = _sibling("seeds_table").load

    evaluations = {
        k: load(root / k, mixture_table.PRODUCER) for k in dict.fromkeys(k for k, _, _ in mixture_table.COLUMNS)
    }
    ship_it, reasons = mixture_table.decide(evaluations)
    if not ship_it:
        raise ValueError(f"{root}: the pre-registered rule says not to ship the mixture: {'; '.join(reasons)}")
    return "\n".join(mixture_table.tables(evaluations)) + "\n\n" + "\n".join(f"- {r}" for r in reasons)


def depth_mixture_decision(root: Path) -> tuple[list[str], list[str]]:
    """``(tables, reasons)`` of ``depth_mixture_table.py ROOT`` (the depth pair on the mixture); ``ValueError`` unless
    its pre-registered rule says to replace the triple (``FileNotFoundError`` naming a missing evaluation)."""
    depth_mixture_table = _sibling("depth_mixture_table")
    evaluations = depth_mixture_table.load_all(root)
    lines = depth_mixture_table.tables(evaluations)
    replace, reasons = depth_mixture_table.decide(evaluations)
    if not replace:
        raise ValueError(f"{root}: the pre-registered rule of the depth pair on the mixture says to keep the H36M-only "
                         f"triple (depth_mixture_table.py): {'; '.join(reasons)}")  # fmt: skip
    return lines, reasons


def replaced_recipe(name: str) -> str | None:
    """The mixture recipe a shipped folder ``name`` is replaced by when the depth pair's rule says replace
    (``depth_mixture_table.REPLACES``: ``tcn-27f-xy`` <- ``tcn-27f-xy-mix``, ...); ``None`` for any other name."""
    return _sibling("depth_mixture_table").REPLACES.get(name)


#: The mixture card's subsection after the one-seed table (:func:`ship` with ``three_seeds``).
MIXTURE_RESULTS = """
**What it is good for.** Lifting detector-definition 2D of motion and viewpoints beyond Human3.6M: trained with real
motion of other performers beyond H36M's 15 actions (the Bandai Namco clips, retargeted onto several bodies), it is
better than the same recipe on H36M alone on the real other captures (CMU, HumanEva-I, each with the simulated
detector 2D and with ground-truth 2D) and on the out-of-domain cameras (closer, higher and lower than H36M's), at a
slightly higher in-domain H36M error (the first comparison row below; inside the pre-registered 3 mm limit). {twin}

**Three training seeds** (seed 0 = these weights, seeds 1 and 2 the same recipe, data and budget; the baseline
`tcn-27f-xy` is the same recipe and budget on the H36M training table alone, its seeds 0-2 of `benchmarks/RESULTS.md` "Issue 23:
three training seeds"; printed by
`python benchmarks/reference/mixture_table.py` on the evaluations of `benchmarks/reference/evaluate_i26_mixture.sh`;
whole test sets, CMU and HumanEva-I every frame, flip test). MPJPE / PA-MPJPE in mm, mean ± std over the seeds; then
the mixture minus the baseline with the paired bootstrap 95 % interval over test takes of the seed-averaged
per-pose errors ("no significant difference": the interval contains 0). Real motion everywhere; simulated detector
2D except "real GT 2D" (HumanEva-I's own ground-truth 2D) and "noise-free detector-definition 2D" (the 2D this
"coco" lifter would get from a perfect detector); the selection rule was written before any mixture run
(`benchmarks/RESULTS.md`, "Issue 26: training mixture with Bandai Namco motion, selection rule"):

{tables}
"""
#: ``{twin}`` of :data:`MIXTURE_RESULTS` for the folder ``tcn-27f-xy-mix``, beside the H36M-only triple.
MIXTURE_TWIN = """Use
`tcn-27f-xy` for the H36M-only XY twin of the shipped depth lifters (`tcn-27f-xycd`, `tcn-27f-casp`, trained on H36M
alone) or for H36M's research-only terms without the CC BY-NC 4.0 of the Bandai Namco data."""
#: ``{twin}`` of :data:`MIXTURE_RESULTS` when these weights replace ``tcn-27f-xy`` (the triple replaced together).
MIXTURE_TWIN_REPLACED = """These
weights **replace** the `tcn-27f-xy` trained on H36M alone (the "tcn-27f-xy" rows below are that recipe), together with
the depth lifters `tcn-27f-xycd` / `tcn-27f-casp`, now the same recipes on the same mixture, so that they keep an XY
twin trained on the same data: the pre-registered rule of `benchmarks/RESULTS.md` "Issue 26: the depth pair on the
mixture, selection rule" (`python benchmarks/reference/depth_mixture_table.py` on the evaluations of
`benchmarks/reference/evaluate_i26_depth_mixture.sh`) says replace:

{reasons}

For H36M's research-only terms without the CC BY-NC 4.0 of the Bandai Namco data, use this folder's revision before
the replacement (H36M-only weights)."""
#: The card subsection of a depth lifter on the mixture after the one-seed table (:func:`ship` with ``three_seeds``):
#: the tables and decision of ``depth_mixture_table.py``.
DEPTH_MIXTURE_RESULTS = """
**What it is good for.** Lifting detector-definition 2D with per-joint monocular depth, for motion and viewpoints
beyond Human3.6M: the `{recipe}` recipe, trained on the same mixture as `tcn-27f-xy-mix` (H36M + the Bandai Namco
clips, retargeted onto several bodies). {replaces} Its depth is **simulated** in training and in every evaluation below
({simulation}, trained on {train}; evaluated at the calibrated severity, at 2x it and withheld): **no real
Depth Anything output was seen**, so read its depth gains as upper bounds of what a real monocular depth model gives
(`benchmarks/RESULTS.md` "Issue 24: calibration").

**Three training seeds** (seed 0 = these weights, seeds 1 and 2 the same recipe, data and budget; printed by
`python benchmarks/reference/depth_mixture_table.py` on the evaluations of `DEGRADATION=1
benchmarks/reference/evaluate_i26_depth_mixture.sh`; whole test sets, CMU and HumanEva-I every frame at the calibrated
severity, flip test). Models: `tcn-27f-xy-mix` (the XY twin on the mixture), `tcn-27f-xycd-mix` / `tcn-27f-casp-mix`
(the depth pair on the mixture) and `tcn-27f-xycd` / `tcn-27f-casp` (the same recipes and budget on the H36M training
table alone: the weights shipped before the mixture and their seeds 1-2). MPJPE / PA-MPJPE in mm, mean ± std over the
seeds; then each depth lifter on the mixture minus its H36M-only twin and minus `tcn-27f-xy-mix`, with the paired
bootstrap 95 % interval over test takes of the seed-averaged per-pose errors ("no significant difference": the
interval contains 0). Real motion everywhere; simulated detector 2D except "real GT 2D" (HumanEva-I's own ground-truth
2D); "2x severity": the depth error at twice the calibrated severity; "depth withheld": the depth channels set to the
processor's missing-depth fill. The selection rule was written before any depth-mixture run (`benchmarks/RESULTS.md`,
"Issue 26: the depth pair on the mixture, selection rule"):

{tables}
"""


def fitted_family(name: str) -> str:
    """The family (``fitted_table.FAMILIES``) whose triple holds the shipped folder ``name``; ``ValueError`` for a name
    the re-ship on MoveNet-fitted 2D does not replace."""
    replaces = _sibling("fitted_table").REPLACES
    family = next((f for f, names in replaces.items() if name in names), None)
    if family is None:
        known = ", ".join(n for names in replaces.values() for n in names)
        raise ValueError(f"{name}: not a folder the re-ship on MoveNet-fitted 2D replaces ({known})")
    return family


def fitted_decision(root: Path, family: str) -> tuple[list[str], list[str]]:
    """``(tables, reasons)`` of ``fitted_table.py ROOT FAMILY``; ``ValueError`` unless its pre-registered rule says to
    replace the family's triple (``FileNotFoundError`` naming a missing evaluation)."""
    fitted_table = _sibling("fitted_table")
    lines, replace, reasons = fitted_table.judge(root, family)
    if not replace:
        raise ValueError(f"{root}: the pre-registered rule of the re-ship on MoveNet-fitted 2D says to "
                         f"{fitted_table.decision_line(False, family)} (fitted_table.py): {'; '.join(reasons)}")  # fmt: skip
    return lines, reasons


#: The card subsection of a lifter of the re-ship on MoveNet-fitted 2D after the one-seed table (:func:`ship` with
#: ``fitted``; :func:`fitted_results`): what it is and replaces, then the tables and decision of ``fitted_table.py``.
FITTED_WHAT = """**What it is good for, and what it replaces.** The `{recipe}` recipe trained on {trained_on} with **simulated**
detector-definition 2D from the `movenet-fitted` detector preset ({preset}; `benchmarks/RESULTS.md` "Issue 24: the
detector fitted to MoveNet"), so that its training 2D is no kinder than the real COCO detector measured. These weights
**replace** the `{name}` trained on 2D from the `optimistic` preset ({optimistic}; the `{baseline}` rows below): the
triple {triple} is replaced together, so that a shipped depth lifter always has an XY twin trained on the same 2D. It
was trained and judged on simulated detector 2D (no real detector output in training), and the depth of every table is
**simulated** (surface-v2): **no real Depth Anything output has been seen** in training or evaluation, so read depth
gains as upper bounds of what a real monocular depth model gives (`benchmarks/RESULTS.md` "Issue 24: calibration")."""
FITTED_SEEDS = """**Three training seeds** (seed 0 = these weights, seeds 1 and 2 the same recipe, data and budget; printed by
`python benchmarks/reference/fitted_table.py ROOT {family}` on the evaluations of `DEGRADATION=1 DEFAULT_TABLES=1
FAMILIES={family} benchmarks/reference/evaluate_i24_fitted.sh`; whole test sets, flip test). Models: {candidates} (the
recipes trained on `movenet-fitted` 2D) and {baselines} (the recipes shipped before, trained on `optimistic` 2D, with
their seeds 1-2). MPJPE / PA-MPJPE in mm, mean ± std over the seeds; then each comparison, B minus A, with the paired
bootstrap 95 % interval over test takes of the seed-averaged per-pose errors ("no significant difference": the interval
contains 0). Real motion everywhere; simulated detector 2D from the `movenet-fitted` preset but in the "real GT 2D"
columns (HumanEva-I's own ground-truth 2D) and the "`optimistic`" columns (the same test sets built with the old
default preset); simulated depth at the calibrated severity, "2x severity": at twice it, "depth withheld": the depth
channels set to the processor's missing-depth fill. The selection rule was written before any three-seed evaluation of
these recipes (`benchmarks/RESULTS.md`, "Issue 24: re-ship on MoveNet-fitted 2D, selection rule") and says replace:"""


def fitted_results(root: Path, family: str, recipe: str, name: str, mixture: bool) -> str:
    """The card subsection of ``recipe`` shipped as ``name`` by the re-ship on MoveNet-fitted 2D: :data:`FITTED_WHAT`,
    :data:`FITTED_SEEDS`, the rule's reasons and the tables of :func:`fitted_decision` (``ValueError`` unless it says
    replace)."""
    fitted_table = _sibling("fitted_table")
    lines, reasons = fitted_decision(root, family)
    cands, bases = fitted_table.labels(family)
    replaces = fitted_table.REPLACES[family]
    what = FITTED_WHAT.format(
        recipe=recipe, name=name, baseline=bases[cands.index(replaces[name])],
        trained_on="the H36M + Bandai Namco mixture" if mixture else "the Human3.6M training table",
        preset=DETECTOR_PRESETS["movenet-fitted"], optimistic=DETECTOR_PRESETS["optimistic"],
        triple=" / ".join(f"`{n}`" for n in replaces),
    )  # fmt: skip
    seeds = FITTED_SEEDS.format(
        family=family, candidates=" / ".join(f"`{c}`" for c in cands), baselines=" / ".join(f"`{b}`" for b in bases)
    )
    prose = [textwrap.fill(" ".join(text.split()), width=118) for text in (what, seeds)]
    return "\n" + "\n\n".join([*prose, "\n".join(f"- {r}" for r in reasons), "\n".join(lines)]) + "\n"


#: A PoseAug arm of ``benchmarks/v4_poseaug`` (run name without ``-s<seed>``) -> its sample-matched plain twin there.
V4_TWINS = {"xyd-pa": "xyd", "xy-pa": "xy"}
#: The cross-dataset tables of the v4 evaluation: where a PoseAug run must beat its plain twin to be shipped.
V4_CROSS_TABLES = ("test_cmu", "humaneva")


def _v4_table():
    import importlib.util

    spec = importlib.util.spec_from_file_location("v4_table", REPO / "benchmarks" / "v4_poseaug" / "v4_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def v4_results(root: Path, arm: str) -> tuple[list[str], list[str]]:
    """``(tables, findings)`` of the v4 evaluation under ``root`` (``benchmarks/v4_poseaug/evaluate.sh``) for PoseAug
    arm ``arm`` (:data:`V4_TWINS`): ``v4_table.tables`` and one line per comparison naming the arm (MPJPE, B - A with
    the paired 95 % interval, per column). ``ValueError`` unless the arm beats its plain twin with an interval that
    excludes 0 on at least one of :data:`V4_CROSS_TABLES` (issue 27 item 4); ``FileNotFoundError`` naming a missing
    evaluation."""
    v4 = _v4_table()
    if arm not in V4_TWINS:
        raise ValueError(f"{arm}: not a PoseAug arm of the v4 experiment ({', '.join(V4_TWINS)})")
    evaluations = v4.load_all(root)
    lines = v4.tables(evaluations)  # raises KeyError naming a missing cell / comparison
    comps = {(c["a"], c["b"], c["table"]): c for data in evaluations.values() for c in data["comparisons"]}
    twin = V4_TWINS[arm]
    wins = [t for t in V4_CROSS_TABLES
            if comps[(twin, arm, t)]["mpjpe"]["significant"] and comps[(twin, arm, t)]["mpjpe"]["difference"] < 0]  # fmt: skip
    if not wins:
        raise ValueError(f"{root}: {v4._label(arm)} does not beat its plain twin {v4._label(twin)} with an interval "
                         f"excluding 0 on {' or '.join(V4_CROSS_TABLES)} (v4_table.py): not shipped")  # fmt: skip
    findings = []
    for a, b in v4.COMPARISONS:
        if arm not in (a, b):
            continue
        cells = [f"{name} {v4.seeds_table.interval_cell(comps[(a, b, t)]['mpjpe'])}" for _, t, name in v4.COLUMNS]
        verdict = {"better": [], "worse": [], "no significant difference": []}
        for _, t, name in v4.COLUMNS:
            c = comps[(a, b, t)]["mpjpe"]
            side = (
                "no significant difference" if not c["significant"] else "better" if c["difference"] < 0 else "worse"
            )
            verdict[side].append(name)
        said = "; ".join(f"{k} on {', '.join(v)}" for k, v in verdict.items() if v)
        findings.append(f"{v4._label(b)} vs {v4._label(a)} (MPJPE, B - A): " + "; ".join(cells) + f". B is {said}.")
    return lines, findings


def poseaug_record(final: Path, training: dict, trained: dict) -> dict:
    """The :data:`POSEAUG_KEY` record of a PoseAug run's ``final`` folder: its phase 1 (``poseaug_pretrained``: run,
    epochs, steps, lifter samples, learning rate and decay, read from that folder) and its phase 2 (the PoseAug
    options of ``poseaug_config.json``, the warm-up and PoseAug epochs, GAN iterations, lifter samples and how many
    were generated, from ``eval_results.json`` ``train``; the depth of the generated poses). ``ValueError`` naming the
    file of a missing piece."""
    t = training["training"]
    first = Path(t.get("poseaug_pretrained") or "")
    if not t.get("poseaug_pretrained") or not (first / "training_config.json").is_file():
        raise ValueError(f"{final}/training_config.json: poseaug_pretrained {str(first)!r} is not a trained folder "
                         "(the phase-1 lifter is needed to describe the training)")  # fmt: skip
    p1 = json.loads((first / "training_config.json").read_text())["training"]
    p1_eval = json.loads((first / "eval_results.json").read_text()).get("train", {})
    options = json.loads((final / "poseaug_config.json").read_text())
    keys = ("lifter_samples", "lifter_samples_generated", "gan_iterations", "poseaug_epoch")
    missing = [k for k in keys if k not in trained]
    if missing or "lifter_samples" not in p1_eval:
        raise ValueError(f"{final}/eval_results.json: train has no {missing or 'phase-1 lifter_samples'} (a PoseAug "
                         "run records them since issue 27)")  # fmt: skip
    depth = t.get("poseaug_depth_simulation") or {}
    return {
        "phase1": {
            "run": first.parent.name, "epochs": float(p1.get("num_train_epochs", 0)),
            "batch": int(p1["per_device_train_batch_size"]), "learning_rate": float(p1.get("learning_rate", 1e-3)),
            "lr_decay": float(p1.get("lr_decay", 1.0)), "optimizer": p1.get("optimizer", "adamw"),
            "lifter_samples": int(p1_eval["lifter_samples"]),
        },
        "warmup_epochs": int(options["config"]["warmup_epochs"]), "poseaug_epochs": int(trained["poseaug_epoch"]),
        "gan_iterations": int(trained["gan_iterations"]), "lifter_samples": int(trained["lifter_samples"]),
        "lifter_samples_generated": int(trained["lifter_samples_generated"]),
        "learning_rate": float(t["learning_rate"]), "lr_decay": float(t.get("lr_decay", 1.0)),
        "lr_schedule": t.get("poseaug_lr_schedule"), "optimizer": t.get("optimizer"),
        "batch": int(t["per_device_train_batch_size"]),
        "options": {k: options["config"][k] for k in ("adversarial_loss", "feedback_error", "rt_translation",
                                                       "keep_rule", "bone_length_swap", "hidden_size")},
        "generated_depth": depth.get("simulation"),
    }  # fmt: skip


#: The budget bullet of a PoseAug run (:func:`poseaug_record`; replaces the one-phase budget of :data:`EXTRA_SECTION`).
POSEAUG_BUDGET = """- **Training, two phases** (`benchmarks/v4_poseaug/run.sh`, as the official PoseAug pipeline: a pretrained baseline
  lifter, then PoseAug). Phase 1 (run `{p1[run]}`, PoseAug's baseline pretraining): the plain lifter, {p1[epochs]:g}
  epochs over the training table ({p1[lifter_samples]:,} samples), batch {p1[batch]}, {p1[optimizer]} learning rate
  {p1[learning_rate]:g} x {p1[lr_decay]:g} per epoch. Phase 2 (this run, PoseAug as published,
  `auglift_hf.training.poseaug`; adversarial loss {opt[adversarial_loss]}, feedback error {opt[feedback_error]}, RT
  translation {opt[rt_translation]}, keep rule {opt[keep_rule]}, bone-length template swap {opt[bone_length_swap]},
  generator width {opt[hidden_size]}): from the phase-1 weights with a fresh {optimizer} at learning rate {lr:g} x
  {decay:g} per {epoch_steps:,} lifter steps ({schedule}), batch {batch}; {warmup} GAN-only warm-up epochs, then
  {lifter_epochs} PoseAug epoch(s) of one GAN pass, one lifter pass over the generated poses and one over the real
  data (the official recipe has 48 after the warm-up: CPU budget), {gan:,} GAN iterations, {samples:,} lifter samples
  of which {generated:,} generated poses (their depth from the training table's own {generated_depth} simulation),
  {runtime:.0f} s on one shared CPU thread; seed 0, horizontal-flip augmentation of the real batches. A small CPU
  budget (a 256-wide SimpleBaseline; the official lifter is 1024 wide): not comparable one to one with papers."""
#: The subsection of a PoseAug card after the one-seed table: the v4 experiment's three-seed tables (:func:`v4_results`).
POSEAUG_RESULTS = """
**What it is good for, and the v4 experiment.** "AugLift + PoseAug", the headline configuration of AugLift v4 (XYD +
dscale2d, i.e. the input (x, y) scaled by d_root / 4.5 m, with PoseAug) in the ground-truth 2D setting, trained on
Human3.6M. It is shipped because it beat its sample-matched plain twin (the same phase-1 lifter continued without
PoseAug for the same lifter samples, learning rates, batch and seed) with an interval excluding 0 on at least one
cross-dataset column. Three training seeds per arm (seed 0 = these weights; printed by
`python benchmarks/v4_poseaug/v4_table.py` on the evaluations of `benchmarks/v4_poseaug/evaluate.sh`), ground-truth 2D
(HumanEva-I: its own real GT 2D), depth simulated (surface-v2 at severity 3): MPJPE / PA-MPJPE in mm, mean ± std over
the seeds, then B - A with the paired bootstrap 95 % interval over test takes of the seed-averaged per-pose errors ("no
significant difference": the interval contains 0; negative: B is better):

{findings}

{tables}
"""


def ship(
    run_dir: Path,
    eval_json: Path,
    dest: Path,
    three_seeds: Path | None = None,
    replace: bool = False,
    v4: Path | None = None,
    fitted: Path | None = None,
) -> Path:
    """Ship ``run_dir/final`` as ``dest`` with its card (module docstring); an existing ``dest`` is refused unless
    ``replace``. ``three_seeds``: the root of ``evaluate_i26_mixture.sh`` (XY) / ``evaluate_i26_depth_mixture.sh``
    (depth lifters; the same root in ``train_i26_mixture.sh``) whose three-seed tables a run on a mixture of source
    datasets (:func:`training_sources`) must carry: :func:`three_seed_results` for an XY lifter,
    :func:`depth_mixture_decision` for a depth lifter (every source with the same simulated depth,
    :func:`source_depths`). A mixture shipped under the name of an H36M-only folder it replaces
    (:func:`replaced_recipe`) needs the depth pair's rule to say replace. ``v4``: the root of
    ``benchmarks/v4_poseaug/evaluate.sh``, needed by a PoseAug run (:func:`v4_results`, :func:`poseaug_record`).
    ``fitted``: the root of ``evaluate_i24_fitted.sh`` (the re-ship on MoveNet-fitted 2D): ``dest`` is a folder of a
    family's triple (:func:`fitted_family`), replaced by its ``-fit`` recipe only, and only if ``fitted_table.py``
    says replace; its three-seed tables (:func:`fitted_results`) replace those of ``three_seeds``."""
    final = run_dir / "final"
    if dest.exists() and not replace:
        raise FileExistsError(f"{dest} exists: pass --replace to replace it")
    recipe = re.sub(r"-seed\d+$", "", run_dir.name)
    family = None
    if fitted is not None:  # checked before anything is read: the name, the recipe, the rule's decision
        family = fitted_family(dest.name)
        expected = _sibling("fitted_table").REPLACES[family][dest.name]
        if recipe != expected:
            raise ValueError(f"{dest.name}: replaced by the recipe {expected} only (rule of the re-ship on "
                             f"MoveNet-fitted 2D), not by run {run_dir.name}")  # fmt: skip
        fitted_decision(fitted, family)
    res = json.loads(eval_json.read_text())
    training = json.loads((final / "training_config.json").read_text())
    poseaug = None
    if training["training"].get("poseaug"):
        if v4 is None:
            raise ValueError(f"{final}: trained with PoseAug; ship.py writes its card with the v4 experiment's "
                             "three-seed evaluation (--v4 ROOT)")  # fmt: skip
        v4_lines, v4_findings = v4_results(v4, re.sub(r"-s\d+$", "", run_dir.name))
        trained = json.loads((final / "eval_results.json").read_text()).get("train", {})
        poseaug = poseaug_record(final, training, trained)
    has_depth = "d" in json.loads((final / "config.json").read_text()).get("input_channels", [])
    sources = training_sources(training) if len(training["data"]["train_datasets"]) > 1 else None
    mixture = is_mixture(sources)
    if not mixture:
        sources = None
    elif three_seeds is None and fitted is None:
        raise ValueError(f"{final}: trained on a mixture of {sorted({s['dataset'] for s in sources})}; ship.py writes "
                         "mixture cards with their three-seed evaluation (--three-seeds ROOT)")  # fmt: skip
    replaced = replaced_recipe(dest.name) if mixture and fitted is None else None
    if replaced is not None and re.sub(r"-seed\d+$", "", run_dir.name) != replaced:
        raise ValueError(f"{dest.name}: replaced by the recipe {replaced} only (rule of the depth pair on the mixture), "
                         f"not by run {run_dir.name}")  # fmt: skip
    if mixture and has_depth:  # before training_table: name the source without depth
        sources = [{**s, "depth": {k: d[k] for k in ("simulation", "severity", "samples")}}
                   for s, d in zip(sources, source_depths(training))]  # fmt: skip
    info = training_table(training, gt_surface=poseaug is not None)
    realistic, h36m_joint_2d = info.pop("realistic"), info.pop("h36m_joint_2d")
    preset = info.pop("detector_preset")
    context = MIXTURE_FITTED if fitted is not None else MIXTURE_ISSUE26
    ground_truth_2d = info.pop("ground_truth_2d")
    if poseaug is not None and not ground_truth_2d:
        raise ValueError(f"{final}: a PoseAug run on detector 2D; ship.py describes the ground-truth 2D runs of the "
                         "v4 experiment only")  # fmt: skip
    record = info.pop("depth_record")
    surface = record is not None and record["simulation"] != LEGACY_DEPTH_SIMULATION
    if mixture and has_depth:  # the data bullet is written once the evaluated severities are known (below)
        if not surface:
            raise ValueError(f"{final}: a depth lifter on a mixture of {record and record['simulation']} depth; "
                             "ship.py describes mixtures of surface-v2 depth only")  # fmt: skip
        depth_tables, depth_reasons = depth_mixture_decision(three_seeds) if fitted is None else ([], [])
        info = {"dropout": info["dropout"], "depth_results": "\n".join(depth_tables) + "\n\n"
                + "\n".join(f"- {r}" for r in depth_reasons)}  # fmt: skip
    elif mixture:  # an XY lifter: the depth columns of its H36M table are not read
        record, surface = None, False
        if fitted is None:
            twin = MIXTURE_TWIN
            if replaced is not None:  # the triple is replaced together: the depth pair's rule must say so
                reasons = depth_mixture_decision(three_seeds)[1]
                twin = MIXTURE_TWIN_REPLACED.format(reasons="\n".join(f"- {r}" for r in reasons))
            extra = MIXTURE_RESULTS.format(tables=three_seed_results(three_seeds), twin=twin)
        info = {**mixture_info(training, sources, preset=preset and preset["preset"], context=context),
                "extra_results": extra if fitted is None else ""}  # fmt: skip
    else:
        info.update(epoch=EPOCH_ONE_PASS.format(**info), extra_results="", licence=LICENCE_H36M)
    if surface and not has_depth and fitted is not None:  # the re-ship on MoveNet-fitted 2D retrains the XY twins
        info["data"] = textwrap.fill(" ".join(name_preset(DATA_SURFACE_XY, preset["preset"]).format(**info).split()),
                                     width=118, subsequent_indent="  ")  # fmt: skip
        record, surface = None, False
        info.pop("conf"), info.pop("dropout")
    if (
        surface and not has_depth
    ):  # the card texts of such a run are not written (the XY checkpoints are not retrained)
        raise ValueError(f"{final}: an XY lifter trained on a {record['simulation']} table; ship.py writes cards for "
                         "its depth lifters only (the XY checkpoints read the same 2D and are not re-shipped)")  # fmt: skip
    record = record if has_depth else None
    measured = bool(res.get("tables"))  # evaluate.py recorded its tables: state what it scored
    record_table_presets(res, str(eval_json))
    if surface and not measured:
        raise ValueError(f"{eval_json}: written before evaluate.py recorded its tables; a {record['simulation']} "
                         "checkpoint needs the evaluation severity of each table: re-run evaluate.py")  # fmt: skip
    severities = measured_severities(res, str(eval_json)) if surface else {}
    for label, sev in severities.items():
        sim = table_severity(res["tables"][res["conditions"][label]["table"]], str(eval_json))[0]
        if sim != record["simulation"] or sev is None:
            raise ValueError(f"{eval_json}: condition {label!r} was scored on {sim} depth (severity {sev}), the "
                             f"checkpoint was trained on {record['simulation']}")  # fmt: skip
    # a lifter trained on ground-truth H36M-joint 2D is scored on it only: the noisy-2D rows are the COCO-definition
    # detector 2D, which it was not trained for (the "h36m" lifters' Issue 23 rows say so; here they are left out)
    conditions = {
        label: m for label, m in res["conditions"].items()
        if not ground_truth_2d or label.partition(" ")[2].partition(", ")[0] == "GT-2D"
    }  # fmt: skip
    rows = [
        condition_row(
            label, {"mpjpe": m["mpjpe"], "pa_mpjpe": m["pa_mpjpe"]}, has_depth, m.get("num_poses"),
            depth_text=simulated_depth_text(record, [severities[label]]) if surface else None,
            selection=measured_selection(res, label) if measured else None,
            frame_rates=recorded_frame_rates(m), detector_preset=recorded_detector_preset(res, label),
        )
        for label, m in conditions.items()
    ]  # fmt: skip
    severities = {label: severities[label] for label in conditions if label in severities}
    depth_text = simulated_depth_text(record, list(severities.values())) if surface else None
    if mixture and has_depth:
        replaces = (
            f"These weights **replace** the `{dest.name}` trained on H36M alone (the `{dest.name}` rows below): the "
            "triple `tcn-27f-xy` / `tcn-27f-xycd` / `tcn-27f-casp` is replaced together by the mixture recipes, so "
            "that the shipped depth lifters keep an XY twin trained on the same data."
            if replaced is not None
            else f"`{recipe.removesuffix('-mix')}` is the same recipe on H36M alone."
        )
        extra = DEPTH_MIXTURE_RESULTS.format(
            recipe=recipe, replaces=replaces, simulation=record["simulation"], train=_range(record["train_severity"]),
            tables=info.pop("depth_results"),
        )  # fmt: skip
        head, sep, tail = extra.partition("\n\n**Three training seeds**")  # the first paragraph holds long names
        extra = "\n" + textwrap.fill(" ".join(head.split()), width=118) + sep + tail
        info = {**mixture_info(training, sources, depth_text, info.pop("dropout"), preset and preset["preset"], context),
                "extra_results": extra}  # fmt: skip
    if fitted is not None:  # the three-seed section is the re-ship's, whatever the path above wrote
        info["extra_results"] = fitted_results(fitted, family, recipe, dest.name, mixture)
    if poseaug is not None:
        info["extra_results"] = POSEAUG_RESULTS.format(
            findings="\n".join(f"- {f}" for f in v4_findings), tables="\n".join(v4_lines)
        )
    if surface and not (mixture and has_depth):
        info["data"] = textwrap.fill(
            " ".join(info.pop("data").format(depth_text=depth_text, **info).split()), width=118, subsequent_indent="  ",
            break_on_hyphens=not ground_truth_2d,  # keep its build_data.py options whole (earlier cards: as shipped)
        )  # fmt: skip
        info.pop("conf"), info.pop("dropout")
    with atomic_write_dir(dest, overwrite=replace) as tmp:
        for name in COPY:
            shutil.copy2(final / name, tmp / name)
        if realistic:  # the input contract is inherited from the training table's card (auglift train)
            cfg = json.loads((tmp / "preprocessor_config.json").read_text())
            if cfg.get("keypoint_definition") is None:
                raise ValueError(f"{final}: preprocessor_config.json carries no input contract; retrain on a table "
                                 "whose card has one (build_data.py writes it)")  # fmt: skip
            if "frame_rate" not in cfg:  # runs saved before auglift train recorded it: measure it the same way
                from auglift_hf.training.data import training_frame_rate

                data = training["data"]
                cfg["frame_rate"] = training_frame_rate(
                    data["train_datasets"], data.get("dataset_config") or "gt2d", data.get("train_split") or "train",
                    temporal=int(cfg.get("num_frames", 1)) > 1,
                )  # fmt: skip
                (tmp / "preprocessor_config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
        for path in final.glob("*_*.py"):
            shutil.copy2(path, tmp / path.name)
        results = {"results": rows, "reference_eval": res}
        if record is not None:
            results[DEPTH_RECORD_KEY] = record
        if poseaug is not None:
            results[POSEAUG_KEY] = poseaug
        if sources is not None:
            results[SOURCES_KEY] = sources
        if preset is not None:
            results[DETECTOR_KEY] = preset
        if fitted is not None:
            results[FITTED_KEY] = {
                "family": family, "recipe": recipe, "evaluations": str(fitted),
                "rule": "benchmarks/RESULTS.md 'Issue 24: re-ship on MoveNet-fitted 2D, selection rule'",
            }  # fmt: skip
        (tmp / "eval_results.json").write_text(json.dumps(results, indent=2))
        channels = json.loads((final / "config.json").read_text()).get("input_channels", [])
        write_model_card(
            tmp, eval_results={"results": rows}, repo_id=f"auglift/{dest.name}", datasets=source_datasets(sources),
            depth_simulation=record["simulation"] if surface else DEPTH_SIMULATION,
            training_data=training_data_text(h36m_joint_2d, realistic, "d" in channels, depth_text, sources, poseaug,
                                             preset and preset["preset"]),
            licences=source_licences(sources),
        )  # fmt: skip
        t = training["training"]
        batch = int(t.get("per_device_train_batch_size", 8))
        steps = int(t.get("max_steps")) if poseaug is None else poseaug["lifter_samples"] // batch
        table = "\n".join(
            f"| {label} | {m['mpjpe']:.1f} | {m['pa_mpjpe']:.1f} | {m['mpjpe_action_wise']:.1f} |"
            for label, m in conditions.items()
        )
        depth_note = (
            "The `d` channel is a per-joint depth in metres (pass `depth` as (frames, 17, 1) = d or (frames, 17, 3) = "
            "d, d_min, d_max), made pelvis-relative by the processor. In training it was the median of 16 depth "
            "samples in a confidence-scaled disk around each keypoint (CASP); at inference take it from a monocular "
            "metric depth model sampled at the keypoints (`auglift_hf.features.sample_depth`)."
            if "d" in channels
            else "This is the plain XY baseline (no confidence, no depth)."
        )
        if depth_text:
            depth_note += f" Depth of this checkpoint: {depth_text}."
        evaluation = EVALUATION_LEGACY
        if measured:
            tables = ", ".join(f"`{Path(t['path']).name}` ({t['rows']:,} frames)" for t in res["tables"].values())
            evaluation = EVALUATION_MEASURED.format(
                tables=tables, depth=depth_text or ("none (XY lifter)" if not has_depth else SIMULATED_DEPTH)
            )
            if ground_truth_2d:  # its noisy-2D rows are left out (above): say so instead of defining them
                evaluation = evaluation.replace(
                    '"noisy-2D" = the simulated COCO detector of the test tables;',
                    'the rows with the simulated COCO detector 2D (another keypoint definition than this "h36m" '
                    "ground-truth-2D lifter was trained on) are left out;",
                ).replace('; ", no depth" = the depth channels set to the processor\'s missing-depth fill', "")
            evaluation = textwrap.fill(" ".join(evaluation.split()), width=118, subsequent_indent="  ")
        template = EXTRA_SECTION
        if poseaug is not None:  # two training phases: the budget bullet of the record
            head, _, tail = EXTRA_SECTION.partition("- **Budget**")
            head = head.replace("of `benchmarks/reference/`", "of `benchmarks/v4_poseaug/`")
            template = head + "{budget}" + tail[tail.index("\n{evaluation}") :]
            info["budget"] = POSEAUG_BUDGET.format(
                p1=poseaug["phase1"],
                opt=poseaug["options"],
                optimizer=poseaug["optimizer"],
                lr=poseaug["learning_rate"],
                decay=poseaug["lr_decay"],
                epoch_steps=info["windows"] // batch,  # PoseAug drops the last incomplete batch
                schedule=f"poseaug_lr_schedule={poseaug['lr_schedule']}",
                batch=batch,
                warmup=poseaug["warmup_epochs"],
                lifter_epochs=poseaug["poseaug_epochs"] - poseaug["warmup_epochs"],
                gan=poseaug["gan_iterations"],
                samples=poseaug["lifter_samples"],
                generated=poseaug["lifter_samples_generated"],
                generated_depth=poseaug["generated_depth"],
                runtime=res.get("train", {}).get("train_runtime") or 0.0,
            )
            info["budget"] = textwrap.fill(" ".join(info["budget"].split()), width=118, subsequent_indent="  ")
        extra = template.format(
            run=run_dir.name, steps=steps, batch=batch, samples=steps * batch,
            runtime=res.get("train", {}).get("train_runtime") or 0.0, lr=float(t.get("learning_rate", LiftingTrainingArguments.learning_rate)),
            decay=float(t.get("lr_decay", LiftingTrainingArguments.lr_decay)),
            rows=table, depth_note=depth_note, evaluation=evaluation, **info,
        )  # fmt: skip
        readme = tmp / "README.md"
        text = readme.read_text()
        head, sep, tail = text.partition("\n## Citation")  # measured details go before the citations
        readme.write_text(head.rstrip("\n") + "\n" + extra + (sep + tail if sep else ""))
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="+", help="run:checkpoint-name pairs")
    parser.add_argument("--runs", default="/work/cache/h36m_ref/runs")
    parser.add_argument("--eval", default="/work/cache/h36m_ref/eval")
    parser.add_argument("--dest", default=str(REPO / "checkpoints"))
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument("--three-seeds", type=Path, default=None,
                       help="root of evaluate_i26_mixture.sh / evaluate_i26_depth_mixture.sh: the three-seed tables "
                       "of a mixture run's card")  # fmt: skip
    seeds.add_argument("--fitted", type=Path, default=None,
                       help="root of evaluate_i24_fitted.sh: re-ship a family's triple trained on MoveNet-fitted 2D "
                       "(family from the destination names; refused unless fitted_table.py says replace)")  # fmt: skip
    parser.add_argument(
        "--v4",
        type=Path,
        default=None,
        help="root of benchmarks/v4_poseaug/evaluate.sh: the three-seed tables of a PoseAug run's card",
    )
    parser.add_argument("--replace", action="store_true", help="replace existing checkpoint folders (default: refuse)")
    args = parser.parse_args(argv)
    pairs = [(run, name or run) for run, _, name in (p.partition(":") for p in args.pairs)]
    existing = [str(Path(args.dest) / name) for _, name in pairs if (Path(args.dest) / name).exists()]
    if existing and not args.replace:  # checked for every pair before any folder is written
        parser.exit(2, f"ship.py: error: {', '.join(existing)} exist(s): pass --replace to replace\n")
    for run, _ in pairs:  # every input too: a triple is replaced whole or not at all
        for path in (Path(args.runs) / run / "final" / "model.safetensors", Path(args.eval) / f"{run}.json"):
            if not path.is_file():
                parser.exit(2, f"ship.py: error: {path}: not found (nothing shipped)\n")
    if args.fitted is not None:  # the rule of every family named, before any folder is written
        try:
            for family in dict.fromkeys(fitted_family(name) for _, name in pairs):
                fitted_decision(args.fitted, family)
        except (FileNotFoundError, KeyError, ValueError) as err:
            parser.exit(2, f"ship.py: error: {err} (nothing shipped)\n")
    for run, name in pairs:
        try:
            out = ship(Path(args.runs) / run, Path(args.eval) / f"{run}.json", Path(args.dest) / name,
                       three_seeds=args.three_seeds, replace=args.replace, v4=args.v4, fitted=args.fitted)  # fmt: skip
        except (FileNotFoundError, FileExistsError, KeyError, ValueError) as err:
            parser.exit(2, f"ship.py: error: {run}: {err}\n")
        size = sum(p.stat().st_size for p in out.iterdir()) / 1e6
        print(f"{out}: {size:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
