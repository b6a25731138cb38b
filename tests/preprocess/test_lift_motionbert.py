"""``auglift lift --model <MotionBERT folder>`` on the real AlphaPose clip: whole-sequence clips, metric output."""

import json

import numpy as np
import torch

from auglift_hf.cli import main as auglift_main
from auglift_hf.models import MotionBERTConfig, MotionBERTForPoseLifting
from auglift_hf.motionbert_coords import H36M_MEAN_ROOT_DEPTH_M, motionbert_to_camera_units
from auglift_hf.processing_lifting import PoseLiftingProcessor


def test_lift_alphapose_clip_with_motionbert(shared_data, tmp_path):
    src = shared_data / "wild" / "walking_woman_alphapose.json"
    torch.manual_seed(0)
    config = MotionBERTConfig(num_frames=16, num_input_channels=3, dim_feat=16, dim_rep=16, depth=1, num_heads=2)
    model = MotionBERTForPoseLifting(config).eval()
    folder = tmp_path / "mb"
    model.save_pretrained(folder)
    PoseLiftingProcessor(
        input_channels=["x", "y", "c"], num_frames=16, coordinate_normalization="motionbert"
    ).save_pretrained(folder)
    out = tmp_path / "lift.json"
    argv = ["lift", str(src), "--model", str(folder), "--out", str(out), "--image-size", "1812", "1004"]
    assert auglift_main(argv) == 0
    result = json.loads(out.read_text())
    k3, k2 = np.asarray(result["keypoints_3d"]), np.asarray(result["keypoints_2d"])
    scores = np.asarray(result["scores"])
    assert k3.shape == (len(k2), 17, 3) and len(k2) > 16  # longer than one clip: stitched
    # the same numbers by hand: raw-confidence encoding, lift_sequence, MotionBERT -> metres with the H36M
    # reference depth and field of view (no depth, no intrinsics given)
    proc = PoseLiftingProcessor.from_pretrained(folder)
    enc = torch.from_numpy(proc.encode(k2, (1812, 1004), scores=scores))
    np.testing.assert_allclose(enc[..., 2].numpy(), np.clip(scores, 0, 1), atol=1e-6)
    scale = H36M_MEAN_ROOT_DEPTH_M / (1.147 * 1812)
    with torch.no_grad():  # flip test is the default of `auglift lift`, for MotionBERT as for the other lifters
        poses = model.lift_sequence(enc, flip_test=True).numpy()
        plain = model.lift_sequence(enc).numpy()
    expected = motionbert_to_camera_units(poses, (1812, 1004), scale) * 1000
    np.testing.assert_allclose(k3, expected, atol=0.05)  # the JSON rounds to 0.01 mm
    assert auglift_main([*argv, "--no-flip-test"]) == 0
    k3_plain = np.asarray(json.loads(out.read_text())["keypoints_3d"])
    np.testing.assert_allclose(k3_plain, motionbert_to_camera_units(plain, (1812, 1004), scale) * 1000, atol=0.05)
    assert np.abs(k3_plain - k3).max() > 0.1
