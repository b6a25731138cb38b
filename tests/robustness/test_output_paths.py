"""Issue 28 classes A-E: an output is never an input, and only files auglift wrote are replaced.

A/B/C: ``lift --out <its input>``, ``lift --out <lifter folder>/config.json``, ``export bvh x.json x.json`` were exit 0
and destroyed the input. D/E: ``preprocess --out p`` replaced the user's ``p/README.md``; ``convert --out T`` over an
earlier table deleted the user's ``mynotes.txt``, ``sub/keep.txt`` and ``.git/``. (All failed before the fix.)
"""

from __future__ import annotations

import json

import numpy as np

from auglift_hf.preprocess.testing import coco_pose

from .conftest import assert_one_line_error, siblings, snapshot


def _keypoints_json(path, frames: int = 12):
    """AlphaPose-style COCO-17 entries of a person ~430 px tall walking right."""
    entries = []
    for n in range(frames):
        kp = coco_pose(2 * n) * 6 + np.array([400.0, 100.0])
        trip = np.concatenate([kp, np.full((17, 1), 0.9)], -1)
        entries.append({"image_id": f"{n}.jpg", "category_id": 1, "keypoints": trip.ravel().tolist(), "score": 2.5})
    path.write_text(json.dumps(entries))
    return path


def test_class_a_b_c_an_output_that_is_an_input_is_refused(run_cli, lifters, tmp_path):
    src = _keypoints_json(tmp_path / "in.json")
    before = src.read_bytes()
    lifter = tmp_path / "lifter"
    import shutil

    shutil.copytree(lifters["good"], lifter)
    model_files = snapshot(lifter)
    common = ("--model", lifter, "--image-size", 1812, 1004, "--device", "cpu")
    # A: --out is the input detections
    code, _, err = run_cli("lift", src, *common, "--out", src)
    assert code == 4
    assert_one_line_error(err, "lift", "--out", "in.json", "input")
    assert src.read_bytes() == before and siblings(src) == []
    # B: --out inside the lifter folder (its config.json), and --plot there
    code, _, err = run_cli("lift", src, *common, "--out", lifter / "config.json")
    assert code == 4
    assert_one_line_error(err, "lift", "model folder", str(lifter))
    code, _, err = run_cli("lift", src, *common, "--out", tmp_path / "ok.json", "--plot", lifter / "p.png")
    assert code == 4 and "--plot" in err
    assert snapshot(lifter) == model_files and not (tmp_path / "ok.json").exists()
    # C: export bvh onto its own motion file
    assert run_cli("lift", src, *common, "--out", tmp_path / "out.json")[0] == 0
    motion = (tmp_path / "out.json").read_bytes()
    code, _, err = run_cli("export", "bvh", tmp_path / "out.json", tmp_path / "out.json", "--fps", 10)
    assert code == 4
    assert_one_line_error(err, "export", "out.json", "input")
    assert (tmp_path / "out.json").read_bytes() == motion
    # export onnx into the lifter folder
    code, _, err = run_cli("export", "onnx", lifter, lifter / "model.onnx", "--no-verify")
    assert code == 4 and not (lifter / "model.onnx").exists()
    # a symlink to the input is the input
    (tmp_path / "link.json").symlink_to(src)
    code, _, err = run_cli("lift", src, *common, "--out", tmp_path / "link.json")
    assert code == 4 and src.read_bytes() == before


def test_class_a_evaluate_and_convert_refuse_an_input_as_out(run_cli, lifters, tables, h36m, tmp_path):
    before = snapshot(tables["xycd"])
    code, _, err = run_cli("evaluate", "--models", lifters["good"], "--datasets", tables["xycd"], "--out",
                           tables["xycd"], "--no-progress")  # fmt: skip
    assert code == 4
    assert_one_line_error(err, "evaluate", "input")
    assert snapshot(tables["xycd"]) == before
    code, _, err = run_cli("evaluate", "--models", lifters["good"], "--datasets", tables["xycd"], "--out",
                           lifters["good"] / "eval", "--no-progress")  # fmt: skip
    assert code == 4 and not (lifters["good"] / "eval").exists()
    src = h36m["positions"].parent
    code, _, err = run_cli("convert", "h36m", "--positions-3d", h36m["positions"], "--cameras", h36m["cameras"],
                           "--out", src, "--overwrite", "--no-progress")  # fmt: skip
    assert code == 4
    assert_one_line_error(err, "convert", "input")
    assert h36m["positions"].is_file() and h36m["cameras"].is_file()
    ckpt = tmp_path / "ckpt.bin"
    ckpt.write_bytes(b"x")
    code, _, err = run_cli("convert-checkpoint", "motionbert", ckpt, lifters["good"] / "sub")
    assert code == 4 and "model folder" in err


