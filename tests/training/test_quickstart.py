"""`auglift quickstart --smoke`: the README's main job in its reduced mode (under a minute on 2 free cores)."""

import json
import os
import subprocess
import sys


def test_quickstart_smoke(tmp_path):
    out = tmp_path / "qs"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "auglift_hf.cli", "quickstart", "--smoke", "--out", str(out), "--no-progress"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [line for line in proc.stdout.strip().splitlines() if line.strip()]
    assert lines[-1].startswith("XYCD vs XY: MPJPE")  # the comparison table is printed last
    assert any(line.startswith("| XYCD |") for line in lines[-4:])
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["results"]) == {"XY", "XYCD"}
    for folder in summary["models"].values():
        names = set(os.listdir(folder))
        assert {"config.json", "model.safetensors", "README.md"} <= names
    assert (out / "comparison.png").read_bytes()[:4] == b"\x89PNG"
