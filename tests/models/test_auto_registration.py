"""Auto classes, Hub-cache loading and ``trust_remote_code`` loading without ``auglift_hf``."""

import json
import os
import subprocess
import sys
import textwrap

import torch
from transformers import AutoConfig, AutoModel

import auglift_hf.models as models


def _tiny_models():
    torch.manual_seed(0)
    return {
        "poseformer": models.PoseFormerForPoseLifting(
            models.PoseFormerConfig(num_frames=9, num_input_channels=4, embed_dim_ratio=8, depth=1, num_heads=2)
        ),
        "tcn": models.TCNForPoseLifting(models.TCNConfig(filter_widths=[3, 3], channels=16, num_input_channels=4)),
        "simple_baseline": models.SimpleBaselineForPoseLifting(
            models.SimpleBaselineConfig(hidden_size=32, num_input_channels=4)
        ),
        "motionbert": models.MotionBERTForPoseLifting(
            models.MotionBERTConfig(num_frames=9, num_input_channels=4, dim_feat=8, dim_rep=8, depth=1, num_heads=2)
        ),
    }


def test_registered_model_types():
    assert models.MODEL_TYPES == (
        "auglift_poseformer",
        "auglift_tcn",
        "auglift_simple_baseline",
        "auglift_motionbert",
    )
    for config_class, model_class in models.MODEL_CLASSES:
        config = AutoConfig.for_model(config_class.model_type)
        assert type(config) is config_class
        assert type(AutoModel.from_config(config)) is model_class


def test_hub_cache_layout_loads_offline(tmp_path):
    """``AutoModel.from_pretrained("auglift/poseformer-xycd", cache_dir=...)`` from a Hub-cache layout, offline."""
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    model = _tiny_models()["poseformer"].eval()
    sha = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "models--auglift--poseformer-xycd"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(sha)
    snapshot = repo / "snapshots" / sha
    model.save_pretrained(snapshot)
    for extra in ("configuration_poseformer.py", "modeling_poseformer.py"):  # keep just config + weights
        (snapshot / extra).unlink()
    assert sorted(p.name for p in snapshot.iterdir()) == ["config.json", "model.safetensors"]
    loaded = AutoModel.from_pretrained("auglift/poseformer-xycd", cache_dir=tmp_path).eval()
    assert type(loaded) is models.PoseFormerForPoseLifting
    assert loaded.config.input_channels == ["x", "y", "c", "d"]
    keypoints = torch.randn(2, 9, 17, 4)
    with torch.no_grad():
        assert torch.equal(loaded(keypoints=keypoints).poses_3d, model(keypoints=keypoints).poses_3d)


def test_trust_remote_code_without_auglift_hf(tmp_path):
    """Each saved folder loads through ``trust_remote_code=True`` in a python where ``import auglift_hf`` fails."""
    expected = {}
    for name, model in _tiny_models().items():
        model.eval()
        model.save_pretrained(tmp_path / name)
        frames = getattr(model.config, "num_frames", 9)
        keypoints = torch.randn(2, frames, 17, 4)
        with torch.no_grad():
            expected[name] = model(keypoints=keypoints).poses_3d
        torch.save({"keypoints": keypoints, "poses": expected[name]}, tmp_path / f"{name}.pt")
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["auglift_hf"] = None  # any import of the package now raises ImportError
        import torch
        from transformers import AutoModel
        for name in {sorted(expected)!r}:
            model = AutoModel.from_pretrained({str(tmp_path)!r} + "/" + name, trust_remote_code=True).eval()
            assert "auglift_hf" not in type(model).__module__, type(model).__module__
            data = torch.load({str(tmp_path)!r} + "/" + name + ".pt", weights_only=True)
            with torch.no_grad():
                out = model(keypoints=data["keypoints"]).poses_3d
            torch.testing.assert_close(out, data["poses"], atol=1e-6, rtol=1e-6)  # other process: kernels may differ
            print("ok", name, type(model).__module__)
        """
    )
    env = {**os.environ, "HF_MODULES_CACHE": str(tmp_path / "modules"), "HF_HUB_OFFLINE": "1"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("ok ") == 4
    auto_map = json.loads((tmp_path / "tcn" / "config.json").read_text())["auto_map"]
    assert auto_map == {"AutoConfig": "configuration_tcn.TCNConfig", "AutoModel": "modeling_tcn.TCNForPoseLifting"}
    auto_map = json.loads((tmp_path / "motionbert" / "config.json").read_text())["auto_map"]
    assert auto_map == {
        "AutoConfig": "configuration_motionbert.MotionBERTConfig",
        "AutoModel": "modeling_motionbert.MotionBERTForPoseLifting",
    }
