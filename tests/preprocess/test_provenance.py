"""Provenance of the preprocessing backends in plan.json / the dataset card, and the refusal of a resumed run
with any other setting (issue 25 item 6)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time

import pytest

from auglift_hf.preprocess import XYCDExtractor
from auglift_hf.preprocess.sharding import load_or_create_plan, make_plan

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _extractor(tiny, **kw):
    return XYCDExtractor(
        detector=str(tiny["detector"]), pose_estimator=str(tiny["pose"]), depth_estimator=str(tiny["depth_metric"]),
        device="cpu", local_files_only=True, **kw,
    )  # fmt: skip


def test_describe_records_each_backends_settings(tiny_backends):
    """Before: plan.json / the card had the backend ids only."""
    backends = _extractor(tiny_backends, detector_threshold=0.4, pose_flip_test=True).describe()["backends"]
    det, pose, depth = backends["detector"], backends["pose_estimator"], backends["depth_estimator"]
    assert det["class"] == "HFPersonDetector" and det["checkpoint"] == str(tiny_backends["detector"])
    assert det["threshold"] == 0.4 and det["nms_iou"] == 0.5 and det["dtype"] == "float32"
    assert det["input_size"] == {"height": 128, "width": 128} and det["revision"] is None  # a plain folder
    assert pose["flip_test"] is True and pose["input_size"] == {"height": 64, "width": 48}
    assert depth["kind"] == "metric" and depth["max_depth"] == 20.0 and depth["input_size"] == 518
    assert depth["invalid_from"] == pytest.approx(19.8) and depth["pos_embed_interpolation"].startswith("original")
    json.dumps(backends)  # plain JSON


def test_revision_of_a_hub_cache_snapshot_and_of_a_local_dir_download(tiny_backends, tmp_path, monkeypatch):
    import huggingface_hub.constants

    from auglift_hf.preprocess.detector import HFPersonDetector
    from auglift_hf.preprocess.provenance import backend_provenance, checkpoint_revision

    # the huggingface_hub cache layout of a downloaded id: models--org--name/{refs/main, snapshots/<commit>/}
    repo = tmp_path / "hub" / "models--someone--tiny-rtdetr"
    shutil.copytree(tiny_backends["detector"], repo / "snapshots" / COMMIT)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(COMMIT)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    assert checkpoint_revision("someone/tiny-rtdetr") == COMMIT
    det = HFPersonDetector("someone/tiny-rtdetr", device="cpu", local_files_only=True)
    assert backend_provenance(det)["revision"] == COMMIT
    assert checkpoint_revision(str(repo / "snapshots" / COMMIT)) == COMMIT  # the snapshot folder given as a path
    assert checkpoint_revision("someone/not-downloaded") is None
    # `huggingface-cli download --local-dir`: .cache/huggingface/download/config.json.metadata
    local = tmp_path / "local"
    shutil.copytree(tiny_backends["detector"], local)
    meta = local / ".cache" / "huggingface" / "download"
    meta.mkdir(parents=True)
    (meta / "config.json.metadata").write_text(f"{COMMIT}\n{'e' * 40}\n{time.time() + 5:.3f}\n")
    assert checkpoint_revision(str(local)) == COMMIT
    later = time.time() + 60  # config.json edited after the download: the record no longer names these files
    os.utime(local / "config.json", (later, later))
    assert checkpoint_revision(str(local)) is None


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"detector_threshold": 0.5}, r"config\.backends\.detector\.threshold = 0\.3 there, 0\.5 in this run"),
        ({"pose_flip_test": True}, r"config\.backends\.pose_estimator\.flip_test = false there, true in this run"),
        ({"dtype": "bf16"}, r"config\.backends\.detector\.dtype = \"float32\" there, \"bfloat16\" in this run"),
    ],
)
def test_resume_with_another_backend_setting_is_refused_naming_it(tiny_backends, tmp_path, change, named):
    """Before: a resumed run with another threshold / flip test / dtype mixed its shards with the earlier ones."""
    first = make_plan([], 4, {**_extractor(tiny_backends).describe(), "dataset": "custom"})
    load_or_create_plan(tmp_path, first)
    again = make_plan([], 4, {**_extractor(tiny_backends, **change).describe(), "dataset": "custom"})
    with pytest.raises(ValueError, match=named) as err:
        load_or_create_plan(tmp_path, again)
    assert "\n" not in str(err.value) and "--overwrite" in str(err.value)
    assert load_or_create_plan(tmp_path, first) == json.loads(json.dumps(first))  # the same settings resume


def test_join_resume_names_the_difference(tiny_backends, tmp_path):
    from auglift_hf.data.join import _load_or_create_plan
    from auglift_hf.errors import OutputError

    settings = {"version": 1, "extractor": _extractor(tiny_backends).describe(), "shard_size": 4}
    _load_or_create_plan(tmp_path, settings, False)
    other = {**settings, "extractor": _extractor(tiny_backends, detector_threshold=0.6).describe()}
    with pytest.raises(OutputError, match=r"extractor\.backends\.detector\.threshold = 0\.3 there, 0\.6"):
        _load_or_create_plan(tmp_path, other, False)


def test_plan_of_an_older_auglift_resumes_with_a_warning(tiny_backends, tmp_path, caplog):
    fresh = make_plan([], 4, {**_extractor(tiny_backends).describe(), "dataset": "custom"})
    old = json.loads(json.dumps(fresh))
    del old["config"]["backends"]  # written before backends were recorded
    (tmp_path / "plan.json").write_text(json.dumps(old))
    with caplog.at_level(logging.WARNING, logger="auglift_hf.preprocess.provenance"):
        assert load_or_create_plan(tmp_path, fresh) == old
    assert "did not record config.backends" in caplog.text


def test_dataset_card_carries_the_backend_provenance(tmp_path):
    import yaml

    from auglift_hf.preprocess import run_preprocess
    from auglift_hf.preprocess.testing import MarkerDetector, MarkerPose, PlaneDepth, write_marker_frames

    write_marker_frames(tmp_path / "clip", n=2)
    ex = XYCDExtractor(MarkerDetector(), MarkerPose(), PlaneDepth())
    run_preprocess([tmp_path / "clip"], tmp_path / "out", ex, shard_size=2, progress=False)
    front = yaml.safe_load((tmp_path / "out" / "README.md").read_text().split("---\n")[1])
    assert front["auglift_backends"] == ex.describe()["backends"]
    assert front["auglift_backends"]["depth_estimator"]["class"] == "PlaneDepth"
    plan = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert plan["config"]["backends"] == ex.describe()["backends"]
