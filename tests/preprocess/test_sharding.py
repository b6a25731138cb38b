"""Sharded runs: atomic shards, resume after a crash, corrupt inputs recorded, rank splits, merge checks."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from auglift_hf.preprocess import XYCDExtractor, run_preprocess
from auglift_hf.preprocess.sharding import MERGED_FILE, SHARD_DIR, make_plan, merge_shards, rank_shards
from auglift_hf.preprocess.sources import discover_sources
from auglift_hf.preprocess.testing import MarkerDetector, MarkerPose, PlaneDepth, write_marker_frames


def _extractor(fail_after=None):
    return XYCDExtractor(MarkerDetector(fail_after), MarkerPose(), PlaneDepth(), depth_mode="casp")


def _read(out):
    return pq.read_table(out / MERGED_FILE).to_pydict()


def test_resume_after_crash_equals_uninterrupted(tmp_path):
    frames = tmp_path / "data" / "S1" / "walk"
    write_marker_frames(frames, n=11)
    ref = run_preprocess(
        [tmp_path / "data"], tmp_path / "ref", _extractor(), shard_size=3, batch_size=2, progress=False
    )
    out = tmp_path / "crashed"
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_preprocess([tmp_path / "data"], out, _extractor(fail_after=7), shard_size=3, batch_size=2, progress=False)
    done = sorted(p.name for p in (out / SHARD_DIR).iterdir())
    assert done == ["shard-000000.parquet", "shard-000001.parquet"]  # frames 0-5; the crash hit shard 2
    assert not list((out / SHARD_DIR).glob(".*"))  # no partial temp file left behind
    resumed_extractor = _extractor()
    merged = run_preprocess([tmp_path / "data"], out, resumed_extractor, shard_size=3, batch_size=2, progress=False)
    assert resumed_extractor.detector.calls == 11 - 6  # completed shards were skipped
    a, b = _read(ref.parent.parent), _read(merged.parent.parent)
    assert a["frame_index"] == b["frame_index"] == list(range(11))
    for key in ("keypoints_2d", "keypoint_scores", "d", "d_min", "d_max", "valid", "subject", "action", "track"):
        assert a[key] == b[key], key
    assert a["subject"][0] == "S1" and a["action"][0] == "walk" and all(a["valid"])


def test_corrupt_and_empty_frames_are_recorded(tmp_path):
    write_marker_frames(tmp_path / "seq", n=6, corrupt=(2,), empty=(4,))
    (tmp_path / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 definitely not a video")
    out = tmp_path / "out"
    merged = run_preprocess([tmp_path], out, _extractor(), shard_size=4, batch_size=4, progress=False)
    rows = pq.read_table(merged).to_pydict()
    assert rows["frame_index"] == list(range(6))
    assert rows["valid"] == [True, True, False, True, False, True]
    assert "frame_002.png" in rows["error"][2] and rows["error"][4] == ""  # empty = nobody, not an error
    assert all(np.isfinite(np.asarray(rows["keypoints_2d"])).ravel())
    failures = [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]
    assert {f["source"].rsplit("/", 1)[-1] for f in failures} == {"seq", "broken.mp4"}
    assert any("broken.mp4" in f["error"] and "cannot decode video" in f["error"] for f in failures)


def test_plan_rank_split_and_merge_checks(tmp_path):
    write_marker_frames(tmp_path / "a", n=5)
    write_marker_frames(tmp_path / "b", n=4)
    sources = discover_sources([tmp_path])
    plan = make_plan(sources, 3, {})
    covered = [(s, i) for shard in plan["shards"] for s, a, b in shard for i in range(a, b)]
    assert covered == [(0, i) for i in range(5)] + [(1, i) for i in range(4)]
    assert len(plan["shards"]) == 3
    for world in (1, 2, 3, 5):
        ids = sorted(k for r in range(world) for k in rank_shards(7, r, world))
        assert ids == list(range(7))
    # ranks run separately (as under accelerate launch), then one merge
    out = tmp_path / "out"
    for rank in (1, 0):
        res = run_preprocess([tmp_path / "a", tmp_path / "b"], out, _extractor(), shard_size=3, merge=rank == 0,
                             rank=rank, world_size=2, progress=False)  # fmt: skip
    rows = pq.read_table(res).to_pydict()
    assert list(zip(rows["source_index"], rows["frame_index"])) == covered
    # a missing shard is refused by the merge, as is a different plan on resume
    (out / SHARD_DIR / "shard-000001.parquet").unlink()
    with pytest.raises(ValueError, match="not processed yet"):
        merge_shards(out)
    with pytest.raises(ValueError, match="shard_size"):
        run_preprocess([tmp_path / "a", tmp_path / "b"], out, _extractor(), shard_size=2, progress=False)


def test_merged_table_loads_with_datasets(tmp_path):
    from datasets import load_dataset

    write_marker_frames(tmp_path / "clip", n=3)
    out = tmp_path / "out"
    run_preprocess([tmp_path / "clip"], out, _extractor(), shard_size=2, progress=False)
    ds = load_dataset(str(out), "detected2d", split="train")
    assert ds.num_rows == 3
    assert np.asarray(ds[0]["keypoints_2d"]).shape == (17, 2) and np.asarray(ds[0]["d"]).shape == (17,)
    assert {"dataset", "subject", "action", "camera", "frame_index", "keypoint_scores", "valid"} <= set(
        ds.column_names
    )
    # the card records the table's input contract: the extractor's metric depth + descriptor, COCO-detector 2D
    from auglift_hf.contract import InputContract

    c = InputContract.from_dataset_card(out, config="detected2d")
    assert c.depth_kind == "metric" and c.keypoint_definition == "coco"
    assert c.depth_descriptor["num_samples"] == 16 and c.depth_model == "fake-plane-depth"


@pytest.mark.slow
def test_two_process_accelerate_launch(tmp_path, tiny_backends):
    """`accelerate launch --multi_gpu --num_processes 2` on CPU (torchrun + gloo; accelerate's `--cpu` launcher
    starts one process and expects MPI for more): disjoint shards per rank, merged without loss or duplicates."""
    import os
    import socket
    import subprocess
    import sys

    write_marker_frames(tmp_path / "clip", n=10)
    out = tmp_path / "out"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [
        sys.executable, "-m", "accelerate.commands.launch", "--num_processes", "2", "--num_machines", "1", "--multi_gpu",
        "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(port),
        "-m", "auglift_hf.cli", "preprocess", str(tmp_path / "clip"), "--out", str(out), "--shard-size", "2",
        "--batch-size", "2", "--detector", "full-image", "--pose-model", str(tiny_backends["pose"]),
        "--depth-model", str(tiny_backends["depth"]), "--no-progress", "--local-files-only",
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ranks = {
        k: pq.read_schema(out / SHARD_DIR / f"shard-{k:06d}.parquet").metadata[b"auglift_rank"].decode()
        for k in range(5)
    }
    assert ranks == {0: "0", 1: "1", 2: "0", 3: "1", 4: "0"}
    rows = _read(out)
    assert rows["frame_index"] == list(range(10)) and all(rows["valid"])
    assert np.isfinite(np.asarray(rows["d"])).all()


def test_preprocess_cli_on_real_images_and_video(tiny_backends, shared_data, tmp_path, capsys):
    from auglift_hf.cli import main

    out = tmp_path / "out"
    argv = [
        "preprocess", str(shared_data / "images"), str(shared_data / "video" / "street_demo.mp4"), "--out", str(out),
        "--detector", str(tiny_backends["detector"]), "--detector-threshold", "0.0",
        "--pose-model", str(tiny_backends["pose"]), "--depth-model", str(tiny_backends["depth"]),
        "--device", "cpu", "--shard-size", "4", "--batch-size", "4", "--no-progress", "--local-files-only",
    ]  # fmt: skip
    assert main(argv) == 0
    rows = _read(out)
    assert len(rows["frame_index"]) == 3 + 5
    video = [i for i, s in enumerate(rows["source"]) if s.endswith("street_demo.mp4")]
    assert [rows["frame_index"][i] for i in video] == list(range(5))
    assert {(rows["image_width"][i], rows["image_height"][i]) for i in video} == {(960, 540)}
    np.testing.assert_allclose([rows["timestamp"][i] for i in video], np.arange(5) * 0.2, atol=1e-6)
    for key in ("keypoints_2d", "keypoint_scores", "d", "d_min", "d_max", "bbox"):
        assert np.isfinite(np.asarray(rows[key], np.float64)).all(), key
    assert all(e == "" for e in rows["error"])
    mtime = (out / MERGED_FILE).stat().st_mtime_ns
    shards = {p.name: p.stat().st_mtime_ns for p in (out / SHARD_DIR).iterdir()}
    assert main(argv) == 0  # resume of a finished run: every shard is skipped, the merge is redone
    assert {p.name: p.stat().st_mtime_ns for p in (out / SHARD_DIR).iterdir()} == shards
    assert (out / MERGED_FILE).stat().st_mtime_ns >= mtime and _read(out)["frame_index"] == rows["frame_index"]
    assert (
        main(["preprocess", str(tmp_path / "missing"), "--out", str(out)]) == 3
    )  # auglift_hf.errors: input not found
    assert "input not found" in capsys.readouterr().err


def test_assign_tracks_follows_boxes():
    from auglift_hf.preprocess.tracking import assign_tracks

    frames = np.array([0, 0, 1, 1, 2])
    boxes = np.array([[0, 0, 10, 10], [50, 50, 60, 60], [52, 51, 62, 61], [1, 0, 11, 10], [200, 200, 210, 210]], float)
    tracks = assign_tracks(frames, boxes, np.ones(5, bool))
    assert tracks.tolist() == [0, 1, 1, 0, 2]
    assert assign_tracks(frames, boxes, np.array([1, 1, 0, 1, 1], bool)).tolist() == [0, 1, -1, 0, 2]


def test_multi_person_rows_and_tracks_across_shards(tmp_path):
    class TwoPeople(MarkerDetector):
        """The marker person plus a second, lower-scoring box that swaps score order every other frame."""

        def __call__(self, images):
            dets = super().__call__(images)
            for d in dets:
                d.boxes = np.concatenate([d.boxes, [[2.0, 2.0, 30.0, 60.0]]]).astype(np.float32)
                d.scores = np.array([0.9, 0.95 if self.calls % 2 else 0.5], np.float32)
            return dets

    write_marker_frames(tmp_path / "clip", n=5)
    ex = XYCDExtractor(TwoPeople(), MarkerPose(), PlaneDepth(), multi_person=True)
    rows = pq.read_table(run_preprocess([tmp_path / "clip"], tmp_path / "out", ex, shard_size=2, batch_size=1,
                                        progress=False)).to_pydict()  # fmt: skip
    assert rows["frame_index"] == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4] and rows["person"] == [0, 1] * 5
    # the track follows the box, not the per-frame score rank (which flips), also across shard boundaries
    static = {t for box, t in zip(rows["bbox"], rows["track"]) if box[0] == 2.0}
    walker = {t for box, t in zip(rows["bbox"], rows["track"]) if box[0] != 2.0}
    assert len(static) == len(walker) == 1 and static != walker
