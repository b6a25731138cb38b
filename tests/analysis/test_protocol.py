"""What `auglift evaluate` scores: protocol frames, groups, seed groups, comparisons and recorded data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from auglift_hf.analysis.cli import _comparison_pairs, parse_model_groups
from auglift_hf.analysis.protocol import frame_counts, protocol_group, scored_joints, take_label


def test_frame_counts_separate_protocol_frames_from_unprocessed_ones():
    valid = np.array([True, False, False, True, False])
    reasons = ["", "annotation_invalid", "no_detection", "", "no_match"]
    counts = frame_counts(valid, reasons, scored=2)
    assert counts == {"rows": 5, "valid_frames": 2, "scored_frames": 2, "protocol_frames": 4,
                      "unscored": {"no_detection": 1, "no_match": 1}}  # fmt: skip
    assert frame_counts(valid, None, scored=2)["protocol_frames"] == 2


def test_protocol_groups_and_takes():
    assert protocol_group("h36m", "S9", "Walking 1") == "Walking"
    assert protocol_group("humaneva", "Validate/S2", "Jog 1 chunk4") == "Jog Validate/S2"
    assert protocol_group("mpi_inf_3dhp", "TS1", "TS1") == "TS1"
    assert take_label("humaneva", "Validate/S1", "Box 1 chunk2") == take_label(
        "humaneva", "Validate/S1", "Box 1 chunk4"
    )
    assert list(scored_joints("humaneva")) == [0, 1, 2, 3, 4, 5, 6, 8, 11, 12, 13, 14, 15, 16]
    assert len(scored_joints("h36m")) == 17


def test_model_groups_and_comparison_pairs(tmp_path):
    groups = parse_model_groups(["xy=a,b,c", "xycd=d,e,f", str(tmp_path)])
    assert groups == {"xy": ["a", "b", "c"], "xycd": ["d", "e", "f"], tmp_path.name: [str(tmp_path)]}
    with pytest.raises(ValueError, match="given twice"):
        parse_model_groups(["xy=a", "xy=b"])
    with pytest.raises(ValueError, match="--names"):
        parse_model_groups(["a", "b"], names=["x"])
    assert _comparison_pairs(None, ["a", "b", "c"]) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert _comparison_pairs(["a:c"], ["a", "b", "c"]) == [("a", "c")]
    with pytest.raises(ValueError, match="--compare"):
        _comparison_pairs(["a:z"], ["a", "b"])


def test_evaluate_seed_groups_frames_and_no_significant_difference(motion_table_pair, tmp_path):
    """Two seed groups made of the same two folders: identical predictions -> "no significant difference"; every
    output names the frames scored, the seeds and the data."""
    import torch

    import auglift_hf  # noqa: F401
    from auglift_hf.cli import main
    from auglift_hf.data.windows import load_frame_table
    from auglift_hf.models import TCNConfig, TCNForPoseLifting

    folders = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        model = TCNForPoseLifting(TCNConfig(filter_widths=[3], channels=8, input_channels=["x", "y"]))
        model.save_pretrained(tmp_path / f"m{seed}")
        folders.append(str(tmp_path / f"m{seed}"))
    out = tmp_path / "eval"
    table = motion_table_pair[0]
    argv = ["evaluate", "--models", f"a={','.join(folders)}", f"b={','.join(folders)}", "--datasets", str(table),
            "--out", str(out), "--bootstrap", "300", "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    record = json.loads((out / "evaluation.json").read_text())
    valid = np.asarray(load_frame_table(table, split="test").column("valid").to_pylist())
    frames = record["tables"][table.name]["frames"]
    assert frames["scored_frames"] == frames["protocol_frames"] == valid.sum()
    assert record["subsample"].startswith("whole test split")
    assert record["models"] == {"a": folders, "b": folders}
    cell = next(c for c in record["cells"] if c["model"] == "a")
    assert cell["seeds"] == 2 and cell["mpjpe_seeds"]["seeds"] == 2 and cell["mpjpe_seeds"]["std"] > 0
    [cmp] = record["comparisons"]
    assert cmp["mpjpe"]["difference"] == 0.0 and not cmp["mpjpe"]["significant"]
    comparisons = (out / "comparisons.md").read_text()
    assert (
        "no significant difference" in comparisons
        and f"| b vs a | {table.name} | {valid.sum():,} | 2 / 2 |" in comparisons
    )
    md = (out / "matrix.md").read_text()
    assert f"| {valid.sum():,} |" in md and "edge" in md and "a: 2 seeds" in md and " ± " in md
    # a stated subsample is recorded as such
    argv2 = [*argv[:-5], "--out", str(tmp_path / "sub"), "--stride", "4", "--no-progress"]
    assert main(argv2) == 0
    sub = json.loads((tmp_path / "sub" / "evaluation.json").read_text())
    assert sub["subsample"].startswith("subsample: every 4th frame") and sub["stride"] == 4
    assert sub["tables"][table.name]["frames"]["scored_frames"] < frames["scored_frames"]


def test_evaluate_scores_exactly_the_3dhp_valid_frames(tmp_path):
    """A joined 3DHP test table: the valid_frame = 0 row is not a protocol frame and is never scored."""
    import torch

    import auglift_hf  # noqa: F401
    from auglift_hf.cli import main
    from auglift_hf.data.join import build_xycd_table
    from auglift_hf.models import TCNConfig, TCNForPoseLifting

    from ..data import media_fixtures as F

    root = F.write_3dhp(tmp_path / "3dhp", test_frames=6, invalid_test=(2,))
    build_xycd_table("3dhp", tmp_path / "table", F.fake_extractor(), source=root, cameras=[0], progress=False)
    torch.manual_seed(0)
    TCNForPoseLifting(TCNConfig(filter_widths=[3], channels=8, input_channels=["x", "y"])).save_pretrained(
        tmp_path / "m"
    )
    out = tmp_path / "eval"
    assert main(["evaluate", "--models", str(tmp_path / "m"), "--datasets", str(tmp_path / "table"), "--config",
                 "detected2d", "--out", str(out), "--no-progress"]) == 0  # fmt: skip
    frames = json.loads((out / "evaluation.json").read_text())["tables"]["table"]["frames"]
    assert frames["protocol_frames"] == frames["scored_frames"] == 5 and frames["rows"] == 6
    assert frames["unscored"] == {}
