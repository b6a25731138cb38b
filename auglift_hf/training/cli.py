"""``auglift train <config.yaml> [key=value ...]``: train a lifter from a YAML/JSON config with ``Trainer``.

Also the body of ``python -m auglift_hf.train`` (works under ``accelerate launch`` / ``torchrun``).

The saved ``preprocessor_config.json`` holds the lifter's input contract (:mod:`auglift_hf.contract`): the training
tables' card contract, ``missing_depth`` when trained with depth dropout, and ``score_fill`` for a lifter with a
``c`` channel (the median ``keypoint_scores`` of the training rows, fed as confidence to keypoints without scores)
and ``frame_rate`` (the training tables' ``fps``, Hz; tables of different rates are refused for a temporal lifter).
"""

from __future__ import annotations

import argparse
import json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", help="YAML or JSON training config (see configs/ and auglift_hf.training.config)")
    parser.add_argument(
        "overrides", nargs="*", default=[], help="config overrides as key=value (values parsed as YAML)"
    )


def run(args: argparse.Namespace) -> int:
    from .config import load_config
    from .trainer import run_training

    model_args, data_args, training_args = load_config(args.config, args.overrides)
    from ..utils.outputs import files_removed_on_failure

    # a run that fails before its first checkpoint leaves nothing it created (one with a checkpoint can resume)
    resumable = lambda out: any(out.glob("checkpoint-*"))  # noqa: E731
    with files_removed_on_failure(training_args.output_dir, keep_if=resumable):
        result = run_training(model_args, data_args, training_args)
    if result["trainer"].is_world_process_zero():
        summary = {k: v for k, v in result.items() if k != "trainer"}
        print(json.dumps(summary, indent=2, default=str))
    return 0


def main(argv: list[str] | None = None) -> int:
    from ..cli import OneLineArgumentParser, run_command

    parser = OneLineArgumentParser(prog="python -m auglift_hf.train", description=__doc__)
    add_arguments(parser)
    return run_command("train", run, parser.parse_args(argv))
