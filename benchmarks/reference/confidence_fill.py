"""How much the confidence given with ground-truth 2D matters to a c-lifter (round 3 of issue 14).

Ground-truth keypoints have no detector score; the entry points then fill c = 1 (``lift_keypoints``, the
keypoints-file readers), a value the realistic training tables never hold (calibrated detector scores: mean 0.93, p50 0.96). For every model folder with a ``c`` channel,
this lifts the in-domain COCO-GT table (``build_data.py --gt-definition coco``) with the ``c`` channel set to each
``--confidence`` score (encoded as the processor encodes scores) and prints MPJPE (mm; one centred window every ``--stride`` frames, flip test).

Usage::

    python benchmarks/reference/confidence_fill.py --data /work/cache/i14c checkpoints/tcn-27f-xycd checkpoints/tcn-27f-casp
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from evaluate import predict_centres  # the sibling script (run as `python benchmarks/reference/...`)


@torch.no_grad()
def confidence_sweep(folder: Path, table_dir: Path, values: list[float], stride: int) -> dict[float, float]:
    """``{confidence: MPJPE mm}`` of one model folder on one table (its ``gt2d`` config, split ``test``)."""
    from transformers import AutoModel

    import auglift_hf  # noqa: F401 - registers the Auto classes
    from auglift_hf.data.windows import PoseWindowDataset, column_numpy, load_frame_table
    from auglift_hf.processing_lifting import PoseLiftingProcessor
    from auglift_hf.skeleton import NUM_JOINTS, ROOT_INDEX

    model = AutoModel.from_pretrained(folder).eval()
    processor = PoseLiftingProcessor.from_pretrained(folder)
    if "c" not in processor.input_channels:
        raise ValueError(f"{folder}: no confidence channel in {list(processor.input_channels)}")
    c_index = list(processor.input_channels).index("c")
    table = load_frame_table(table_dir, config="gt2d", split="test")
    ds = PoseWindowDataset(
        table, window_size=processor.num_frames, stride=stride, processor=processor, config="gt2d", split="test"
    )
    k3 = column_numpy(table, "keypoints_3d", (NUM_JOINTS, 3))[ds.centres]
    target = (k3 - k3[:, ROOT_INDEX : ROOT_INDEX + 1]) * 1000.0
    out = {}
    for value in values:
        # the c channel holds the *encoded* score (2s - 1 for the videopose3d normalisation), as encode() writes it
        ds.features[..., c_index] = processor._encode_confidence(np.float32(value))
        pred = predict_centres(model, ds) * 1000.0
        out[value] = float(np.linalg.norm(pred - target, axis=-1).mean())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", help="model folders with a c channel")
    parser.add_argument("--data", default="/work/cache/i14c", help="root holding test_cocogt/")
    parser.add_argument("--table", default="test_cocogt")
    parser.add_argument("--confidence", type=float, nargs="+", default=[1.0, 0.98, 0.9612, 0.93])
    parser.add_argument("--stride", type=int, default=16)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    print("| model | " + " | ".join(f"c = {v:g}" for v in args.confidence) + " |")
    print("|---|" + "---|" * len(args.confidence))
    for folder in map(Path, args.folders):
        res = confidence_sweep(folder, Path(args.data) / args.table, args.confidence, args.stride)
        print(f"| {folder.name} | " + " | ".join(f"{res[v]:.1f}" for v in args.confidence) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
