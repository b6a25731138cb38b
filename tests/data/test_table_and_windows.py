"""Parquet table + card -> load_dataset -> PoseWindowDataset round trip; atomicity, CLI, mixing."""

from __future__ import annotations

import hashlib

import datasets
import numpy as np
import pytest
import torch

from auglift_hf.camera import normalize_screen_coordinates
from auglift_hf.data import (
    MixedWindowDataset,
    PoseWindowDataset,
    SequenceRecord,
    WeightedDatasetSampler,
    write_frame_table,
)
from auglift_hf.data.cli import main as convert_main
from auglift_hf.skeleton import H36M_FLIP_PERMUTATION

from .native_formats import write_3dpw, write_fit3d


def _record(subject="S9", action="Walk", camera="0", frames=30, split="test", seed=0, **kw) -> SequenceRecord:
    rng = np.random.default_rng(seed)
    k3 = rng.uniform([-0.5, -0.9, 4.0], [0.5, 0.9, 5.0], (frames, 17, 3))
    k2 = 1000 * k3[..., :2] / k3[..., 2:] + [500, 500]
    return SequenceRecord(
        dataset="toy", subject=subject, action=action, camera=camera, keypoints_2d=k2, keypoints_3d=k3,
        focal=[1000, 1000], center=[500, 500], image_size=(1000, 1002), fps=50, split=split, **kw,
    )  # fmt: skip


def _digest(folder) -> dict:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_table_round_trip_windows_and_idempotency(tmp_path):
    recs = [
        _record("S9", frames=30, seed=1),
        _record("S1", frames=20, split="train", seed=2),
        _record("S11", "Sit", frames=7, seed=3),
    ]
    out = tmp_path / "table"
    counts = write_frame_table(recs, out, dataset_name="h36m", progress=False)
    assert counts == {"gt2d": {"train": 20, "test": 37}}
    first = _digest(out)
    write_frame_table(list(reversed(recs)), out, dataset_name="h36m", progress=False)
    assert _digest(out) == first  # idempotent, order-independent
    card = (out / "README.md").read_text()
    assert "config_name: gt2d" in card and "Research use only" in card and "@article{h36m_pami" in card

    test = datasets.load_dataset(str(out), "gt2d", split="test")
    assert test.num_rows == 37 and set(test.unique("subject")) == {"S9", "S11"}
    row = test[0]
    assert np.asarray(row["keypoints_2d"]).shape == (17, 2) and np.asarray(row["keypoints_3d"]).shape == (17, 3)
    assert len(row["keypoint_scores"]) == 17

    ds = PoseWindowDataset(test, window_size=9, channels="x,y,c")
    assert len(ds) == 37 and ds.num_sequences == 2
    item = ds[0]
    assert item["keypoints"].shape == (9, 17, 3) and item["labels"].shape == (1, 17, 3)
    # rows are sorted (S11 first); item 0 is S11 frame 0: the left half of the window replicates frame 0
    s11 = recs[2]
    xy = normalize_screen_coordinates(s11.keypoints_2d, 1000, 1002)
    np.testing.assert_allclose(item["keypoints"][:5, :, :2].numpy(), np.repeat(xy[:1], 5, 0), atol=1e-5)
    np.testing.assert_allclose(item["keypoints"][5:, :, :2].numpy(), xy[1:5], atol=1e-5)
    np.testing.assert_allclose(item["keypoints"][..., 2].numpy(), 1.0)  # 2c - 1 with c = 1
    root_rel = s11.keypoints_3d[0] - s11.keypoints_3d[0, :1]
    np.testing.assert_allclose(item["labels"][0].numpy(), root_rel, atol=1e-6)
    # last window of S11 replicates its last frame, never leaks into S9
    last = ds[6]["keypoints"][..., :2].numpy()
    np.testing.assert_allclose(last[4:], np.repeat(xy[6:7], 5, 0), atol=1e-5)
    # the same from the folder path, with stride / frame_step / seq2seq targets
    ds2 = PoseWindowDataset(out, split="test", window_size=5, stride=2, frame_step=2, target_frames=5)
    assert len(ds2) == 4 + 15 and ds2[1]["labels"].shape == (5, 17, 3)
    batch = ds2.get_batch([0, 1, 2])
    for i in range(3):
        torch.testing.assert_close(batch["keypoints"][i], ds2[i]["keypoints"])


