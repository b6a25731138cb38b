"""Model and dataset cards: fill the templates in ``model_cards/`` from a saved folder and evaluation results.

Evaluation results JSON, any of these shapes (metric values in millimetres, PCK/AUC in percent)::

    {"results": [{"dataset": "h36m", "config": "gt2d", "split": "test", "metrics": {"mpjpe": 41.2, ...}}, ...]}
    [{"dataset": "h36m", "split": "test", "mpjpe": 41.2, "pa_mpjpe": 32.0}, ...]     # rows with inline metrics
    {"h36m": {"mpjpe": 41.2, ...}, "3dpw": {...}}                                    # dataset -> metrics
    {"eval_mpjpe": 41.2, "eval_pa_mpjpe": 32.0, "epoch": 3}                           # Trainer's eval_results.json

Unknown keys (loss, runtime, epoch, ...) are ignored; every known metric becomes one ``EvalResult`` in the
card's ``model-index``.

A row may name its data exactly (issue 23): ``"name"`` (the dataset entry's display name, e.g. "Human3.6M S9/S11
(real motion, real cameras)") and ``"data"``, a dict with every key of :data:`DATA_FIELDS` -- the motion, the 2D and
the depth (each saying "real" or "simulated" and which simulation), the number of frames scored, the test frame
selection and the number of training seeds -- written to the entry's ``dataset.args``::

    {"dataset": "h36m", "name": "...", "config": "detected2d", "metrics": {...},
     "data": {"motion": "real ...", "keypoints_2d": "simulated ...", "depth": "simulated (capsule-v1) ...",
              "frames_scored": 1728, "frame_selection": "...", "seeds": 1}}
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from huggingface_hub import DatasetCard, DatasetCardData, EvalResult, ModelCard, ModelCardData

from ..models import input_frames
from ..skeleton import H36M_JOINT_NAMES
from ..utils.io import atomic_write_file

# The templates live in the repository's top-level ``model_cards/``; ``templates/`` holds links to them so that
# wheels (which copy the linked files) carry them too.
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
MODEL_CARD_TEMPLATE = TEMPLATE_DIR / "model_card_template.md"
DATASET_CARD_TEMPLATE = TEMPLATE_DIR / "dataset_card_template.md"

#: metric key -> display name (unit included)
METRICS: dict[str, str] = {
    "mpjpe": "MPJPE (mm)",
    "pa_mpjpe": "PA-MPJPE (mm)",
    "n_mpjpe": "N-MPJPE (mm)",
    "mpjve": "MPJVE (mm/frame)",
    "pck3d": "PCK3D@150mm (%)",
    "auc": "AUC (%)",
}
DATASET_NAMES: dict[str, str] = {
    "h36m": "Human3.6M",
    "3dhp": "MPI-INF-3DHP",
    "mpi_inf_3dhp": "MPI-INF-3DHP",
    "3dpw": "3DPW",
    "pw3d": "3DPW",
    "fit3d": "Fit3D",
    "synthetic": "auglift synthetic motion",
    "bandai": "Bandai Namco Research Motion Dataset",
}
ARCHITECTURES: dict[str, tuple[str, str]] = {  # model_type -> (display name, citation key)
    "poseformer": ("PoseFormer (Zheng et al., ICCV 2021)", "poseformer"),
    "tcn": ("VideoPose3D temporal convolutional network (Pavllo et al., CVPR 2019)", "videopose3d"),
    "simple_baseline": ("SimpleBaseline MLP (Martinez et al., ICCV 2017)", "simple_baseline"),
    "motionbert": ("MotionBERT DSTformer (Zhu et al., ICCV 2023)", "motionbert"),
}

CITATIONS: dict[str, str] = {
    "auglift": """@article{warner2025auglift,
  title   = {AugLift: Boosting Generalization in Lifting-based 3D Human Pose Estimation},
  author  = {Warner, Nikolai and others},
  journal = {arXiv preprint arXiv:2508.07112},
  year    = {2025}
}""",
    "poseformer": """@inproceedings{zheng2021poseformer,
  title     = {3D Human Pose Estimation with Spatial and Temporal Transformers},
  author    = {Zheng, Ce and Zhu, Sijie and Mendieta, Matias and Yang, Taojiannan and Chen, Chen and Ding, Zhengming},
  booktitle = {Proceedings of the IEEE/CVF International Conference on Computer Vision (ICCV)},
  year      = {2021}
}""",
    "videopose3d": """@inproceedings{pavllo2019videopose3d,
  title     = {3D human pose estimation in video with temporal convolutions and semi-supervised training},
  author    = {Pavllo, Dario and Feichtenhofer, Christoph and Grangier, David and Auli, Michael},
  booktitle = {Conference on Computer Vision and Pattern Recognition (CVPR)},
  year      = {2019}
}""",
    "motionbert": """@inproceedings{zhu2023motionbert,
  title     = {MotionBERT: A Unified Perspective on Learning Human Motion Representations},
  author    = {Zhu, Wentao and Ma, Xiaoxuan and Liu, Zhaoyang and Liu, Libin and Wu, Wayne and Wang, Yizhou},
  booktitle = {Proceedings of the IEEE/CVF International Conference on Computer Vision (ICCV)},
  year      = {2023}
}""",
    "simple_baseline": """@inproceedings{martinez2017simple,
  title     = {A simple yet effective baseline for 3d human pose estimation},
  author    = {Martinez, Julieta and Hossain, Rayat and Romero, Javier and Little, James J.},
  booktitle = {Proceedings of the IEEE International Conference on Computer Vision (ICCV)},
  year      = {2017}
}""",
}
DATA_LICENCE_NOTE = (
    "Human3.6M: http://vision.imar.ro/human3.6m/eula.php; MPI-INF-3DHP, 3DPW and Fit3D have similar "
    "research-only terms"
)


def training_table_licences(training: dict[str, Any]) -> list[dict[str, str]]:
    """Licences of the training tables named in ``training_config.json`` (``data.train_datasets``) whose dataset
    cards can still be read: ``[{"table", "name", "license"}]`` from each card's YAML (``license``, or
    ``license_name`` when it is ``other``). Tables that are gone (a card rebuilt elsewhere) are skipped."""
    import yaml

    out = []
    for table in (training.get("data") or {}).get("train_datasets") or []:
        readme = Path(str(table)) / "README.md"
        if not readme.is_file():
            continue
        text = readme.read_text(encoding="utf-8", errors="replace")
        try:
            front = yaml.safe_load(text.split("---\n", 2)[1]) if text.startswith("---\n") else None
        except (yaml.YAMLError, IndexError):
            front = None
        if not isinstance(front, dict) or not front.get("license"):
            continue
        licence = str(front["license"])
        if licence == "other":
            licence = str(front.get("license_name") or "other")
        name = str(front.get("pretty_name") or Path(str(table)).name).removesuffix(" (AugLift frame table)")
        out.append({"table": Path(str(table)).name, "name": name, "license": licence})
    return out


#: keys of a row's ``data`` (the ``dataset.args`` of its model-index entries): what a reader needs to know what a
#: number was measured on. ``frames_scored`` is an int, or a sentence when the count was not recorded.
DATA_FIELDS: tuple[str, ...] = ("motion", "keypoints_2d", "depth", "frames_scored", "frame_selection", "seeds")


def _check_data(data: Any, where: str) -> dict[str, Any]:
    """Validate a row's ``data`` naming (:data:`DATA_FIELDS`); a row that names its data names all of it."""
    if not isinstance(data, dict):
        raise ValueError(f"{where}: 'data' must be a mapping with keys {', '.join(DATA_FIELDS)}")
    missing = [k for k in DATA_FIELDS if data.get(k) in (None, "")]
    if missing:
        raise ValueError(f"{where}: 'data' does not name {', '.join(missing)} (needs {', '.join(DATA_FIELDS)})")
    frames, seeds = data["frames_scored"], data["seeds"]
    if isinstance(frames, bool) or not (isinstance(frames, str) or (isinstance(frames, int) and frames > 0)):
        raise ValueError(f"{where}: 'data.frames_scored' must be a positive count or a sentence, got {frames!r}")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"{where}: 'data.seeds' must be a positive count, got {seeds!r}")
    return {k: data[k] for k in DATA_FIELDS} | {k: v for k, v in data.items() if k not in DATA_FIELDS}


