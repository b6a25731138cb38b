"""``auglift convert-checkpoint {poseformer,videopose3d,mmpose,motionbert} <ckpt> <out_folder>``.

Loads the checkpoint with ``torch.load(weights_only=True)`` (unwrapping ``model_pos`` / ``state_dict`` and
DataParallel's ``module.`` prefix), converts it with the named key tables of :mod:`auglift_hf.convert`,
checks the converted model runs, and writes a Hub-ready folder (``config.json``, ``model.safetensors`` and the
remote-code files) atomically with ``save_pretrained``. MotionBERT folders also get a ``preprocessor_config.json``
with ``coordinate_normalization="motionbert"`` (its input and output conventions).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..utils.cli_args import positive_int

FORMATS = ("poseformer", "videopose3d", "mmpose", "motionbert")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("format", choices=FORMATS, help="checkpoint family")
    parser.add_argument("checkpoint", type=Path, help="official .bin / .pth checkpoint")
    parser.add_argument("out_folder", type=Path, help="output folder (replaced atomically)")
    parser.add_argument(
        "--num-heads", type=positive_int, default=None,
        help="PoseFormer / MotionBERT attention heads: required for them (the weights do not determine it; the "
        "official configs use 8), never guessed",
    )  # fmt: skip
    parser.add_argument("--causal", action="store_true", help="TCN trained with causal convolutions")
    parser.add_argument("--dense", action="store_true", help="TCN trained with dense (non-dilated) convolutions")
    parser.add_argument(
        "--input-channels",
        default=None,
        help="comma-separated channel names recorded in the config, e.g. x,y (default: from the channel count)",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an earlier conversion in out_folder; files auglift did not write there are kept",
    )


def convert(args: argparse.Namespace):
    """Return the converted model (eval mode) for parsed arguments."""
    from . import (
        infer_poseformer_config,
        load_checkpoint,
        model_from_mmpose,
        poseformer_from_official,
        tcn_from_official,
    )
    from .common import rename_keys
    from .videopose3d import VIDEOPOSE3D_KEY_MAPPING, infer_tcn_config

    state_dict = load_checkpoint(args.checkpoint)
    overrides = {}
    if args.input_channels:
        overrides["input_channels"] = [c.strip() for c in args.input_channels.split(",") if c.strip()]
    if args.format in ("poseformer", "motionbert") and args.num_heads is None:
        from .motionbert import infer_motionbert_config

        # a checkpoint of the wrong family is named as such first; then the missing head count
        (infer_poseformer_config if args.format == "poseformer" else infer_motionbert_config)(state_dict)
        raise ValueError(
            f"--num-heads is required for {args.format}: the attention head count is not in the weights (it changes "
            "the outputs; the official configs use 8): pass the value of the checkpoint's training config"
        )
    if args.format == "poseformer":
        config = infer_poseformer_config(state_dict, num_heads=args.num_heads, **overrides)
        return poseformer_from_official(state_dict, config)
    if args.format == "motionbert":
        from .motionbert import infer_motionbert_config, motionbert_from_official

        config = infer_motionbert_config(state_dict, num_heads=args.num_heads, **overrides)
        return motionbert_from_official(state_dict, config)
    if args.format == "videopose3d":
        renamed = rename_keys(state_dict, VIDEOPOSE3D_KEY_MAPPING, source=str(args.checkpoint))
        if "expand_conv.weight" not in renamed:
            raise ValueError(f"{args.checkpoint}: missing key 'expand_conv.weight'; is this a VideoPose3D model_pos?")
        num_blocks = len([k for k in renamed if k.startswith("layers_conv.")]) // 2
        blocks = [renamed[f"layers_conv.{2 * i}.weight"] for i in range(num_blocks)]
        config = infer_tcn_config(
            renamed["expand_conv.weight"], blocks, causal=args.causal, dense=args.dense, **overrides
        )
        return tcn_from_official(state_dict, config)
    tcn_options = {"causal": args.causal, "dense": args.dense}
    is_simple = all(
        v.shape[-1] == 1 for k, v in state_dict.items() if k.endswith("conv.weight") and k.startswith("backbone.")
    )
    return model_from_mmpose(state_dict, **overrides, **({} if is_simple else tcn_options))


def run(args: argparse.Namespace) -> int:
    """Convert and write the folder; failures are raised to ``auglift_hf.cli`` (one line, :mod:`auglift_hf.errors`)."""
    import torch

    from ..models import input_frames
    from ..utils.outputs import check_not_input, check_output_folder, is_model_folder, output_folder

    out = Path(args.out_folder)
    check_not_input(out, [args.checkpoint], what="out_folder", is_model_output=True)
    # a folder converted before the manifest existed: its model files are ours to replace
    legacy = ("config.json", "model.safetensors", "preprocessor_config.json", "*.py") if is_model_folder(out) else ()
    writes = ("config.json", "model.safetensors", "preprocessor_config.json")
    check_output_folder(
        out, overwrite=args.overwrite, writes=writes, legacy=legacy, what="out_folder", replace_own=False
    )
    model = convert(args)
    config = model.config
    frames = input_frames(config)
    with torch.no_grad():
        poses = model(keypoints=torch.zeros(1, frames, config.num_joints, config.num_input_channels)).poses_3d
    if not torch.isfinite(poses).all():
        raise ValueError(f"{args.checkpoint}: the converted model produces non-finite outputs")
    with output_folder(
        out, "auglift convert-checkpoint", overwrite=args.overwrite, writes=writes, legacy=legacy,
        what="out_folder", replace_own=False,
    ) as tmp:  # fmt: skip
        model.save_pretrained(tmp)
        if args.format == "motionbert":  # official conventions: raw confidence, outputs in normalised image units
            from ..processing_lifting import PoseLiftingProcessor

            # contract: MotionBERT's H36M models were trained on H36M-17 joints (SH detections + confidence),
            # no depth channel (configs/pose3d/MB_ft_h36m.yaml: H36M-SH, no_conf False)
            depth = [c for c in config.input_channels if c.startswith("d")]
            PoseLiftingProcessor(
                input_channels=config.input_channels, num_frames=frames, coordinate_normalization="motionbert",
                **({} if depth else {"keypoint_definition": "h36m"}),
            ).save_pretrained(tmp)  # fmt: skip
    n_params = sum(p.numel() for p in model.parameters())
    print(
        f"converted {args.format} checkpoint {args.checkpoint} -> {out} "
        f"({type(model).__name__}, {n_params / 1e6:.2f}M parameters, input channels {config.input_channels})"
    )
    return 0
