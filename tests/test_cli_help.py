"""Issue 28 item 8: ``auglift <command> --help`` imports neither torch nor transformers (it took 5-9 s), and the
help texts say what the options do (``evaluate --split``, ``quickstart --seed``, MotionBERT in convert-checkpoint,
the units of ``export bvh``). Import checks, not timings (speed is in the report: benchmarks, never timed tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECK = """
import sys
sys.argv = ["auglift", *{argv!r}]
from auglift_hf.cli import main
try:
    main()
except SystemExit:
    pass
print("HEAVY", sorted(m for m in ("torch", "transformers", "datasets") if m in sys.modules))
"""


@pytest.mark.parametrize("command", ["quickstart", "evaluate", "lift", "preprocess", "convert", "convert-checkpoint",
                                     "train", "push"])  # fmt: skip
def test_help_imports_no_heavy_library(command):
    done = subprocess.run(
        [sys.executable, "-c", CHECK.format(argv=[command, "--help"])], capture_output=True, text=True, cwd=ROOT,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"usage: auglift {command}" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "HEAVY []", done.stdout[-500:]


def _help(command: list[str]) -> str:
    from auglift_hf.cli import _build_parser

    parser = _build_parser(command[0])
    sub = next(a for a in parser._actions if a.dest == "command").choices[command[0]]
    if len(command) > 1:
        sub = next(a for a in sub._actions if getattr(a, "choices", None) and command[1] in a.choices).choices[
            command[1]
        ]
    return " ".join(sub.format_help().split())


def test_help_texts_say_what_options_do():
    assert "table split to evaluate" in _help(["evaluate"])
    assert "seed of the data" in _help(["quickstart"]) and "bootstrap interval" in _help(["quickstart"])
    assert "--full" in _help(["quickstart"]) and "--overwrite" in _help(["quickstart"])
    assert "MotionBERT" in _help(["convert-checkpoint"])
    assert "centimetres" in _help(["export", "bvh"])
