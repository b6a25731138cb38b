"""``auglift push <folder> --repo-id <id> [--dry-run] [--repo-type model|dataset]``."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", help="model folder (config.json, model.safetensors, ...) or Parquet dataset folder")
    parser.add_argument("--repo-id", required=True, help="Hub repository id, e.g. auglift/poseformer-xycd")
    parser.add_argument(
        "--repo-type", choices=("model", "dataset"), default=None, help="default: dataset when there is no config.json"
    )
    parser.add_argument("--dry-run", action="store_true", help="validate and list the files, upload nothing")
    parser.add_argument("--private", action="store_true", help="create the repository as private")
    parser.add_argument("--write-card", action="store_true", help="(models) write README.md from the template first")
    parser.add_argument("--eval-results", default=None, help="(models, with --write-card) evaluation results JSON")
    parser.add_argument("--commit-message", default=None)


def guess_repo_type(folder: Path) -> str:
    """``model`` for a folder with ``config.json`` or weights, ``dataset`` for Parquet files; else ``ValueError``."""
    if not folder.exists():
        raise FileNotFoundError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder")
    if (folder / "config.json").is_file() or any(folder.glob("*.safetensors")) or any(folder.glob("*.bin")):
        return "model"
    if any(folder.rglob("*.parquet")):
        return "dataset"
    raise ValueError(
        f"{folder}: neither a model folder (config.json + model.safetensors) nor a dataset folder (*.parquet); "
        "pass --repo-type to say which it should be"
    )


def run(args: argparse.Namespace) -> int:
    from .push import is_offline, push_folder, validate_dataset_folder, validate_model_folder

    folder = Path(args.folder)
    repo_type = args.repo_type or guess_repo_type(folder)
    if args.write_card:
        if repo_type != "model":
            raise ValueError("--write-card applies to model folders only")
        from .cards import write_model_card

        path = write_model_card(folder, eval_results=args.eval_results, repo_id=args.repo_id)
        print(f"wrote {path}")
    report = validate_model_folder(folder) if repo_type == "model" else validate_dataset_folder(folder)
    print(report.summary())
    if not report.ok:
        raise ValueError(
            f"{folder} is not a valid {repo_type} folder, nothing uploaded: {len(report.problems)} problem(s): "
            + "; ".join(report.problems)
        )
    print(f"files to upload to {repo_type} repo {args.repo_id} ({len(report.files)}):")
    for rel in report.files:
        print(f"  {rel}")
    if args.dry_run:
        print("dry run: folder is valid, nothing uploaded")
        return 0
    if is_offline():
        raise ValueError(
            "HF_HUB_OFFLINE=1: the folder is valid, but nothing can be uploaded offline (unset it to upload)"
        )
    info = push_folder(folder, args.repo_id, repo_type, private=args.private, commit_message=args.commit_message)
    print(f"uploaded: {getattr(info, 'commit_url', info)}")
    return 0
