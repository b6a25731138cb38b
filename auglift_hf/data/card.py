"""README dataset card (YAML front matter + prose) for a converted frame table.

The YAML ``configs`` block is what makes ``datasets.load_dataset(<folder>, "gt2d", split="test")`` work
offline and on the Hub; ``dataset_info`` records features and split sizes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import yaml

#: Licence / citation per dataset. The four pose datasets are research-only: the card says so, and tables built from
#: them must not be published publicly (use a private / gated repository). Bandai Namco's motion (``auglift convert
#: bvh``) is CC BY-NC 4.0, given to the card as ``info["licence"]``.
DATASET_INFO: dict[str, dict[str, str]] = {
    "h36m": {
        "pretty_name": "Human3.6M",
        "license_note": "Human3.6M licence: academic, non-commercial research only; no redistribution.",
        "homepage": "http://vision.imar.ro/human3.6m/",
        "citation": (
            "@article{h36m_pami,\n  author = {Ionescu, Catalin and Papava, Dragos and Olaru, Vlad and Sminchisescu, Cristian},\n"
            "  title = {Human3.6M: Large Scale Datasets and Predictive Methods for 3D Human Sensing in Natural Environments},\n"
            "  journal = {IEEE TPAMI}, volume = {36}, number = {7}, pages = {1325-1339}, year = {2014}\n}"
        ),
    },
    "mpi_inf_3dhp": {
        "pretty_name": "MPI-INF-3DHP",
        "license_note": "MPI-INF-3DHP licence: non-commercial scientific research only; no redistribution.",
        "homepage": "https://vcai.mpi-inf.mpg.de/3dhp-dataset/",
        "citation": (
            "@inproceedings{mono-3dhp2017,\n  author = {Mehta, Dushyant and Rhodin, Helge and Casas, Dan and Fua, Pascal and "
            "Sotnychenko, Oleksandr and Xu, Weipeng and Theobalt, Christian},\n  title = {Monocular 3D Human Pose Estimation "
            "In The Wild Using Improved CNN Supervision},\n  booktitle = {3DV}, year = {2017}\n}"
        ),
    },
    "3dpw": {
        "pretty_name": "3DPW",
        "license_note": "3DPW licence: non-commercial scientific research only; no redistribution.",
        "homepage": "https://virtualhumans.mpi-inf.mpg.de/3DPW/",
        "citation": (
            "@inproceedings{vonMarcard2018,\n  title = {Recovering Accurate 3D Human Pose in The Wild Using IMUs and a "
            "Moving Camera},\n  author = {von Marcard, Timo and Henschel, Roberto and Black, Michael and Rosenhahn, Bodo "
            "and Pons-Moll, Gerard},\n  booktitle = {ECCV}, year = {2018}\n}"
        ),
    },
    "fit3d": {
        "pretty_name": "Fit3D",
        "license_note": "Fit3D licence: non-commercial research only; no redistribution.",
        "homepage": "https://fit3d.imar.ro/",
        "citation": (
            "@inproceedings{Fieraru_2021_AAAI,\n  title = {AIFit: Automatic 3D Human-Interpretable Feedback Models for "
            "Fitness Training},\n  author = {Fieraru, Mihai and Zanfir, Mihai and Pirlea, Silviu-Cristian and Olaru, Vlad "
            "and Sminchisescu, Cristian},\n  booktitle = {CVPR}, year = {2021}\n}"
        ),
    },
    "bandai": {
        "pretty_name": "Bandai Namco Research Motion Dataset",
        "license_note": "CC BY-NC 4.0: non-commercial use only, attribution required.",
        "homepage": "https://github.com/BandaiNamcoResearchInc/Bandai-Namco-Research-Motiondataset",
        "citation": (
            "@misc{kobayashi2023motion,\n  title = {Motion Capture Dataset for Practical Use of AI-based Motion Editing "
            "and Stylization},\n  author = {Makito Kobayashi and Chen-Chieh Liao and Keito Inoue and Sentaro Yojima "
            "and Masafumi Takahashi},\n  year = {2023}, eprint = {2306.08861}, archivePrefix = {arXiv}\n}"
        ),
    },
}

_AUGLIFT_CITATION = (
    "@article{auglift2025,\n  title = {AugLift: Boosting Generalization in Lifting-based 3D Human Pose Estimation},\n"
    "  journal = {arXiv preprint arXiv:2508.07112}, year = {2025}\n}"
)


def _features_yaml(features: Any) -> list[dict[str, Any]]:
    """``datasets.Features`` -> the list form used by ``dataset_info.features`` in card YAML."""
    from datasets.features.features import Features

    return Features(features)._to_yaml_list()


def _num_bytes(folder: str | os.PathLike, config: str, split: str) -> int:
    import glob

    return sum(os.path.getsize(p) for p in glob.glob(os.path.join(os.fspath(folder), config, f"{split}-*.parquet")))


def _contract_text(contract: dict[str, Any] | None) -> str:
    if contract is None:
        return "not recorded (depth of unknown provenance)."
    kind = contract.get("depth_kind")
    desc = contract.get("depth_descriptor") or {}
    depth = (
        f"{kind} depth, descriptor `{desc.get('mode')}` with {desc.get('num_samples')} samples, inference depth model "
        f"`{contract.get('depth_model')}`"
        if kind
        else "no depth"
    )
    kp = ", ".join(f"{c}: `{d}`" for c, d in (contract.get("keypoint_definition_by_config") or {}).items())
    return f"{depth}; keypoint definition per config: {kp or contract.get('keypoint_definition')}."


def write_dataset_card(
    folder: str | os.PathLike,
    *,
    dataset_name: str,
    counts: dict[str, dict[str, int]],
    features: Any,
    depth_channels: Sequence[str] = (),
    info: dict[str, Any] | None = None,
    contract: dict[str, Any] | None = None,
    extra_metadata: dict[str, Any] | None = None,
) -> str:
    """Write ``folder/README.md`` and return its text. ``counts`` is ``{config: {split: num_rows}}``.

    ``contract``: the input contract of the table (:func:`auglift_hf.data.schema.table_contract`), written under the
    YAML key ``auglift_input_contract`` (:data:`auglift_hf.contract.CARD_KEY`); ``auglift train`` copies it into the
    trained lifter's ``preprocessor_config.json``. ``info["licence"]`` (``{"license": Hub licence id, "note":
    text}``, e.g. from ``auglift convert bvh``) replaces the research-only licence of the four pose datasets with
    the source's own terms. ``extra_metadata``: more machine-readable YAML keys (plain JSON
    types), e.g. the join's provenance ``auglift_join``.
    """
    meta = DATASET_INFO.get(dataset_name, {"pretty_name": dataset_name, "license_note": "see the source dataset"})
    info = dict(info or {})
    licence = info.pop("licence", None)  # {"license": Hub licence id, "note": text}: a source with its own terms
    configs = []
    infos = []
    for i, (config, splits) in enumerate(counts.items()):
        entry: dict[str, Any] = {
            "config_name": config,
            "data_files": [{"split": s, "path": f"{config}/{s}-*.parquet"} for s in splits],
        }
        if i == 0:
            entry["default"] = True
        configs.append(entry)
        infos.append(
            {
                "config_name": config,
                "features": _features_yaml(features),
                "splits": [
                    {"name": s, "num_bytes": _num_bytes(folder, config, s), "num_examples": int(n)}
                    for s, n in splits.items()
                ],
            }
        )
    licence_fields = (
        {"license": licence["license"]}
        if licence
        else {"license": "other", "license_name": "research-only", "license_link": meta.get("homepage", "")}
    )
    front = {
        "pretty_name": f"{meta['pretty_name']} (AugLift frame table)",
        **licence_fields,
        "tags": ["3d-human-pose", "pose-lifting", "auglift", dataset_name],
        "task_categories": ["keypoint-detection"],
        "configs": configs,
        "dataset_info": infos,
    }
    if contract is not None:
        from ..contract import CARD_KEY

        front[CARD_KEY] = contract
    front.update(extra_metadata or {})
    depth = info.pop("depth_source", None)
    depth_text = (
        f"Depth columns `{', '.join(depth_channels)}` (metres, per joint) come from: **{depth}**."
        if depth_channels
        else "No depth source was given: the table has no depth columns (XY / XYC lifting only)."
    )
    how = info.pop("how_built", "") or f"`auglift convert {dataset_name} ...` (auglift_hf.data)"
    licence_text = (
        f"**{licence['license']}.** {licence['note']} This table is a derivative of the source motion and inherits "
        "its terms."
        if licence
        else f"**Research use only.** {meta['license_note']} This table is a derivative of the original dataset and "
        f"inherits its terms: obtain the dataset from its owners ({meta.get('homepage', '')}) and do not publish this "
        "table publicly (push it to a private or gated repository only)."
    )
    table_rows = "\n".join(f"| {c} | {s} | {n:,} |" for c, splits in counts.items() for s, n in splits.items())
    body = f"""# {meta["pretty_name"]} — AugLift canonical frame table

