"""Tiny random-initialised lifter folders laid out like Hub repos (shared by tests/export, tests/hub, tests/spaces)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

FAMILIES = ("poseformer", "tcn", "simple_baseline")
CHANNELS = {2: ["x", "y"], 4: ["x", "y", "c", "d"], 6: ["x", "y", "c", "d", "d_min", "d_max"]}


def tiny_model(family: str, num_channels: int = 2, seed: int = 0):
    """A tiny eval-mode lifter of ``family`` with ``num_channels`` input channels."""
    import auglift_hf.models as models

    torch.manual_seed(seed)
    channels = CHANNELS[num_channels]
    if family == "poseformer":
        config = models.PoseFormerConfig(
            num_frames=3, input_channels=channels, embed_dim_ratio=8, depth=1, num_heads=2, mlp_ratio=2.0
        )
        model = models.PoseFormerForPoseLifting(config)
    elif family == "tcn":
        config = models.TCNConfig(filter_widths=[3], channels=16, input_channels=channels)
        model = models.TCNForPoseLifting(config)
    elif family == "simple_baseline":
        config = models.SimpleBaselineConfig(hidden_size=32, num_blocks=1, input_channels=channels)
        model = models.SimpleBaselineForPoseLifting(config)
    else:
        raise ValueError(f"unknown family {family!r}")
    with torch.no_grad():  # random BatchNorm statistics so eval mode is not the identity
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm1d):
                module.running_mean.normal_(0, 0.1)
                module.running_var.uniform_(0.5, 1.5)
    return model.eval()


def save_processor(folder: Path, model) -> None:
    """Save a matching PoseLiftingProcessor (or, until it exists, its preprocessor_config.json)."""
    try:
        from auglift_hf.processing_lifting import PoseLiftingProcessor
    except ImportError:  # written in parallel: fall back to a hand-written config
        PoseLiftingProcessor = None
    if PoseLiftingProcessor is not None:
        PoseLiftingProcessor.from_model_config(model.config).save_pretrained(folder)
        return
    (folder / "preprocessor_config.json").write_text(
        json.dumps({"processor_class": "PoseLiftingProcessor", "input_channels": list(model.config.input_channels)})
    )


def make_lifter_folder(
    root: Path, family: str = "poseformer", num_channels: int = 2, with_card: bool = True, name: str | None = None
) -> Path:
    """Save a tiny lifter + processor (+ model card) into ``root/<name>`` and return the folder."""
    folder = Path(root) / (name or f"{family}-{'xycd' if num_channels > 2 else 'xy'}")
    model = tiny_model(family, num_channels)
    model.save_pretrained(folder)
    save_processor(folder, model)
    if with_card:
        from auglift_hf.hub import write_model_card

        results = {"results": [{"dataset": "h36m", "config": "gt2d", "metrics": {"mpjpe": 55.5, "pa_mpjpe": 41.0}}]}
        write_model_card(folder, eval_results=results, repo_id=f"auglift/{folder.name}")
    return folder
