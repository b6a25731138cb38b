"""Copy trained reference lifters into ``checkpoints/<name>/`` as Hub-ready folders with measured model cards.

Each folder gets ``config.json``, ``model.safetensors``, ``preprocessor_config.json`` (and the self-contained
``configuration_*.py`` / ``modeling_*.py`` for ``trust_remote_code`` users), ``training_config.json``,
``eval_results.json`` (the measurements of ``evaluate.py``) and a ``README.md`` model card built with
:func:`auglift_hf.hub.cards.write_model_card` plus a section on how it was trained and what it is good for.

Usage::

    python benchmarks/reference/ship.py --runs /work/cache/h36m_ref/runs --eval /work/cache/h36m_ref/eval \
        poseformer-9f-xycd:poseformer-xycd poseformer-9f-xy:poseformer-xy tcn-27f-xycd:tcn-27f-xycd tcn-27f-xy:tcn-27f-xy
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import textwrap
from pathlib import Path

from auglift_hf.hub.cards import write_model_card
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
#: The depth simulation every shipped depth lifter was trained and evaluated on (`auglift_hf.data.schema.DEPTH_SIMULATIONS`).
DEPTH_SIMULATION = "capsule-v1"
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


def condition_row(label: str, metrics: dict, has_depth: bool, frames: int | str | None, seeds: int = 1) -> dict:
    """The exactly named model-index row of one ``evaluate.py`` condition (``CARD_ROWS`` label): real motion vs
    simulated 2D / depth with the simulation's name, frames scored (``"not recorded"`` when unknown), the test frame
    selection and the number of training seeds."""
    place, _, rest = label.partition(" ")
    two_d, _, no_depth = rest.partition(", ")
    kind, name, motion, selection = PLACES[place]
    depth = (
        "none: the depth channels set to the processor's missing-depth fill" if no_depth
        else SIMULATED_DEPTH if has_depth else "none (XY lifter: no depth input)"
    )  # fmt: skip
    config, split = CARD_ROWS[label]
    data = {
        "motion": motion, "keypoints_2d": TWO_D[two_d], "depth": depth,
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
  AdamW, learning rate {lr:g} multiplied by {decay:g} every {epoch_steps:,} steps (one pass over the ~{windows:,} training
  windows, one every {stride} frames), seed 0, horizontal-flip augmentation. This is a small
  CPU budget and the model is not converged: the XY models are behind published XY numbers (PoseFormer 81f
  reaches 31.3 mm GT-2D MPJPE after ~130 GPU epochs on the official H36M data), and the depth channels come from a
  simulated monocular depth model (documented error model), not Depth Anything itself, so neither compares
  one-to-one with papers.
- **Evaluation** (table above, MPJPE / PA-MPJPE in mm, frame-wise, flip test; the reference evaluation of
  `benchmarks/RESULTS.md`): "GT-2D" = the H36M joints' projections (the ground truth of an `"h36m"` lifter);
  "COCO-GT-2D" = the noise-free detector-definition 2D (the ground truth of a `"coco"` lifter); "noisy-2d" = the
  simulated COCO detector of the test tables; "virtual cameras" = the
  out-of-domain split (cameras 30 % closer, heights 0.5-2.6 m, focal 800-1500 px); "CMU" = real CMU motion capture
  (sports, jumping, running; other subjects and proportions) through the real H36M cameras, never trained on.

| condition | MPJPE (mm) | PA-MPJPE (mm) | MPJPE action-wise (mm) |
|---|---|---|---|
{rows}

Input conventions are in `preprocessor_config.json`; use `PoseLiftingProcessor.from_pretrained(<folder>)`.
{depth_note}

## Licence of the training data

The weights were trained on Human3.6M motion, which is licensed for **non-commercial research only**
(http://vision.imar.ro/human3.6m/eula.php). Use these weights under the same terms.
"""


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


def _summary(table: Path) -> dict:
    path = table.parent / f"{table.name}_summary.json"
    summary = json.loads(path.read_text())
    for key in ("counts", "detector", "train_max_frames"):
        if key not in summary:
            raise ValueError(f"{path}: no {key!r} (written by build_data.py since issue 14; rebuild the table)")
    return summary


