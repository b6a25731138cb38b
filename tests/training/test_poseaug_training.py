"""``auglift train <config> poseaug=true``: a short PoseAug run on the tiny motion table.

The generators change bone angles and lengths within their ranges, the lifter loss decreases, the PoseAug
weights and the scale normalisation are saved with the lifter; multi-frame lifters are refused.
"""

import json

import pytest
import torch

from auglift_hf.training.config import load_config
from auglift_hf.training.trainer import run_training


def _config(table, out, **training):
    train = {
        "output_dir": str(out), "max_steps": 40, "per_device_train_batch_size": 32, "learning_rate": 3e-3,
        "eval_strategy": "no", "save_strategy": "no", "logging_steps": 5, "disable_tqdm": True, "use_cpu": True,
        "seed": 0, "resume": False, "poseaug_warmup_steps": 10,
        "poseaug_kwargs": {"hidden_size": 64, "kcs_channels": 32},
    }  # fmt: skip
    train.update(training)
    return {
        "model": {"model_type": "simple_baseline", "num_frames": 1, "input_channels": ["x", "y", "d"],
                  "model_kwargs": {"hidden_size": 64, "num_blocks": 1, "dropout": 0.0}},
        "data": {"train_datasets": [str(table)], "dataset_config": "gt2d", "scale_normalization": "depth"},
        "training": train,
    }  # fmt: skip


def test_poseaug_run(motion_table, tmp_path):
    from auglift_hf import PoseLiftingProcessor
    from auglift_hf.data.windows import PoseWindowDataset
    from auglift_hf.simulation.poseaug import bone_vectors
    from auglift_hf.training.collator import PoseLiftingCollator
    from auglift_hf.training.poseaug import PoseAugModule

    args = load_config(_config(motion_table, tmp_path / "run"), ["poseaug=true"])
    assert args[2].poseaug is True
    res = run_training(*args)
    history = res["trainer"].state.log_history
    losses = [h["loss"] for h in history if "loss" in h]
    assert len(losses) == 8 and sum(losses[-2:]) < sum(losses[:2])
    assert all("poseaug_gen_loss" in h for h in history if "loss" in h)
    assert [h for h in history if "poseaug_kept" in h][-1]["poseaug_kept"] > 0.5  # augmented poses were used
    final = tmp_path / "run" / "final"
    meta = json.loads((final / "poseaug_config.json").read_text())
    assert meta["step"] == 40 and meta["config"]["blr_tanhlimit"] == 0.2
    proc = PoseLiftingProcessor.from_pretrained(final)
    assert proc.scale_normalization == "depth" and proc.reference_depth == 4.5

    # the trained generators change bone angles and lengths, within PoseAug's ranges
    trained = PoseAugModule(proc, res["trainer"].poseaug.cfg)
    trained.load(final)
    fresh = PoseAugModule(proc, res["trainer"].poseaug.cfg, seed=0)
    assert any(not torch.equal(a, b) for a, b in zip(trained.state_dict().values(), fresh.state_dict().values()))
    ds = PoseWindowDataset(motion_table, window_size=1, processor=proc, camera_fields=True, split="train")
    batch = PoseLiftingCollator()([ds[i] for i in range(64)])
    trained.generator.eval()
    with torch.no_grad():
        out = trained.generator(batch["joints_cam"], generator=torch.Generator().manual_seed(0))
    angle = torch.rad2deg(torch.acos((1 - out["ba_diff"]).clamp(-1, 1)))
    assert angle.mean() > 1.0 and angle.max() <= 180.0
    assert 1e-3 < out["blr"].abs().mean() and out["blr"].abs().max() <= 0.2 + 1e-6
    ratio = bone_vectors(out["pose_bl"]).norm(dim=-1) / bone_vectors(out["pose_ba"]).norm(dim=-1)
    assert ratio.min() >= 0.8 - 1e-5 and ratio.max() <= 1.2 + 1e-5 and (ratio - 1).abs().max() > 1e-3


def test_poseaug_refuses_multi_frame_lifters(motion_table, tmp_path):
    cfg = _config(motion_table, tmp_path / "run", poseaug=True)
    cfg["model"] = {"model_type": "tcn", "num_frames": 27, "input_channels": ["x", "y", "d"],
                    "model_kwargs": {"channels": 16}}  # fmt: skip
    with pytest.raises(ValueError, match="single-frame"):
        run_training(*load_config(cfg))