_IGNORED_KEYS = {"loss", "runtime", "samples_per_second", "steps_per_second", "epoch", "step"}


def _read_json(path: str | os.PathLike, what: str) -> Any:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: {what} not found")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: {what} is not valid JSON ({err})") from err


def _metric_key(key: str) -> str | None:
    k = key.lower().removeprefix("eval_").removeprefix("test_").replace("-", "_")
    return k if k in METRICS else None


def _row(
    dataset: str,
    metrics: dict[str, Any],
    config: str | None = None,
    split: str | None = None,
    name: str | None = None,
    data: Any = None,
    where: str = "<object>",
) -> dict | None:
    values = {}
    for key, value in metrics.items():
        metric = _metric_key(key)
        if metric is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            values[metric] = float(value)
    if not values:
        return None
    row = {"dataset": str(dataset), "config": config, "split": split or "test", "metrics": values}
    if name is not None:
        row["name"] = str(name)
    if data is not None:
        row["data"] = _check_data(data, f"{where}: row {dataset!r} {config or ''}".rstrip())
    return row


def load_eval_results(source: Any, default_dataset: str = "h36m") -> list[dict[str, Any]]:
    """Normalise evaluation results (a path to JSON, or the parsed object) to rows.

    Returns a list of ``{"dataset", "config", "split", "metrics": {metric: value}}``; see the module docstring
    for the accepted shapes. Raises ``ValueError`` when nothing recognisable is found.
    """
    name = "<object>"
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        source = _read_json(source, "evaluation results")
    rows: list[dict[str, Any] | None] = []
    if isinstance(source, dict) and isinstance(source.get("results"), list):
        source = source["results"]
    if isinstance(source, list):
        for item in source:
            if not isinstance(item, dict):
                continue
            metrics = item.get("metrics") if isinstance(item.get("metrics"), dict) else item
            dataset = item.get("dataset") or item.get("test") or item.get("test_dataset") or default_dataset
            rows.append(
                _row(dataset, metrics, item.get("config"), item.get("split"), item.get("name"), item.get("data"), name)
            )
    elif isinstance(source, dict):
        nested = {k: v for k, v in source.items() if isinstance(v, dict)}
        if nested and not any(_metric_key(k) for k in source):
            rows += [_row(k, v, v.get("config"), v.get("split")) for k, v in nested.items()]
        else:
            rows.append(
                _row(source.get("dataset", default_dataset), source, source.get("config"), source.get("split"))
            )
    out = [r for r in rows if r is not None]
    if not out:
        raise ValueError(f"{name}: no known metrics ({', '.join(METRICS)}) found in the evaluation results")
    return out


