"""Evaluate issue-15 lifters on the in-domain, out-of-domain-camera and CMU tables; print the RESULTS.md tables.

Each folder is read with its own saved ``PoseLiftingProcessor`` (so the scale normalisation applied is the saved
one) through :class:`auglift_hf.data.PoseWindowDataset` ``(processor=...)``; flip test-time augmentation; only
valid rows. A folder trained on ``*_gt.parquet`` is tested on the ``gt`` tables, one trained on ``*_det`` on the
``det`` tables. MPJPE / PA-MPJPE in mm (frame-wise mean).

Usage::

    python benchmarks/scale_poseaug/evaluate.py /work/cache/i15/runs/*/final --data /work/cache/i15
    python benchmarks/scale_poseaug/evaluate.py --table /work/cache/i15/eval
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

SPLITS = ("test_id", "test_ood", "cmu", "test_near")


def evaluate_folder(folder: Path, data: Path, batch: int = 2048) -> dict:
    from transformers import AutoModel

    import auglift_hf  # noqa: F401
    from auglift_hf import PoseLiftingProcessor
    from auglift_hf.data.windows import PoseWindowDataset
    from auglift_hf.metrics import mpjpe, p_mpjpe

    model = AutoModel.from_pretrained(folder).eval()
    proc = PoseLiftingProcessor.from_pretrained(folder)
    cfg = json.loads((folder / "training_config.json").read_text())
    train = cfg["data"]["train_datasets"][0]
    kind = "det" if train.endswith("_det.parquet") else "gt"
    out = {"folder": str(folder), "kind": kind, "steps": cfg["training"].get("max_steps"),
           "seed": cfg["training"].get("seed", 0), "poseaug": cfg["training"].get("poseaug", False),
           "scale_normalization": proc.scale_normalization, "box_size_mean": proc.box_size_mean,
           "reference_depth": proc.reference_depth, "channels": proc.input_channels}  # fmt: skip
    for split in SPLITS:
        ds = PoseWindowDataset(data / f"{split}_{kind}.parquet", window_size=1, processor=proc, split="test")
        x = torch.from_numpy(ds.features[ds.centres][:, None])
        y = ds.targets[ds.centres].astype(np.float64) * 1000.0
        preds = []
        with torch.no_grad():
            for s in range(0, len(x), batch):
                preds.append(model(keypoints=x[s : s + batch], flip_test=True).poses_3d[:, 0].numpy())
        p = np.concatenate(preds).astype(np.float64) * 1000.0
        out[split] = {"mpjpe": float(mpjpe(p, y)), "pa_mpjpe": float(p_mpjpe(p, y)), "poses": len(p)}
        if proc.scale_normalization == "depth":  # ablation: the ground-truth root depth as d_root
            xo, yo = oracle_root_features(proc, data / f"{split}_{kind}.parquet")
            with torch.no_grad():
                po = np.concatenate(
                    [model(keypoints=torch.from_numpy(xo[s : s + batch]), flip_test=True).poses_3d[:, 0].numpy()
                     for s in range(0, len(xo), batch)]
                ).astype(np.float64) * 1000.0  # fmt: skip
            out[split]["oracle_root_mpjpe"] = float(mpjpe(po, yo))
    return out


def oracle_root_features(proc, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """dscale2d ablation: inputs with ``d_root`` = the ground-truth pelvis depth instead of the measured depth.

    Returns ``(features (N, 1, 17, C), targets (N, 17, 3) mm)`` over the valid rows of ``path``.
    """
    import pyarrow.parquet as pq

    from auglift_hf import PoseLiftingProcessor
    from auglift_hf.data.windows import column_numpy
    from auglift_hf.features.scale_normalization import depth_rescale

    t = pq.read_table(path)
    valid = column_numpy(t, "valid").astype(bool)
    kp = column_numpy(t, "keypoints_2d", (17, 2))[valid].astype(np.float64)
    k3 = column_numpy(t, "keypoints_3d", (17, 3))[valid].astype(np.float64)
    sc = column_numpy(t, "keypoint_scores", (17,))[valid]
    d = column_numpy(t, "d", (17,))[valid][..., None]
    size = np.stack([column_numpy(t, "image_width"), column_numpy(t, "image_height")], -1)[valid]
    plain = PoseLiftingProcessor(input_channels=proc.input_channels, max_depth=proc.max_depth)
    feats = np.empty((len(kp), 17, len(proc.input_channels)), np.float32)
    for w, h in np.unique(size, axis=0):
        rows = (size[:, 0] == w) & (size[:, 1] == h)
        scaled = depth_rescale(kp[rows], k3[rows, 0, 2], proc.reference_depth, (w / 2.0, h / 2.0))
        feats[rows] = plain.encode(scaled, (int(w), int(h)), sc[rows], d[rows])
    return feats[:, None], (k3 - k3[:, :1]) * 1000.0


def table(folder: Path) -> str:
    rows = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
    lines = ["| run | in-domain | out-of-domain cameras | CMU | cameras 30 % closer |", "|---|---|---|---|---|"]
    for r in rows:
        cells = [f"{r[s]['mpjpe']:.1f} / {r[s]['pa_mpjpe']:.1f}" if s in r else "-" for s in SPLITS]
        lines.append(f"| {Path(r['folder']).parent.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="*")
    ap.add_argument("--data", default="/work/cache/i15")
    ap.add_argument("--out", default=None, help="JSON folder (default <data>/eval)")
    ap.add_argument("--table", default=None, help="print the markdown table of a JSON folder and exit")
    args = ap.parse_args(argv)
    if args.table:
        print(table(Path(args.table)))
        return 0
    torch.set_num_threads(1)
    out = Path(args.out or Path(args.data) / "eval")
    out.mkdir(parents=True, exist_ok=True)
    for f in args.folders:
        res = evaluate_folder(Path(f), Path(args.data))
        name = Path(f).parent.name
        (out / f"{name}.json").write_text(json.dumps(res, indent=2))
        print(name, {s: round(res[s]["mpjpe"], 1) for s in SPLITS}, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