def test_windows_flip_and_processor_parity(tmp_path):
    write_frame_table([_record(frames=12)], tmp_path / "t", dataset_name="toy", progress=False)
    plain = PoseWindowDataset(tmp_path / "t", split="test", window_size=3)
    flipped = PoseWindowDataset(tmp_path / "t", split="test", window_size=3, flip_prob=1.0, seed=0)
    a, b = plain[4], flipped[4]
    perm = list(H36M_FLIP_PERMUTATION)
    torch.testing.assert_close(b["keypoints"][..., 0], -a["keypoints"][:, perm, 0])
    torch.testing.assert_close(b["keypoints"][..., 1], a["keypoints"][:, perm, 1])
    torch.testing.assert_close(b["labels"][..., 0], -a["labels"][:, perm, 0])
    half = PoseWindowDataset(tmp_path / "t", split="test", window_size=3, flip_prob=0.5, seed=3)
    draws = half.flips.copy()
    half.set_epoch(1)
    assert 0 < draws.sum() < len(draws) and not np.array_equal(draws, half.flips)
    half.set_epoch(0)
    np.testing.assert_array_equal(draws, half.flips)  # deterministic per (seed, epoch)
    try:
        from auglift_hf.processing_lifting import PoseLiftingProcessor
    except ImportError:
        pytest.skip("PoseLiftingProcessor not available")
    proc = PoseLiftingProcessor(input_channels=["x", "y", "c"], num_frames=3)
    via_proc = PoseWindowDataset(tmp_path / "t", split="test", window_size=3, processor=proc)
    own = PoseWindowDataset(tmp_path / "t", split="test", window_size=3, channels="x,y,c")
    np.testing.assert_allclose(via_proc.features, own.features, atol=1e-6)


def test_depth_source_callable_and_synthetic(tmp_path):
    def fake_depth(k3, k2, scores, f, c, size):
        return np.stack([k3[..., 2], k3[..., 2] - 0.05, k3[..., 2] + 0.05], -1)

    fake_depth.channels = ("d", "d_min", "d_max")
    rec = _record(frames=6)
    write_frame_table([rec], tmp_path / "d", dataset_name="toy", depth_source=fake_depth, progress=False)
    table = datasets.load_dataset(str(tmp_path / "d"), "gt2d", split="test")
    assert {"d", "d_min", "d_max"} <= set(table.column_names)
    ds = PoseWindowDataset(table, window_size=1, channels="x,y,c,d,d_min,d_max")
    x = ds[2]["keypoints"][0].numpy()
    z = rec.keypoints_3d[2, :, 2]
    np.testing.assert_allclose(x[:, 3], np.clip(z - z[0], -2, 2) / 2, atol=1e-5)
    np.testing.assert_allclose(x[:, 4], -0.05, atol=1e-5)
    with pytest.raises(ValueError, match="channel `d` needs a depth column"):
        PoseWindowDataset(_no_depth_table(tmp_path), split="test", window_size=1, channels="x,y,d")
    with pytest.raises(ValueError, match="depth_source"):
        write_frame_table([rec], tmp_path / "bad", dataset_name="toy", depth_source="magic", progress=False)
    write_frame_table([rec], tmp_path / "syn", dataset_name="toy", depth_source="synthetic", progress=False)
    syn = datasets.load_dataset(str(tmp_path / "syn"), "gt2d", split="test").with_format("numpy")
    d = np.stack(syn["d"])
    assert d.shape == (6, 17) and np.all(d > 3.5) and np.all(d < 10.0)  # body surface at the subject's distance
    assert "synthetic" in (tmp_path / "syn" / "README.md").read_text()
    # the card records the table's input contract: metric depth + the descriptor it was made with
    from auglift_hf.contract import DEFAULT_DEPTH_MODEL, InputContract

    c = InputContract.from_dataset_card(tmp_path / "syn")
    assert c.depth_kind == "metric" and c.depth_model == DEFAULT_DEPTH_MODEL and c.keypoint_definition == "h36m"
    assert c.depth_descriptor["mode"] == "casp" and c.depth_descriptor["num_samples"] == 16
    assert InputContract.from_dataset_card(tmp_path / "syn", config="detected2d").keypoint_definition == "coco"
    # a table without depth columns records "no depth"; one with depth of unknown provenance records nothing
    nd = InputContract.from_dataset_card(_no_depth_table(tmp_path))
    assert nd.depth_kind is None and nd.depth_descriptor is None
    assert InputContract.from_dataset_card(tmp_path / "d") is None


