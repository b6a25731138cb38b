"""benchmarks/reference/build_data.py --only train_bvh (issue 26): BVH clips through the package's reader into a
training table whose 2D is simulated exactly as the H36M training table's, with or without depth columns."""

import sys
from pathlib import Path

import datasets
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from reference_scripts import import_reference  # noqa: E402

build_data = import_reference("build_data")


def _build(shared_data, out, *extra):
    clip = shared_data / "bandai" / "bvh" / "dataset-1_run_normal_001.bvh"
    argv = ["--positions-3d", str(shared_data / "h36m" / "data_3d_h36m_fk25.npz"), "--cameras",
            str(shared_data / "h36m" / "cameras.pkl"), "--out", str(out), "--only", "train_bvh", "--bvh", str(clip),
            "--train-max-frames", "20", "--body-proportions", "1", *extra]  # fmt: skip
    assert build_data.main(argv) == 0
    return datasets.load_dataset(str(out / "train_bvh"), "gt2d", split="train").with_format("numpy")


def test_bvh_training_table_same_2d_with_and_without_depth(shared_data, tmp_path):
    plain = _build(shared_data, tmp_path / "xy", "--no-depth")
    depth = _build(shared_data, tmp_path / "d", "--depth-simulation", "surface-v2", "--train-severity", "2", "4")
    assert len(plain) == 1 * 2 * 4 * 20  # one clip, two bodies, four real cameras, 20 frames
    assert set(plain["dataset"]) == {"bandai"}
    np.testing.assert_array_equal(np.stack(plain["keypoints_2d"]), np.stack(depth["keypoints_2d"]))
    np.testing.assert_array_equal(np.stack(plain["keypoint_scores"]), np.stack(depth["keypoint_scores"]))
    assert (np.stack(plain["keypoint_scores"]) < 1).any()  # the simulated detector's 2D, not the projections
    assert "d" not in plain.column_names and np.isfinite(np.stack(depth["d"])).all()
    card = (tmp_path / "xy" / "train_bvh" / "README.md").read_text()
    assert "license: cc-by-nc-4.0" in card and "Bandai Namco" in card