def eval_results_to_model_index(rows: list[dict[str, Any]]) -> list[EvalResult]:
    """One ``EvalResult`` per (dataset, config, split, metric), task ``pose-lifting``; a row's exact ``name`` and
    ``data`` naming become the entry's ``dataset.name`` and ``dataset.args``."""
    results = []
    for row in rows:
        key = row["dataset"].lower()
        for metric, value in row["metrics"].items():
            results.append(
                EvalResult(
                    task_type="pose-lifting",
                    task_name="3D human pose lifting",
                    dataset_type=key,
                    dataset_name=row.get("name") or DATASET_NAMES.get(key, row["dataset"]),
                    dataset_config=row.get("config"),
                    dataset_split=row.get("split"),
                    dataset_args=row.get("data"),
                    metric_type=metric,
                    metric_name=METRICS[metric],
                    metric_value=round(value, 2),
                )
            )
    return results


def _data_suffix(data: dict[str, Any] | None) -> str:
    """`` [N frames, S seed(s)]`` for the card's evaluation table (the full naming is in ``dataset.args``)."""
    if not data:
        return ""
    frames = data["frames_scored"]
    frames = f"{frames:,} frames" if isinstance(frames, int) else "frame count not recorded"
    return f" [{frames}, {data['seeds']} seed{'s' if data['seeds'] > 1 else ''}]"


def count_parameters(weights: str | os.PathLike) -> int:
    """Number of parameters in a safetensors file, read from its header only."""
    from safetensors import safe_open

    total = 0
    with safe_open(os.fspath(weights), framework="pt") as fh:
        for key in fh.keys():
            n = 1
            for d in fh.get_slice(key).get_shape():
                n *= d
            total += n
    return total


def _format_count(n: int) -> str:
    return f"{n / 1e6:.2f}M" if n >= 1e6 else f"{n / 1e3:.1f}k"