def test_class_d_preprocess_never_replaces_a_user_readme(run_cli, tmp_path):
    from PIL import Image

    img = tmp_path / "frame.png"
    Image.new("RGB", (64, 48)).save(img)
    out = tmp_path / "p"
    out.mkdir()
    (out / "README.md").write_text("# mine\n")
    for extra in ((), ("--overwrite",)):
        code, _, err = run_cli("preprocess", img, "--out", out, "--no-progress", "--local-files-only", *extra)
        assert code == 4, err
        assert_one_line_error(err, "preprocess", "README.md", "not written by auglift")
        assert snapshot(out) == {"README.md": b"# mine\n"}


def test_class_e_convert_keeps_files_the_user_added_to_a_table(run_cli, h36m, tmp_path):
    out = tmp_path / "T"
    argv = ("convert", "h36m", "--positions-3d", h36m["positions"], "--cameras", h36m["cameras"], "--out", out,
            "--no-progress")  # fmt: skip
    assert run_cli(*argv)[0] == 0
    manifest = json.loads((out / ".auglift_manifest.json").read_text())
    assert "README.md" in manifest["files"] and any(f.startswith("gt2d/") for f in manifest["files"])
    table = snapshot(out)
    assert run_cli(*argv)[0] == 0 and snapshot(out) == table  # its own earlier table: replaced (same bytes)
    user = {"mynotes.txt": b"notes", "sub/keep.txt": b"keep", ".git/HEAD": b"ref: refs/heads/main\n"}
    for rel, data in user.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    code, _, err = run_cli(*argv)
    assert code == 4
    assert_one_line_error(err, "convert", "mynotes.txt", "--overwrite")
    assert snapshot(out) == {**table, **user}
    # --overwrite replaces the table's files only; the user's stay
    assert run_cli(*argv, "--max-frames", "10", "--overwrite")[0] == 0
    after = snapshot(out)
    assert all(after[rel] == data for rel, data in user.items())
    assert after["README.md"] != table["README.md"] and siblings(out) == []
    import datasets

    assert datasets.load_dataset(str(out), "gt2d", split="train").num_rows < 30 * 4


def test_class_e_a_table_written_before_the_manifest_keeps_user_files(run_cli, h36m, tmp_path):
    out = tmp_path / "T"
    argv = ("convert", "h36m", "--positions-3d", h36m["positions"], "--cameras", h36m["cameras"], "--out", out,
            "--no-progress")  # fmt: skip
    assert run_cli(*argv)[0] == 0
    (out / ".auglift_manifest.json").unlink()  # an older version's table (marker, no manifest)
    (out / "mynotes.txt").write_text("notes")
    assert run_cli(*argv)[0] == 4 and (out / "mynotes.txt").read_text() == "notes"
    assert run_cli(*argv, "--overwrite")[0] == 0 and (out / "mynotes.txt").read_text() == "notes"


def test_class_e_evaluate_refuses_a_folder_of_user_files_and_leaves_nothing_on_failure(
    run_cli, lifters, tables, tmp_path
):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("years")
    code, _, err = run_cli("evaluate", "--models", lifters["good"], "--datasets", tables["xycd"], "--out", out,
                           "--no-progress", "--max-samples", 8)  # fmt: skip
    assert code == 4
    assert_one_line_error(err, "evaluate", "thesis.tex")
    assert snapshot(out) == {"thesis.tex": b"years"}
