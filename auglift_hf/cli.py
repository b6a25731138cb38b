"""The ``auglift`` command line: thin argument parsing that calls the package's modules.

Every subcommand lives in the module that owns the work and exposes two functions::

    add_arguments(parser: argparse.ArgumentParser) -> None
    run(args: argparse.Namespace) -> int     # exit code

Only the chosen subcommand's module is imported, so ``auglift --help`` stays fast.

Failures: every subcommand ends every failure in **one line on stderr**, ``auglift <command>: error: <message>``
naming the file or the option, with an exit code per kind of failure (:mod:`auglift_hf.errors`):

    0    success
    1    internal error (a bug; AUGLIFT_DEBUG=1 shows the traceback)
    2    invalid input: bad option value, malformed / truncated / unsafe file, data that cannot be right
    3    a named input (file, folder, model path) does not exist, or a Hub model is not cached while offline
    4    the output cannot be written (exists and is not ours to replace, read-only, ...)
    5    incompatible model or checkpoint (weights vs config, foreign model_type, resume into another model)
    130  interrupted (Ctrl-C); outputs are written to a temp path and renamed, so nothing is half-written
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: subcommand -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "info": ("auglift_hf.cli", "print versions, devices and the registered models"),
    "convert": ("auglift_hf.data.cli", "convert a native dataset (h36m, 3dhp, 3dpw, fit3d, bvh) to a Parquet table"),
    "convert-checkpoint": (
        "auglift_hf.convert.cli",
        "convert an official PoseFormer / VideoPose3D / MMPose / MotionBERT checkpoint to a lifter folder",
    ),
    "preprocess": ("auglift_hf.preprocess.cli", "images / video / dataset root -> 2D pose + depth -> XYCD table"),
    "lift": ("auglift_hf.preprocess.lift_cli", "lift an image, a video or a 2D keypoints JSON to 3D"),
    "train": ("auglift_hf.training.cli", "train a lifter from a YAML/JSON config with transformers' Trainer"),
    "evaluate": ("auglift_hf.analysis.cli", "cross-dataset evaluation matrix and AugLift's analyses"),
    "quickstart": ("auglift_hf.training.quickstart", "build data, train XY vs XYCD lifters, evaluate, compare"),
    "export": ("auglift_hf.export.cli", "export a lifter to ONNX, or a lifted motion file (JSON / NPZ) to BVH"),
    "push": ("auglift_hf.hub.cli", "validate a model/dataset folder and upload it to the Hub"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``auglift info`` takes no arguments."""


def run(args: argparse.Namespace) -> int:
    """``auglift info``: versions, device, registered model types."""
    import platform

    import torch
    import transformers

    import auglift_hf

    print(f"{'auglift-hf':<16}{auglift_hf.__version__}")
    print(f"{'python':<16}{platform.python_version()} ({platform.machine()})")
    print(
        f"{'torch':<16}{torch.__version__} (cuda available: {torch.cuda.is_available()}, threads: {torch.get_num_threads()})"
    )
    print(f"{'transformers':<16}{transformers.__version__}")
    for name in ("datasets", "accelerate", "evaluate", "safetensors", "huggingface_hub"):
        try:
            print(f"{name:<16}{importlib.import_module(name).__version__}")
        except Exception as err:  # noqa: BLE001 - info must never crash
            print(f"{name:<16}unavailable ({err.__class__.__name__})")
    print(f"{'models':<16}" + ", ".join(sorted(getattr(auglift_hf, "MODEL_TYPES", ()))))
    print(f"{'joint order':<16}H36M-17: " + ", ".join(auglift_hf.skeleton.H36M_JOINT_NAMES))
    return 0


class _HelpFormatter(argparse.HelpFormatter):
    """Wraps help text at spaces only, so checkpoint ids like ``depth-anything/Depth-Anything-V2-...`` stay whole."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        import textwrap

        return textwrap.wrap(
            self._whitespace_matcher.sub(" ", text).strip(), width, break_on_hyphens=False, break_long_words=False
        )


class OneLineArgumentParser(argparse.ArgumentParser):
    """``argparse`` parser whose usage errors are one stderr line (exit 2); ``--help`` still shows the usage."""

    def error(self, message: str):  # noqa: ANN201 - argparse API
        self.exit(2, f"{self.prog}: error: {message}\n")


def _build_parser(command: str | None) -> argparse.ArgumentParser:
    from auglift_hf import __version__

    parser = OneLineArgumentParser(prog="auglift", description="Depth-augmented 3D human pose lifting (AugLift).")
    parser.add_argument("--version", action="version", version=f"auglift-hf {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineArgumentParser)
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text, formatter_class=_HelpFormatter)
        if name == command:
            importlib.import_module(module).add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    try:  # Ctrl-C while the (heavy) modules import is still one line, exit 130
        parser = _build_parser(command if command in COMMANDS else None)
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        run_fn = importlib.import_module(COMMANDS[args.command][0]).run
    except KeyboardInterrupt:
        print(f"auglift {command or ''}: error: interrupted".replace("  ", " "), file=sys.stderr)
        return 130
    return run_command(args.command, run_fn, args)


def run_command(command: str, run_fn, args: argparse.Namespace) -> int:  # noqa: ANN001
    """Call ``run_fn(args)``; any failure becomes one stderr line and the exit code of :mod:`auglift_hf.errors`."""
    from auglift_hf.errors import debug, exit_code, one_line

    try:
        return int(run_fn(args) or 0)
    except (Exception, KeyboardInterrupt) as err:  # noqa: BLE001 - the CLI boundary: one line per failure
        if debug() and not isinstance(err, KeyboardInterrupt):
            raise
        sys.stderr.flush()
        print(f"auglift {command}: error: {one_line(err)}", file=sys.stderr)
        return exit_code(err)


if __name__ == "__main__":
    sys.exit(main())
