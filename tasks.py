#!/usr/bin/env python3
"""Set-up and task runner that needs nothing but python3 (and pip) on a fresh machine.

    python3 tasks.py quickstart   # create .venv if missing, install, run the main job
    python3 tasks.py test         # create .venv if missing, install, run the whole test suite

Extra arguments after the task are passed on (to ``auglift quickstart`` or to pytest).
torch is installed as ``torch==2.13.0`` first, so pip picks the local CPU wheel and never a CUDA build.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
TORCH_PIN = "torch==2.13.0"
STAMP = VENV / ".auglift-installed"


def _run(cmd: list[str], **kw) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kw)


def ensure_env(extras: str) -> None:
    """Create ``.venv`` and install the project (editable) with ``extras``; idempotent."""
    if not PY.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    want = f"{extras}:{(ROOT / 'pyproject.toml').stat().st_mtime_ns}"
    if STAMP.exists() and STAMP.read_text() == want:
        return
    pip = [PY, "-m", "pip", "install", "--disable-pip-version-check"]
    has_torch = subprocess.call([str(PY), "-c", "import torch"], stderr=subprocess.DEVNULL) == 0
    if not has_torch and _run(pip + [TORCH_PIN]) != 0:
        sys.exit("could not install " + TORCH_PIN)
    if _run(pip + ["-e", f".[{extras}]"]) != 0:
        sys.exit("could not install the project")
    STAMP.write_text(want)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"quickstart", "test", "setup"}:
        print(__doc__)
        return 2
    task, rest = argv[0], argv[1:]
    env = dict(os.environ)
    if task == "setup":
        ensure_env("dev,space,export")
        return 0
    if task == "quickstart":
        ensure_env("dev,space,export")
        return _run([BIN / "auglift", "quickstart", *rest], env=env)
    ensure_env("dev,space,export")
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("HF_DATASETS_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    return _run([PY, "-m", "pytest", "-n", "2", "--dist", "loadfile", "tests", *rest], env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
