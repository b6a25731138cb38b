"""The shared helpers, and the verbatim copies the self-contained modeling/configuration files carry."""

import inspect

import pytest
import torch

from auglift_hf import skeleton
from auglift_hf.models import lifting_utils
from auglift_hf.models.motionbert import configuration_motionbert, modeling_motionbert
from auglift_hf.models.poseformer import configuration_poseformer, modeling_poseformer
from auglift_hf.models.simple_baseline import configuration_simple_baseline, modeling_simple_baseline
from auglift_hf.models.tcn import configuration_tcn, modeling_tcn

MODELING = (modeling_poseformer, modeling_tcn, modeling_simple_baseline, modeling_motionbert)
CONFIGURATION = (configuration_poseformer, configuration_tcn, configuration_simple_baseline, configuration_motionbert)
COPIED_FUNCTIONS = {module: ("check_keypoints", "align_labels", "flip_poses", "mpjpe_loss") for module in MODELING} | {
    module: ("resolve_input_channels",) for module in CONFIGURATION
}


@pytest.mark.parametrize("module", MODELING + CONFIGURATION, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_copies_are_identical(module):
    """Like transformers' ``check_copies``: every ``# Copied from`` block equals the reference implementation."""
    for name in COPIED_FUNCTIONS[module]:
        assert inspect.getsource(getattr(module, name)) == inspect.getsource(getattr(lifting_utils, name)), name
        assert f"# Copied from auglift_hf.models.lifting_utils.{name}" in inspect.getsource(module)
    if module in MODELING:
        assert module.H36M_FLIP_PERMUTATION == lifting_utils.H36M_FLIP_PERMUTATION
    else:
        assert module.DEFAULT_INPUT_CHANNELS == lifting_utils.DEFAULT_INPUT_CHANNELS


@pytest.mark.parametrize("module", MODELING + CONFIGURATION, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_remote_code_files_import_nothing_of_ours(module):
    source = inspect.getsource(module)
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    allowed = (
        "__future__",
        "typing",
        "math",
        "dataclasses",
        "torch",
        "transformers",
        "huggingface_hub",
        ".configuration_",
    )
    for line in imports:
        assert line.split()[1].startswith(allowed), line


def test_flip_permutation_matches_skeleton():
    assert lifting_utils.H36M_FLIP_PERMUTATION == skeleton.H36M_FLIP_PERMUTATION


def test_flip_poses_matches_skeleton_and_is_an_involution():
    poses = torch.randn(2, 3, 17, 4)
    flipped = lifting_utils.flip_poses(poses, lifting_utils.H36M_FLIP_PERMUTATION)
    torch.testing.assert_close(flipped, skeleton.flip_keypoints(poses))
    torch.testing.assert_close(lifting_utils.flip_poses(flipped, lifting_utils.H36M_FLIP_PERMUTATION), poses)


def test_mpjpe_loss():
    labels = torch.zeros(2, 1, 17, 3)
    poses = labels.clone()
    poses[..., 0] = 0.03  # 3 cm everywhere
    assert lifting_utils.mpjpe_loss(poses, labels).item() == pytest.approx(0.03)
    poses[0, 0, 5] = torch.tensor([0.0, 0.4, 0.3])  # 50 cm on one joint
    weights = torch.ones(2, 1, 17)
    weights[0, 0, 5] = 0.0
    assert lifting_utils.mpjpe_loss(poses, labels, weights).item() == pytest.approx(0.03)
    assert lifting_utils.mpjpe_loss(poses, labels).item() > 0.03


def test_check_keypoints_message():
    with pytest.raises(ValueError, match=r"\(batch, 27, 17, 4\), got \(2, 27, 17, 2\)"):
        lifting_utils.check_keypoints(torch.zeros(2, 27, 17, 2), 17, 4, 27)
    with pytest.raises(ValueError, match="floating point"):
        lifting_utils.check_keypoints(torch.zeros(2, 27, 17, 4, dtype=torch.long), 17, 4, None)


def test_resolve_input_channels():
    assert lifting_utils.resolve_input_channels(6, None) == ["x", "y", "c", "d", "d_min", "d_max"]
    assert lifting_utils.resolve_input_channels(None, ["x", "y", "d"]) == ["x", "y", "d"]
    assert lifting_utils.resolve_input_channels(5, None) == ["ch0", "ch1", "ch2", "ch3", "ch4"]
    with pytest.raises(ValueError, match="start with 'x', 'y'"):
        lifting_utils.resolve_input_channels(None, ["y", "x"])