def training_table(training: dict) -> dict:
    """Rows, windows, frame selection and data description of the run's training tables, from their summaries.

    Everything is read from ``<table>_summary.json`` (written by ``build_data.py`` beside each table), never guessed
    from folder names: the detector text, ``train_max_frames``, ``body_proportions`` and ``virtual_cameras``.
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
    info["data"] = ((DATA_REALISTIC_H36M if h36m else DATA_REALISTIC) if realistic else DATA_LEGACY).format(**info)
    if h36m:  # composed from parts: re-wrap as one bullet
        info["data"] = textwrap.fill(" ".join(info["data"].split()), width=118, subsequent_indent="  ")
    for key in ("conf", "proportions", "h36m_2d"):
        info.pop(key, None)
    info["h36m_joint_2d"] = h36m
    info["realistic"] = realistic
    return info


def training_data_text(h36m_joint_2d: bool, realistic: bool, has_depth: bool) -> str:
    """The card's "Training data" sentence: real motion, simulated 2D and (for depth lifters) simulated depth, named."""
    two_d = (
        "H36M-joint 2D with temporally correlated detector errors and confidences" if h36m_joint_2d
        else "detector-definition (COCO-17 -> H36M) 2D with temporally correlated noise and confidences" if realistic
        else "detector-noise 2D with confidences"
    )  # fmt: skip
    depth = (
        f", **simulated** monocular depth descriptors (depth simulation `{DEPTH_SIMULATION}`"
        + (", realistic error model, depth dropout" if realistic else "") + "; no real Depth Anything output)"
        if has_depth else ""
    )  # fmt: skip
    return (
        "**Real** Human3.6M motion (S1, S5, S6, S7, S8) rendered into the real cameras, **simulated** "
        + two_d
        + depth
        + "; one training seed (seed 0)."
    )


def ship(run_dir: Path, eval_json: Path, dest: Path) -> Path:
    final = run_dir / "final"
    res = json.loads(eval_json.read_text())
    training = json.loads((final / "training_config.json").read_text())
    has_depth = "d" in json.loads((final / "config.json").read_text()).get("input_channels", [])
    rows = [
        condition_row(label, {"mpjpe": m["mpjpe"], "pa_mpjpe": m["pa_mpjpe"]}, has_depth, m.get("num_poses"))
        for label, m in res["conditions"].items()
    ]
    info = training_table(training)
    realistic, h36m_joint_2d = info.pop("realistic"), info.pop("h36m_joint_2d")
    with atomic_write_dir(dest) as tmp:
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
        (tmp / "eval_results.json").write_text(json.dumps({"results": rows, "reference_eval": res}, indent=2))
        channels = json.loads((final / "config.json").read_text()).get("input_channels", [])
        write_model_card(
            tmp, eval_results={"results": rows}, repo_id=f"auglift/{dest.name}", datasets=["h36m"],
            depth_simulation=DEPTH_SIMULATION,
            training_data=training_data_text(h36m_joint_2d, realistic, "d" in channels),
        )  # fmt: skip
        t = training["training"]
        steps, batch = int(t.get("max_steps")), int(t.get("per_device_train_batch_size", 8))
        table = "\n".join(
            f"| {label} | {m['mpjpe']:.1f} | {m['pa_mpjpe']:.1f} | {m['mpjpe_action_wise']:.1f} |"
            for label, m in res["conditions"].items()
        )
        depth_note = (
            "The `d` channel is a per-joint depth in metres (pass `depth` as (frames, 17, 1) = d or (frames, 17, 3) = "
            "d, d_min, d_max), made pelvis-relative by the processor. In training it was the median of 16 depth "
            "samples in a confidence-scaled disk around each keypoint (CASP); at inference take it from a monocular "
            "metric depth model sampled at the keypoints (`auglift_hf.features.sample_depth`)."
            if "d" in channels
            else "This is the plain XY baseline (no confidence, no depth)."
        )
        extra = EXTRA_SECTION.format(
            run=run_dir.name, steps=steps, batch=batch, samples=steps * batch,
            runtime=res.get("train", {}).get("train_runtime") or 0.0, lr=float(t.get("learning_rate", LiftingTrainingArguments.learning_rate)),
            decay=float(t.get("lr_decay", LiftingTrainingArguments.lr_decay)),
            rows=table, depth_note=depth_note, **info,
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
    args = parser.parse_args(argv)
    for pair in args.pairs:
        run, _, name = pair.partition(":")
        out = ship(Path(args.runs) / run, Path(args.eval) / f"{run}.json", Path(args.dest) / (name or run))
        size = sum(p.stat().st_size for p in out.iterdir()) / 1e6
        print(f"{out}: {size:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