def contract_markdown(processor: dict[str, Any]) -> str:
    """The "Input contract" section text of a model card from a ``preprocessor_config.json`` dict.

    States the depth kind, the default depth model, the descriptor parameters and the 2D keypoint definition the
    lifter was trained on (:mod:`auglift_hf.contract`), or that the folder predates the contract.
    """
    from ..contract import InputContract

    contract = InputContract.from_dict(processor, where="preprocessor_config.json")
    if contract is None:
        return (
            "This folder predates the input contract (no `depth_kind` / `depth_model` / `depth_descriptor` / "
            "`keypoint_definition` in `preprocessor_config.json`): entry points use the package defaults and warn."
        )
    kp = {
        "h36m": "ground-truth H36M joints (projected 3D joints, possibly with a detector-noise model)",
        "coco": "COCO-17 detector joints mapped to H36M-17 (`auglift_hf.skeleton.coco_to_h36m`)",
    }[contract.keypoint_definition]
    lines = [
        "Every entry point (`auglift lift`, `auglift preprocess --lifter`, the `pose-lifting` pipeline, the Space) "
        "reads this record from `preprocessor_config.json` and feeds the lifter accordingly, or refuses with a "
        "message naming both sides (`--override-contract` accepts a conflict and records it in the output).",
        "",
        "| Field | Value |",
        "|---|---|",
        f"| `keypoint_definition` | `{contract.keypoint_definition}`: trained on {kp} |",
    ]
    if contract.depth_kind is None:
        lines.append("| `depth_kind` | `null`: no depth channel |")
    else:
        d = contract.depth_descriptor or {}
        unit = "metres" if contract.depth_kind == "metric" else "relative (affine-invariant disparity)"
        lines += [
            f"| `depth_kind` | `{contract.depth_kind}`: {unit} |",
            f"| `depth_model` | `{contract.depth_model}` (default depth backend) |",
            f"| `depth_descriptor` | mode `{d.get('mode')}`, {d.get('num_samples')} samples "
            f"({d.get('pattern', 'sunflower')} pattern), quantiles {d.get('quantiles')}, radius law k={d.get('k')}, "
            f"beta={d.get('beta')}, gamma={d.get('gamma')}, r in [{d.get('r_min')}, {d.get('r_max')}] px |",
            "| `missing_depth` | "
            + (
                "`fill`: trained with depth dropout; input without depth (a keypoints file) is accepted and fed as "
                "missing depth (about XY accuracy) |"
                if contract.missing_depth == "fill"
                else "`null`: input without depth is refused unless overridden |"
            ),
        ]
    lines.append(f"| `scale_normalization` | `{contract.scale_normalization or 'null'}` |")
    if "c" in (processor.get("input_channels") or []):
        lines.append(
            f"| `score_fill` | `{contract.score_fill:g}`: the confidence fed for keypoints without detector scores "
            "(ground-truth 2D, a keypoints file without scores): the median score of the training table |"
            if contract.score_fill is not None
            else "| `score_fill` | `null`: keypoints without detector scores are fed c = 1.0 (with a warning) |"
        )
    if int(processor.get("num_frames") or 1) > 1:
        lines.append(
            f"| `frame_rate` | `{contract.frame_rate:g}` Hz: the fps of the training tables; a sequence of another "
            "known rate is resampled to it and its 3D back to the input's frames |"
            if contract.frame_rate is not None
            else "| `frame_rate` | `null`: not recorded; sequences are fed at their own rate (with a warning) |"
        )
    return "\n".join(lines)


