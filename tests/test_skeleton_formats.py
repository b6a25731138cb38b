"""Named 2D keypoint formats (issue 13 item 2): detection from a file's declaration and mappings to H36M-17."""

from __future__ import annotations

import numpy as np
import pytest

from auglift_hf.skeleton import (
    COCO_KEYPOINT_NAMES,
    H36M_JOINT_NAMES,
    KEYPOINT_FORMATS,
    canonical_keypoint_name,
    coco_to_h36m,
    detect_keypoint_format,
    resolve_keypoint_format,
    to_h36m,
)

OPENPOSE_DOC_BODY25 = ["Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist", "MidHip",
                       "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar",
                       "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel"]  # fmt: skip


def test_canonical_names():
    assert canonical_keypoint_name("LShoulder") == "left_shoulder"
    assert canonical_keypoint_name("RBigToe") == "right_big_toe"
    assert canonical_keypoint_name("l_hip") == "left_hip" and canonical_keypoint_name("Left-Knee") == "left_knee"
    assert canonical_keypoint_name("root (pelvis)") == "root"


def test_index_tables_select_the_coco_joints_by_name():
    for fmt in KEYPOINT_FORMATS.values():
        if fmt.names and fmt.coco_indices is not None:
            picked = [canonical_keypoint_name(fmt.names[i]) for i in fmt.coco_indices]
            assert picked == list(COCO_KEYPOINT_NAMES), fmt.name
    # OpenPose's own spelling (doc/02_output.md) is recognised as BODY_25
    assert detect_keypoint_format(OPENPOSE_DOC_BODY25).format.name == "openpose_body25"


@pytest.mark.parametrize(("count", "name"), [(17, "coco17"), (18, "openpose_coco18"), (25, "openpose_body25"),
                                             (26, "halpe26"), (33, "blazepose33"), (133, "coco_wholebody133")])  # fmt: skip
def test_detect_by_count(count, name):
    assert detect_keypoint_format(None, count).format.name == name


def test_declarations():
    own = detect_keypoint_format(list(H36M_JOINT_NAMES))
    assert own.format.name == "h36m17" and own.order is None and not own.notes
    # MMPose's h36m_coco.json labels the legs left-first but stores the standard order: read as stored, noted
    mmpose = ["root (pelvis)", "left_hip", "left_knee", "left_foot", "right_hip", "right_knee", "right_foot", "spine",
              "thorax", "neck_base", "head", "left_shoulder", "left_elbow", "left_wrist", "right_shoulder",
              "right_elbow", "right_wrist"]  # fmt: skip
    det = detect_keypoint_format(mmpose, 17)
    assert det.format.name == "h36m17" and det.order is None and "left/right" in det.notes[0]
    # a genuinely reordered H36M declaration is put back in order by name
    perm = [3, 0, 1, 2] + list(range(4, 17))
    shuffled = detect_keypoint_format([KEYPOINT_FORMATS["h36m17"].names[i] for i in perm])
    assert [perm[i] for i in shuffled.order] == list(range(17))
    with pytest.raises(ValueError, match="16 keypoints"):
        detect_keypoint_format(None, 16)
    with pytest.raises(ValueError, match="match no known format"):
        detect_keypoint_format(["a"] * 17)
    with pytest.raises(ValueError, match="declares 17"):
        detect_keypoint_format(list(COCO_KEYPOINT_NAMES), 26)
    assert resolve_keypoint_format("BODY-25").name == "openpose_body25"
    with pytest.raises(ValueError, match="unknown keypoint format"):
        resolve_keypoint_format("mpii")


def test_to_h36m_is_auglifts_coco_rule_on_the_selected_joints():
    rng = np.random.default_rng(0)
    coco = np.concatenate([rng.uniform(0, 100, (4, 17, 2)), rng.uniform(0, 1, (4, 17, 1))], -1)
    for fmt in KEYPOINT_FORMATS.values():
        if fmt.coco_indices is None:
            continue
        full = rng.uniform(0, 100, (4, fmt.num_keypoints, 3))
        full[:, list(fmt.coco_indices)] = coco
        np.testing.assert_allclose(to_h36m(full, fmt), coco_to_h36m(coco), err_msg=fmt.name)
    h = rng.uniform(0, 100, (2, 17, 3))
    np.testing.assert_array_equal(to_h36m(h, KEYPOINT_FORMATS["h36m17"]), h)
