"""Fixtures for the preprocessing tests (helpers live in ``preprocess_fakes.py``)."""

from __future__ import annotations

import pytest

from auglift_hf.preprocess.testing import MarkerDetector, MarkerPose, PlaneDepth


@pytest.fixture
def fake_backends():
    return {"detector": MarkerDetector(), "pose_estimator": MarkerPose(), "depth_estimator": PlaneDepth()}


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Tiny models on a shared 2-core machine: intra-op threads only add contention (measured 50x slower)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_backends(tmp_path_factory):
    """Tiny random-weight RT-DETR / VitPose / Depth Anything folders (saved once per session)."""
    import torch

    from auglift_hf.preprocess.testing import save_tiny_backends

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return save_tiny_backends(tmp_path_factory.mktemp("tiny_backends"), variants=True)
    finally:
        torch.set_num_threads(before)