def build_model_card(
    folder: str | os.PathLike,
    eval_results: Any = None,
    repo_id: str | None = None,
    training_data: str | None = None,
    datasets: list[str] | None = None,
    summary: str | None = None,
    template_path: str | os.PathLike | None = None,
    depth_simulation: str | None = None,
    licences: list[dict[str, str]] | None = None,
) -> ModelCard:
    """Fill the model card template from a saved lifter folder.

    Args:
        folder: contains ``config.json`` (required), ``preprocessor_config.json`` and ``model.safetensors``
            (optional here; :func:`auglift_hf.hub.validate_model_folder` requires them). Training metadata is
            taken from ``training_config.json`` / ``training_args.json`` (keys ``datasets``, ``training_data``)
            when present. The training tables' own licences (:func:`training_table_licences`, e.g. Bandai Namco's
            CC BY-NC 4.0) are listed in the licence note; a lifter trained only on tables of one Hub licence id
            gets that id as its ``license``, any research-only table keeps ``other`` / research-only (with other
            Hub licence ids too, e.g. Human3.6M + Bandai Namco, its ``license_name`` joins them:
            ``research-only-and-cc-by-nc-4.0``).
        licences: the training sources' licences as :func:`training_table_licences` returns them, recorded at
            shipping time (the tables may be gone when a card is rebuilt); ``None`` reads the tables' cards.
        eval_results: path / object for :func:`load_eval_results`; defaults to ``eval_results.json`` in the
            folder when it exists.
        repo_id: the Hub id used in the usage snippet (default ``auglift/<folder name>``).
        depth_simulation: the name of the depth simulation a depth lifter was trained and scored on (e.g.
            ``"capsule-v1"``, :data:`auglift_hf.data.schema.DEPTH_SIMULATIONS`): the card then says plainly that no
            real monocular depth network output was seen in training or evaluation.
    """
    folder = Path(folder)
    config = _read_json(folder / "config.json", "config.json")
    processor = {}
    if (folder / "preprocessor_config.json").is_file():
        processor = _read_json(folder / "preprocessor_config.json", "preprocessor_config.json")
    training: dict[str, Any] = {}
    for name in ("training_config.json", "training_args.json"):
        if (folder / name).is_file():
            training = _read_json(folder / name, name)
            break
    if eval_results is None and (folder / "eval_results.json").is_file():
        eval_results = folder / "eval_results.json"
    rows = load_eval_results(eval_results) if eval_results is not None else []

    model_type = str(config.get("model_type", "unknown"))
    arch_name, arch_cite = ARCHITECTURES.get(model_type.removeprefix("auglift_"), (model_type, None))
    channels = list(config.get("input_channels") or ["x", "y"][: config.get("num_input_channels", 2)])
    has_depth = "d" in channels
    repo_id = repo_id or f"auglift/{folder.resolve().name}"
    datasets = list(datasets or training.get("datasets") or ["h36m"])
    data_names = [DATASET_NAMES.get(str(d).lower(), str(d)) for d in datasets]
    training_data = (
        training_data
        or training.get("training_data")
        or (
            f"Trained on {', '.join(data_names)} (H36M protocol: subjects S1, S5, S6, S7, S8 for training, S9 and S11 "
            "for testing), 2D keypoints with confidences"
            + (", and per-joint depth descriptors (see the dataset card for the depth source)." if has_depth else ".")
        )
    )
    n_params = count_parameters(folder / "model.safetensors") if (folder / "model.safetensors").is_file() else None
    depth_sentence = (
        f"Besides (x, y) it reads {'the keypoint confidence and ' if 'c' in channels else ''}a monocular depth "
        "estimate sampled around each "
        "keypoint (AugLift's depth-augmented input, reported to improve cross-dataset generalisation with real "
        "depth; how much it helps this checkpoint is measured in the results below)."
        if has_depth
        else "It is the plain (x, y) baseline that AugLift's depth-augmented models are compared with."
    )
    if has_depth and depth_simulation:
        depth_sentence += (
            f" **No real Depth Anything (or any other depth network) output was seen in training or evaluation**: "
            f"every depth value this lifter was trained and scored on came from the depth simulation "
            f"`{depth_simulation}`, so its numbers below are those of simulated depth, not of a real depth model."
        )
    licences = training_table_licences(training) if licences is None else licences
    own = sorted({x["license"] for x in licences})
    licence_note = DATA_LICENCE_NOTE + "".join(
        f"; {x['name']} (training table `{x['table']}`): {x['license']}"
        for x in licences
        if x["license"] != "research-only"
    )
    if len(own) == 1 and own[0] not in ("research-only", "other", "unknown"):  # one source with a Hub licence id
        licence_fields = {"license": own[0]}
    else:
        extra = [x for x in own if x not in ("research-only", "other", "unknown")]  # e.g. cc-by-nc-4.0 on top
        licence_fields = {
            "license": "other",
            "license_name": "-and-".join(["research-only", *extra]),
            "license_link": "http://vision.imar.ro/human3.6m/eula.php",
        }
    card_data = ModelCardData(
        model_name=repo_id.split("/")[-1],
        library_name="transformers",
        **licence_fields,
        tags=["pose-lifting", "3d-human-pose-estimation", "auglift", model_type, "xycd" if has_depth else "xy"],
        datasets=data_names,
        metrics=sorted({m for r in rows for m in r["metrics"]}) or None,
        eval_results=eval_results_to_model_index(rows) or None,
    )
    eval_rows = [
        {
            "dataset": r.get("name") or DATASET_NAMES.get(r["dataset"].lower(), r["dataset"]),
            "config": (r.get("config") or "-") + _data_suffix(r.get("data")),
            "split": r.get("split") or "-",
            "metric": METRICS[m],
            "value": f"{v:.2f}",
        }
        for r in rows
        for m, v in r["metrics"].items()
    ]
    citations = "\n\n".join(CITATIONS[k] for k in ("auglift", arch_cite) if k) if arch_cite else CITATIONS["auglift"]
    if arch_cite != "videopose3d":
        citations += "\n\n" + CITATIONS["videopose3d"]  # the screen normalisation and H36M protocol come from it
    settings = [
        (k, json.dumps(v) if not isinstance(v, str) else v)
        for k, v in sorted(processor.items())
        if isinstance(v, (str, int, float, bool, list)) and not k.startswith("_") and len(json.dumps(v)) < 80
    ]
    template = Path(template_path) if template_path else MODEL_CARD_TEMPLATE
    if not template.is_file():
        raise FileNotFoundError(f"{template}: model card template not found")
    return ModelCard.from_template(
        card_data,
        template_path=os.fspath(template),
        repo_id=repo_id,
        model_name=repo_id.split("/")[-1],
        model_summary=summary
        or f"Depth-augmented 3D human pose lifting ({('XYCD' if 'c' in channels else 'XYD') if has_depth else 'XY'} input) with {arch_name}.",
        architecture_name=arch_name,
        model_type=model_type,
        num_frames=input_frames(config),
        input_channels=channels,
        depth_sentence=depth_sentence,
        num_parameters=_format_count(n_params) if n_params is not None else "unknown",
        joint_names=list(H36M_JOINT_NAMES),
        intended_use=(
            "Research on 3D human pose estimation: lifting 2D keypoints (from a detector such as VitPose, or "
            "ground truth) of a single person to 3D, for analysis, benchmarking and as a starting point for "
            "fine-tuning. Inputs must follow the processor's conventions below."
        ),
        processor_settings=settings,
        input_contract=contract_markdown(processor) if processor else "",
        training_data=training_data,
        data_licence_note=licence_note,
        eval_rows=eval_rows,
        eval_note="frame-wise means unless the config column says otherwise"
        + (
            "; each row's data (real or simulated motion, 2D and depth, the simulation's name, frames scored, test "
            "frame selection, training seeds) is named in full in its `model-index` entry (`dataset.args`)"
            if any(r.get("data") for r in rows)
            else ""
        ),
        citations=citations,
    )


