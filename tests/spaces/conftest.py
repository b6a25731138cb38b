"""Fixtures for the Space tests: tiny lifter folders, the app module pointed at them, a keypoints JSON."""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "export"))

from auglift_space_helpers import APP_DIR, alphapose_json  # noqa: E402


@pytest.fixture(scope="session")
def lifter_folders(tmp_path_factory):
    from auglift_tiny_lifters import make_lifter_folder

    root = tmp_path_factory.mktemp("space-models")
    return {
        "poseformer-xycd": make_lifter_folder(root, "poseformer", 4, with_card=False, name="poseformer-xycd"),
        "poseformer-xy": make_lifter_folder(root, "poseformer", 2, with_card=False, name="poseformer-xy"),
    }


@pytest.fixture(scope="session")
def space_app(lifter_folders):
    """The app module imported with ``AUGLIFT_MODELS`` pointing at the tiny folders."""
    old = os.environ.get("AUGLIFT_MODELS")
    os.environ["AUGLIFT_MODELS"] = ",".join(f"{k}={v}" for k, v in lifter_folders.items())
    try:
        spec = importlib.util.spec_from_file_location("auglift_space_app", APP_DIR / "app.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        if old is None:
            os.environ.pop("AUGLIFT_MODELS", None)
        else:
            os.environ["AUGLIFT_MODELS"] = old
    return module


@pytest.fixture(scope="session")
def keypoints_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("kp") / "alphapose-results.json"
    path.write_text(alphapose_json())
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def launched(space_app):
    """The demo launched on 127.0.0.1 (random free port, no thread lock); closed afterwards."""
    port = free_port()
    space_app.demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        space_app.demo.close()