One row per (dataset, subject, action, camera, person, frame), in **camera coordinates** (x right, y down,
z forward, metres) and **H36M-17** joint order (pelvis, r_hip, r_knee, r_ankle, l_hip, l_knee, l_ankle, spine,
thorax, neck/nose, head, l_shoulder, l_elbow, l_wrist, r_shoulder, r_elbow, r_wrist).

```python
from datasets import load_dataset
ds = load_dataset("<this folder or repo>", "gt2d", split="{next(iter(next(iter(counts.values()))))}")
```

| config | split | rows |
|---|---|---|
{table_rows}

- `gt2d`: 2D keypoints are the ground-truth 3D joints projected with the camera (including lens distortion).
- `detected2d` (when present): 2D keypoints and scores from a 2D detector, same 3D targets.
- `keypoints_2d` (17 x 2) pixels, `keypoint_scores` (17), `keypoints_3d` (17 x 3) camera metres,
  `focal`/`center` (2) pixels, `image_width`/`image_height`, `fps`, `valid` (frames to ignore are False).
- {depth_text}
- Input contract (`auglift_input_contract` above; a lifter trained on this table inherits it): {_contract_text(contract)}

## How it was built
{how}
{"".join(f"{chr(10)}- {k}: {v}" for k, v in sorted(info.items()))}

## Licence
{licence_text}

## Citation
```bibtex
{meta.get("citation", "")}

{_AUGLIFT_CITATION}
```
"""
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, width=1000) + "---\n\n" + body
    path = os.path.join(os.fspath(folder), "README.md")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return text