def _no_depth_table(tmp_path):
    write_frame_table([_record(frames=3)], tmp_path / "nd", dataset_name="toy", progress=False)
    return tmp_path / "nd"


def test_bad_records_leave_no_partial_output(tmp_path):
    out = tmp_path / "out"
    write_frame_table([_record(frames=5)], out, dataset_name="toy", progress=False)
    before = _digest(out)
    k3 = np.full((4, 17, 3), np.nan)
    with pytest.raises(ValueError, match="NaN"):
        SequenceRecord(
            dataset="toy", subject="S1", action="a", camera="0", keypoints_2d=np.zeros((4, 17, 2)), keypoints_3d=k3,
            focal=[1, 1], center=[0, 0], image_size=(10, 10), fps=1, split="train",
        )  # fmt: skip
    with pytest.raises(ValueError, match="empty sequence"):
        _record(frames=0)
    with pytest.raises(ValueError, match=r"`keypoints_2d` must have shape \(3, 17, 2\)"):
        SequenceRecord(
            dataset="toy", subject="S1", action="a", camera="0", keypoints_2d=np.zeros((3, 16, 2)),
            keypoints_3d=np.ones((3, 17, 3)), focal=[1, 1], center=[0, 0], image_size=(10, 10), fps=1, split="train",
        )  # fmt: skip

    def exploding(*args):
        raise RuntimeError("depth backend crashed")

    with pytest.raises(RuntimeError):
        write_frame_table(
            [_record(frames=5), _record("S1", frames=5)],
            out,
            dataset_name="toy",
            depth_source=exploding,
            progress=False,
        )
    assert _digest(out) == before  # the previous table is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temp dirs left behind
    with pytest.raises(ValueError, match="duplicate sequence"):
        write_frame_table([_record(), _record()], tmp_path / "dup", dataset_name="toy", progress=False)
    assert not (tmp_path / "dup").exists()


def test_cli_convert_3dpw_detected_config_and_fit3d(tmp_path, capsys):
    write_3dpw(tmp_path / "3dpw", "train", name="courtyard_a_00", frames=10, actors=1)
    write_3dpw(tmp_path / "3dpw", "test", name="downtown_b_00", frames=8, actors=2)
    assert convert_main(["3dpw", str(tmp_path / "3dpw"), "--out", str(tmp_path / "pw"), "--no-progress"]) == 0
    assert "detected2d" in capsys.readouterr().out
    det = datasets.load_dataset(str(tmp_path / "pw"), "detected2d", split="test")
    gt = datasets.load_dataset(str(tmp_path / "pw"), "gt2d", split="test")
    assert det.num_rows == gt.num_rows == 16 and det[0]["keypoints_3d"] == gt[0]["keypoints_3d"]
    assert det[0]["keypoints_2d"] != gt[0]["keypoints_2d"]
    write_fit3d(tmp_path / "fit3d", frames=6)
    assert (
        convert_main(
            ["fit3d", str(tmp_path / "fit3d"), "--out", str(tmp_path / "f3"), "--max-frames", "4", "--no-progress"]
        )
        == 0
    )
    f3 = datasets.load_dataset(str(tmp_path / "f3"), "gt2d", split="train")
    assert f3.num_rows == 3 * 2 * 2 * 4
    assert convert_main(["fit3d", str(tmp_path / "fit3d"), "--out", str(tmp_path / "x"), "--subjects", "s42"]) == 2
    assert "unknown subject" in capsys.readouterr().err and not (tmp_path / "x").exists()


