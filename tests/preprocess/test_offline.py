"""Issue 28 item 5: a Hub model that cannot be loaded here (offline, no network, ``--local-files-only``) fails
at once in one line with exit code 3, naming the model, the option and how to pass a local folder; no retries.

Before: ``auglift preprocess`` offline printed ~20 "Retrying in Ns" lines over ~100 s, then exited 4 ("output not
writable") with transformers' multi-line message; ``--local-files-only`` was ignored by ``auglift lift``.
Attempts are counted (retry lines on stderr, socket connections), never timed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAKE = "auglift-tests/no-such-model"


def _run(args: list[str], env_extra: dict[str, str], drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra)
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "auglift_hf.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def image(tmp_path_factory) -> Path:
    from PIL import Image

    path = tmp_path_factory.mktemp("offline") / "person.png"
    Image.new("RGB", (64, 48), (120, 90, 60)).save(path)
    return path


@pytest.mark.parametrize(
    "env_extra, drop, extra, why",
    [
        ({"HF_HUB_OFFLINE": "1"}, (), [], "HF_HUB_OFFLINE is set"),
        # no offline flag, but the Hub endpoint refuses connections: detected, no retries
        ({"HF_ENDPOINT": "http://127.0.0.1:9"}, ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"), [], "no network"),
        ({"HF_ENDPOINT": "http://127.0.0.1:9"}, ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"), ["--local-files-only"],
         "--local-files-only"),
    ],
)  # fmt: skip
def test_preprocess_with_an_unavailable_hub_model_is_one_line_exit_3(image, tmp_path, env_extra, drop, extra, why):
    done = _run(
        ["preprocess", str(image), "--out", str(tmp_path / "out"), "--detector", FAKE, *extra], env_extra, drop
    )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 3, done.stderr[-2000:]
    assert len(lines) == 1, lines
    assert lines[0].startswith("auglift preprocess: error: --detector auglift-tests/no-such-model")
    assert why in lines[0] and "local folder" in lines[0]
    assert "Retry" not in done.stderr


def test_lift_respects_local_files_only(image, tmp_path):
    done = _run(
        ["lift", str(image), "--model", str(ROOT / "checkpoints" / "tcn-27f-xycd"), "--out", str(tmp_path / "o.json"),
         "--detector", FAKE, "--local-files-only"],
        {"HF_ENDPOINT": "http://127.0.0.1:9"}, ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"),
    )  # fmt: skip
    assert done.returncode == 3, done.stderr[-2000:]
    assert "--local-files-only" in done.stderr and "Retry" not in done.stderr
    assert not (tmp_path / "o.json").exists()


def test_relative_depth_model_with_local_files_only_makes_no_connection(monkeypatch, tmp_path):
    """``--depth-model relative --local-files-only`` (issue 28: contacted the Hub 6 times) opens no socket."""
    from auglift_hf.preprocess._hf import ModelNotAvailableError
    from auglift_hf.preprocess.depth import HFDepthEstimator

    attempts = []
    real = socket.socket.connect

    def counting_connect(self, address):  # noqa: ANN001
        attempts.append(address)
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", counting_connect)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-cache"))  # nothing cached
    import huggingface_hub.constants as hc

    monkeypatch.setattr(hc, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(hc, "HF_HUB_CACHE", str(tmp_path / "empty-cache" / "hub"))
    with pytest.raises(
        ModelNotAvailableError, match=r"--depth-model depth-anything/Depth-Anything-V2-Large-hf.*--local-files-only"
    ):
        HFDepthEstimator("relative", local_files_only=True)
    assert attempts == []


def test_model_not_available_is_exit_code_3_and_documented():
    from auglift_hf.errors import EXIT_NOT_FOUND, exit_code
    from auglift_hf.preprocess._hf import ModelNotAvailableError

    assert exit_code(ModelNotAvailableError("x")) == EXIT_NOT_FOUND == 3
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "3 (input not found, or a Hub model that is not in the local cache while offline" in readme
