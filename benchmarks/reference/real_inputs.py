"""Lifting real(istic) detector input with old and new checkpoints (issue 14, Target "lifting real detector output").

Two measurements, printed as markdown:

1. **Four real H36M frames** (``../shared/data/h36m/test_h36m_body3d.npz``, true 3D): MPJPE (mm, root-relative, flip
   test, each frame a static window) with the frames' own H36M 2D and with their **detector-definition 2D**
   (:func:`auglift_hf.simulation.coco_landmarks_3d` projected with the real camera and mapped with ``coco_to_h36m``,
   no noise). No real COCO detector output exists for these frames here, so the definition 2D stands in for it;
   depth models get no depth (the processor's missing-depth fill) in both columns, or the capsule-body CASP depth
   (``--with-depth``).
2. **Real AlphaPose detections** of ``../shared/data/wild/walking_woman.mp4`` (no 3D ground truth): the temporal
   stability of the lifted bone lengths (mean over the 16 bones of std/mean over frames, %) and the lifted height
   (head to mean ankle, mm) -- a rigid person has constant bones.

Usage::

    python benchmarks/reference/real_inputs.py checkpoints/tcn-27f-xy checkpoints/tcn-27f-xycd ...
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def _lift(model, processor, k2, size, scores, depth):  # noqa: ANN001
    inp = processor(k2, size, scores=scores, depth=depth if processor.needs_depth else None)
    with torch.no_grad():
        out = model(keypoints=inp["keypoints"], flip_test=True).poses_3d
    return processor.post_process(out)


def real_frames(folder: str) -> dict[str, float]:
    from transformers import AutoModel

    import auglift_hf  # noqa: F401
    from auglift_hf.camera import load_mmpose_cameras, project
    from auglift_hf.data.h36m import parse_imgname
    from auglift_hf.metrics import mpjpe
    from auglift_hf.processing_lifting import PoseLiftingProcessor
    from auglift_hf.simulation import coco_landmarks_3d
    from auglift_hf.skeleton import coco_to_h36m

    d = np.load(SHARED / "h36m" / "test_h36m_body3d.npz")
    cams = load_mmpose_cameras(SHARED / "h36m" / "cameras.pkl")
    model, proc = AutoModel.from_pretrained(folder).eval(), PoseLiftingProcessor.from_pretrained(folder)
    joints, part = d["S"][..., :3], d["part"][..., :2]
    res = {}
    for label in ("H36M 2D", "detector-definition 2D"):
        preds = []
        for i, name in enumerate(d["imgname"]):
            subject, _, camera, _ = parse_imgname(str(name))
            cam = cams[(subject, camera)]
            k2 = part[i]
            if label != "H36M 2D":
                uv = project(coco_landmarks_3d(joints[i]), cam["f"], cam["c"], cam.get("k"), cam.get("p"))
                k2 = coco_to_h36m(uv, confidence_channel=None)
            nan = np.full((1, 17, 3), np.nan)
            preds.append(_lift(model, proc, k2[None], (int(cam["w"]), int(cam["h"])), np.ones((1, 17)), nan)[0])
        res[label] = float(mpjpe(np.stack(preds), (joints - joints[:, :1]) * 1000.0))
    return res


def alphapose_clip(folder: str) -> dict[str, float]:
    from transformers import AutoModel

    import auglift_hf  # noqa: F401
    from auglift_hf.preprocess.io_keypoints import read_keypoints_json
    from auglift_hf.processing_lifting import PoseLiftingProcessor
    from auglift_hf.skeleton import H36M_BONES, HEAD, L_ANKLE, R_ANKLE

    seq = read_keypoints_json(SHARED / "wild" / "walking_woman_alphapose.json")
    model, proc = AutoModel.from_pretrained(folder).eval(), PoseLiftingProcessor.from_pretrained(folder)
    size = seq.image_size or (1812, 1004)
    nan = np.full((len(seq.keypoints), 17, 3), np.nan)
    pose = _lift(model, proc, seq.keypoints, size, seq.scores, nan)  # (F, 17, 3) mm
    bones = np.stack([np.linalg.norm(pose[:, a] - pose[:, b], axis=-1) for a, b in H36M_BONES], -1)
    height = np.linalg.norm(pose[:, HEAD] - 0.5 * (pose[:, L_ANKLE] + pose[:, R_ANKLE]), axis=-1)
    return {"bone CV %": float((bones.std(0) / bones.mean(0)).mean() * 100), "height mm": float(height.mean())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    print("| model | real frames, H36M 2D (mm) | real frames, detector-definition 2D (mm) | cost (mm) | "
          "AlphaPose clip bone CV (%) | AlphaPose clip height (mm) |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for f in args.folders:
        a, b = real_frames(f), alphapose_clip(f)
        gt, de = a["H36M 2D"], a["detector-definition 2D"]
        print(f"| {f} | {gt:.1f} | {de:.1f} | {de - gt:+.1f} | {b['bone CV %']:.1f} | {b['height mm']:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