def test_mixing_balanced_and_weighted(tmp_path):
    write_frame_table([_record(frames=40)], tmp_path / "a", dataset_name="toy", progress=False)
    write_frame_table([_record(frames=4, seed=5)], tmp_path / "b", dataset_name="toy", progress=False)
    a = PoseWindowDataset(tmp_path / "a", split="test", window_size=3)
    b = PoseWindowDataset(tmp_path / "b", split="test", window_size=3)
    mix = MixedWindowDataset([a, b], weights="balanced", num_samples=4000, seed=0)
    share = np.bincount(mix.which, minlength=2) / 4000
    assert abs(share[1] - 0.5) < 0.05  # the small dataset is up-weighted to half
    assert mix[0]["keypoints"].shape == (3, 17, 2) and int(mix[0]["dataset_id"]) == mix.which[0]
    prop = MixedWindowDataset([a, b], weights=None, num_samples=4000, seed=0)
    assert abs(np.bincount(prop.which, minlength=2)[1] / 4000 - 4 / 44) < 0.03
    sampler = WeightedDatasetSampler([len(a), len(b)], weights=[0.0, 1.0], num_samples=50, seed=1)
    idx = list(sampler)
    assert len(idx) == 50 and all(40 <= i < 44 for i in idx) and idx == list(sampler)
    loader = torch.utils.data.DataLoader(mix, batch_size=8)
    assert next(iter(loader))["keypoints"].shape == (8, 3, 17, 2)
    with pytest.raises(ValueError, match="weights"):
        MixedWindowDataset([a, b], weights=[1.0])


def test_tables_of_one_name_and_size_are_not_served_from_each_others_cache(tmp_path):
    """Two tables named ``test`` whose cards agree (same features, rows and Parquet sizes) but whose values differ:
    ``datasets`` keys its cache of a local folder by the folder name, config and card, so the second was served the
    first one's rows (failed before: the 25 Hz table loaded with fps 24)."""
    from auglift_hf.data.windows import load_frame_table

    tables = {}
    for fps in (24, 25):
        rec = _record("S9", frames=12, seed=7)
        rec.fps = float(fps)
        out = tmp_path / f"at{fps}" / "test"
        write_frame_table([rec], out, dataset_name="h36m", progress=False)
        tables[fps] = out
    assert (tables[24] / "README.md").read_text() == (tables[25] / "README.md").read_text()  # the cache-key inputs
    for fps, out in tables.items():
        assert set(load_frame_table(out, "gt2d", "test").column("fps").to_pylist()) == {float(fps)}


def test_declared_split_files(tmp_path):
    from auglift_hf.data.windows import declared_split_files

    tables = {25: tmp_path / "test"}
    write_frame_table([_record("S9", frames=5)], tables[25], dataset_name="h36m", progress=False)
    files = declared_split_files(tables[25], "gt2d", "test")
    assert files == [str((tables[25] / "gt2d" / "test-00000-of-00001.parquet").resolve())]
    assert declared_split_files(tables[25], "gt2d", "train") is None
    assert declared_split_files(tmp_path, "gt2d", "test") is None  # no card


def _bodies(n=3, frames=6):
    """Small sequences with plausible bodies (H36M camera distances) and detections, for the depth simulations."""
    recs = []
    for i in range(n):
        rec = _record(f"S{i + 1}", frames=frames, split="train" if i else "test", seed=10 + i)
        rec.detected_2d = rec.keypoints_2d + np.random.default_rng(i).normal(0, 2, rec.keypoints_2d.shape)
        rec.detected_scores = np.full(rec.keypoints_2d.shape[:2], 0.8)
        recs.append(rec)
    return recs


@pytest.mark.parametrize("simulation", ["capsule-v1", "surface-v2"])
def test_parallel_depth_gives_the_serial_table_byte_for_byte(tmp_path, simulation):
    """``workers=2`` simulates sequences in forked processes with the serial run's call seeds; a source reused for a
    second table continues its numbering in both."""
    from auglift_hf.data.schema import synthetic_depth_source
    from auglift_hf.simulation.surface_depth import surface_depth_source

    def source():
        if simulation == "surface-v2":
            return surface_depth_source(seed=3, severity_range=(2.0, 4.0))
        return synthetic_depth_source(seed=3)

    digests = {}
    for workers in (1, 2):
        src = source()
        for table in ("a", "b"):
            out = tmp_path / f"{table}{workers}"
            write_frame_table(_bodies(), out, dataset_name="toy", depth_source=src, progress=False, workers=workers)
            digests[(table, workers)] = _digest(out)
    assert digests[("a", 1)] == digests[("a", 2)] and digests[("b", 1)] == digests[("b", 2)]
    assert digests[("a", 1)] != digests[("b", 1)]  # the second table drew new seeds
    from auglift_hf.data.windows import column_numpy, load_frame_table

    table = load_frame_table(tmp_path / "a2", "detected2d", "train")
    depth = np.stack([column_numpy(table, c, (17,)) for c in ("d", "d_min", "d_max")], -1)
    assert np.isfinite(depth).all() and (depth[..., 0] > 1.0).mean() > 0.9  # metres, the bodies ~4-5 m away


