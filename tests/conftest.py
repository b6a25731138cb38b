"""Test configuration. The offline switches are set before anything imports a Hugging Face library."""

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("MPLBACKEND", "Agg")
# One intra-op thread per test worker: pytest-xdist already runs two workers on two cores, and small torch ops
# are 10-30x slower when threads oversubscribe the cores.
os.environ.setdefault("OMP_NUM_THREADS", "1")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (research-only real data); the test is skipped when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent (a user's clone): real-data test skipped")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _seed_everything():
    import numpy as np
    import torch

    torch.set_num_threads(1)
    np.random.seed(0)
    torch.manual_seed(0)
    yield
    # Library code must never switch autograd off globally (it would break every later test in the worker).
    leaked = not torch.is_grad_enabled()
    torch.set_grad_enabled(True)
    assert not leaked, "this test left torch autograd disabled (torch.set_grad_enabled(False) leaked)"