def write_model_card(folder: str | os.PathLike, **kwargs: Any) -> Path:
    """Build the model card (:func:`build_model_card`) and write ``<folder>/README.md`` atomically."""
    card = build_model_card(folder, **kwargs)
    path = Path(folder) / "README.md"
    with atomic_write_file(path, "w") as fh:
        fh.write(str(card))
    return path


def render_dataset_card(
    card_data: DatasetCardData | dict[str, Any], template_path: str | os.PathLike | None = None, **variables: Any
) -> DatasetCard:
    """Render the XYCD dataset card template (``model_cards/dataset_card_template.md``).

    ``card_data``: ``DatasetCardData`` or a dict of its fields (``configs``, ``license``, ``pretty_name``, ...);
    ``variables``: the template variables listed in ``model_cards/README.md`` (missing ones render empty).
    """
    if isinstance(card_data, dict):
        card_data = DatasetCardData(**card_data)
    template = Path(template_path) if template_path else DATASET_CARD_TEMPLATE
    if not template.is_file():
        raise FileNotFoundError(f"{template}: dataset card template not found")
    defaults = {
        "configs": [],
        "columns": [],
        "splits": [],
        "citations": CITATIONS["auglift"],
        "licence_note": "",
        "default_config": "gt2d",
        "repo_id": "auglift/xycd",
    }
    return DatasetCard.from_template(card_data, template_path=os.fspath(template), **{**defaults, **variables})