def test_parallel_depth_refuses_a_source_that_cannot_replay_its_calls(tmp_path):
    def custom(k3, k2, scores, focal, center, size):
        return np.zeros((len(k3), 17, 1))

    with pytest.raises(ValueError, match="workers > 1 needs a depth source"):
        write_frame_table(
            _bodies(), tmp_path / "t", dataset_name="toy", depth_source=custom, workers=2, progress=False
        )
    assert not (tmp_path / "t").exists()
    with pytest.raises(ValueError, match="`workers` must be >= 1"):
        write_frame_table(_bodies(), tmp_path / "t", dataset_name="toy", workers=0, progress=False)


def test_depth_cache_resumes_an_interrupted_write_with_the_same_bytes(tmp_path, monkeypatch):
    from auglift_hf.data import schema
    from auglift_hf.data.schema import synthetic_depth_source

    reference = tmp_path / "reference"
    write_frame_table(_bodies(), reference, dataset_name="toy", depth_source=synthetic_depth_source(seed=5),
                      progress=False)  # fmt: skip
    cache, out = tmp_path / "cache", tmp_path / "table"
    real, calls = schema._apply_depth, []

    def dies_on_the_fourth(*args):
        calls.append(args[-1])
        if len(calls) == 4:
            raise KeyboardInterrupt  # the session ends mid-table
        return real(*args)

    monkeypatch.setattr(schema, "_apply_depth", dies_on_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        write_frame_table(_bodies(), out, dataset_name="toy", depth_source=synthetic_depth_source(seed=5),
                          progress=False, depth_cache=cache)  # fmt: skip
    assert not out.exists() and sorted(p.name for p in cache.glob("*.npy")) == ["1.npy", "2.npy", "3.npy"]
    with pytest.raises(ValueError, match="made for another depth source"):  # another seed: refused, cache kept
        write_frame_table(_bodies(), out, dataset_name="toy", depth_source=synthetic_depth_source(seed=6),
                          progress=False, depth_cache=cache)  # fmt: skip
    calls.clear()
    write_frame_table(_bodies(), out, dataset_name="toy", depth_source=synthetic_depth_source(seed=5),
                      progress=False, depth_cache=cache)  # fmt: skip
    assert calls == [4, 5, 6]  # only the three sequences x passes not cached were simulated
    assert _digest(out) == _digest(reference) and not cache.exists()


def test_depth_cache_refuses_a_folder_holding_user_files(tmp_path):
    from auglift_hf.data.schema import synthetic_depth_source

    cache = tmp_path / "mine"
    cache.mkdir()
    (cache / "notes.txt").write_text("the user's")
    with pytest.raises(ValueError, match="not empty and not a depth cache"):
        write_frame_table(_bodies(), tmp_path / "t", dataset_name="toy", depth_source=synthetic_depth_source(seed=5),
                          progress=False, depth_cache=cache)  # fmt: skip
    assert sorted(p.name for p in cache.iterdir()) == ["notes.txt"] and not (tmp_path / "t").exists()


def test_depth_cache_names_an_unreadable_entry(tmp_path, monkeypatch):
    from auglift_hf.data import schema
    from auglift_hf.data.schema import synthetic_depth_source

    cache, out = tmp_path / "cache", tmp_path / "table"
    real, calls = schema._apply_depth, []

    def dies_on_the_third(*args):
        calls.append(args[-1])
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(schema, "_apply_depth", dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        write_frame_table(_bodies(), out, dataset_name="toy", depth_source=synthetic_depth_source(seed=5),
                          progress=False, depth_cache=cache)  # fmt: skip
    (cache / "1.npy").write_bytes(b"\x93NUMPY truncated")  # changed outside the package
    monkeypatch.setattr(schema, "_apply_depth", real)
    with pytest.raises(ValueError, match=r"depth cache .*1\.npy: unreadable .*delete that file"):
        write_frame_table(_bodies(), out, dataset_name="toy", depth_source=synthetic_depth_source(seed=5),
                          progress=False, depth_cache=cache)  # fmt: skip
    assert not out.exists() and (cache / "2.npy").is_file()  # nothing written, the rest of the cache kept
