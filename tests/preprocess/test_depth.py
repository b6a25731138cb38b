"""Depth backend semantics: Depth Anything V2's own ``infer_image`` (short side 518, multiple of 14, bicubic in,
bilinear ``align_corners=True`` out), metric vs relative, masking of invalid depth, fp32 head, real configs."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from auglift_hf.contract import DEFAULT_DEPTH_MODEL
from auglift_hf.preprocess.depth import (
    DEPTH_CHECKPOINTS,
    HFDepthEstimator,
    depth_anything_input_size,
    resolve_depth_checkpoint,
)

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406])
IMAGENET_STD = np.array([0.229, 0.224, 0.225])


def test_default_and_named_checkpoints():
    assert DEFAULT_DEPTH_MODEL == "depth-anything/Depth-Anything-V2-Metric-Indoor-Large-hf"
    assert resolve_depth_checkpoint("metric-indoor") == DEFAULT_DEPTH_MODEL
    assert (
        resolve_depth_checkpoint("metric-outdoor-small") == "depth-anything/Depth-Anything-V2-Metric-Outdoor-Small-hf"
    )
    assert resolve_depth_checkpoint("relative-small") == "depth-anything/Depth-Anything-V2-Small-hf"
    assert resolve_depth_checkpoint("/some/folder") == "/some/folder"
    assert all("Metric" in v for k, v in DEPTH_CHECKPOINTS.items() if k.startswith("metric"))


@pytest.mark.parametrize(
    ("hw", "expected"),
    [
        # hand computation of Resize(518, 518, keep_aspect_ratio, multiple 14, "lower_bound").get_size:
        # scale = max(518 / h, 518 / w); side = round(scale * side / 14) * 14, ceil when below 518
        ((360, 640), (518, 924)),  # 640 * 518 / 360 = 920.9 -> 65.78 * 14 -> 66 * 14 = 924
        ((640, 360), (924, 518)),  # portrait: the short side is the width
        ((1080, 1920), (518, 924)),
        ((480, 640), (518, 686)),  # 690.7 / 14 = 49.33 -> 49 * 14 = 686
        ((1000, 1000), (518, 518)),
        ((50, 100), (518, 1036)),  # upscaling: 1036 = 74 * 14
    ],
)
def test_input_size_is_short_side_lower_bound_518(hw, expected):
    assert depth_anything_input_size(*hw) == expected
    h, w = expected
    assert h % 14 == 0 and w % 14 == 0 and min(h, w) >= 518


@pytest.fixture(scope="module")
def depth_models(tmp_path_factory):
    from auglift_hf.preprocess.testing import save_tiny_depth_model

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("depth")
    return {
        "metric": save_tiny_depth_model(root / "metric", metric=True),
        "relative": save_tiny_depth_model(root / "relative", metric=False),
    }


def test_tiny_configs_carry_the_real_decisive_fields(depth_models):
    metric = json.loads((depth_models["metric"] / "config.json").read_text())
    relative = json.loads((depth_models["relative"] / "config.json").read_text())
    assert metric["depth_estimation_type"] == "metric" and metric["max_depth"] == 20  # Metric-Indoor-*-hf
    assert relative["depth_estimation_type"] == "relative" and relative["max_depth"] == 1
    est = HFDepthEstimator(str(depth_models["metric"]), device="cpu")
    assert est.kind == "metric" and est.max_depth == 20.0
    rel = HFDepthEstimator(str(depth_models["relative"]), device="cpu")
    assert rel.kind == "relative" and rel.max_depth is None


def test_model_input_is_infer_image_size_and_normalisation(depth_models):
    est = HFDepthEstimator(str(depth_models["metric"]), device="cpu")
    seen = {}
    handle = est.model.register_forward_pre_hook(
        lambda mod, args, kwargs: seen.update(pv=kwargs["pixel_values"].clone()), with_kwargs=True
    )
    try:
        img = np.full((360, 640, 3), (200, 100, 50), np.uint8)  # a constant image: bicubic keeps it constant
        (m,) = est([img])
    finally:
        handle.remove()
    pv = seen["pv"]
    assert tuple(pv.shape) == (1, 3, 518, 924)  # not transformers' "as little as possible" 294 x 518
    expected = (np.array([200, 100, 50]) / 255.0 - IMAGENET_MEAN) / IMAGENET_STD
    np.testing.assert_allclose(pv[0].mean(dim=(1, 2)).numpy(), expected, atol=1e-5)
    assert float(pv.std(dim=(2, 3)).max()) < 1e-5
    assert m.shape == (360, 640) and m.dtype == np.float32


def test_bicubic_input_resize_matches_torch_bicubic_half_pixel(depth_models):
    est = HFDepthEstimator(str(depth_models["metric"]), device="cpu")
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    pv = est.pixel_values([img])
    assert tuple(pv.shape) == (1, 3, 518, 784)  # 30 * 518 / 20 = 777 -> 55.5 -> round half to even 56 * 14
    ref = torch.nn.functional.interpolate(
        torch.from_numpy(img).permute(2, 0, 1)[None].double() / 255.0, size=(518, 784), mode="bicubic",
        align_corners=False,
    )  # fmt: skip
    ref = (ref - torch.tensor(IMAGENET_MEAN)[:, None, None]) / torch.tensor(IMAGENET_STD)[:, None, None]
    np.testing.assert_allclose(pv.numpy(), ref.float().numpy(), atol=1e-5)
    # bicubic, not bilinear: the two differ on a random image
    bil = torch.nn.functional.interpolate(
        torch.from_numpy(img).permute(2, 0, 1)[None].float() / 255.0, size=(518, 784), mode="bilinear"
    )
    bil = (bil - torch.tensor(IMAGENET_MEAN, dtype=torch.float32)[:, None, None]) / torch.tensor(
        IMAGENET_STD, dtype=torch.float32
    )[:, None, None]
    assert float((bil - pv).abs().max()) > 0.05


def _stub(est: HFDepthEstimator, pred: list[list[float]]) -> None:
    """Make the model return a fixed (1, h, w) prediction whatever the input."""
    t = torch.tensor([pred], dtype=torch.float32)
    est.model = lambda pixel_values: SimpleNamespace(predicted_depth=t.expand(len(pixel_values), -1, -1))


def test_prediction_upsampled_bilinearly_with_aligned_corners(depth_models):
    est = HFDepthEstimator(str(depth_models["metric"]), device="cpu")
    _stub(est, [[1.0, 2.0], [3.0, 4.0]])
    (m,) = est([np.zeros((4, 4, 3), np.uint8)])
    # hand computation of infer_image's F.interpolate(..., mode="bilinear", align_corners=True) from 2x2 to 4x4:
    # sample positions 0, 1/3, 2/3, 1 on both axes -> value = 1 + x + 2 y
    i, j = np.mgrid[0:4, 0:4] / 3.0
    np.testing.assert_allclose(m, 1.0 + j + 2.0 * i, rtol=1e-6)
    # (bicubic / half-pixel would give 1.25 next to the corner, not 1.333)
    assert m[0, 1] == pytest.approx(4.0 / 3.0, rel=1e-6)


def test_invalid_metric_depth_is_masked_never_a_number(depth_models):
    est = HFDepthEstimator(str(depth_models["metric"]), device="cpu")
    pred = [[0.0, -1.0, float("nan")], [20.0, 35.0, 4.5]]  # zero, negative, NaN, saturated, beyond, valid
    _stub(est, pred)
    (m,) = est([np.zeros((2, 3, 3), np.uint8)])  # same size: the upsampling is the identity
    assert np.isnan(m[0]).all() and np.isnan(m[1, :2]).all()
    assert m[1, 2] == pytest.approx(4.5)


def test_metric_readings_in_the_band_below_max_depth_are_invalid(depth_models):
    """The sigmoid head reaches max_depth exactly only when fp32 rounds it to 1: 19.999 m is its clamp, not a depth
    (failed before: only ``>= max_depth`` was masked)."""
    from auglift_hf.preprocess.depth import MAX_DEPTH_BAND

    est = HFDepthEstimator(str(depth_models["metric"]), device="cpu")
    assert MAX_DEPTH_BAND == 0.01 and est.invalid_from == pytest.approx(19.8)
    _stub(est, [[20.0 * torch.sigmoid(torch.tensor(12.0)).item(), 19.81], [19.79, 4.5]])  # logit 12: 19.9999 m
    (m,) = est([np.zeros((2, 2, 3), np.uint8)])
    assert np.isnan(m[0]).all()
    np.testing.assert_allclose(m[1], [19.79, 4.5], rtol=1e-6)


def test_upsampled_pixels_touching_an_invalid_network_pixel_are_invalid(depth_models):
    """A pixel interpolated between a saturated network pixel and a wall at 4 m is no depth (it read 4-20 m)."""
    est = HFDepthEstimator(str(depth_models["metric"]), device="cpu")
    _stub(est, [[4.0, 20.0], [4.0, 4.0]])
    (m,) = est([np.zeros((4, 4, 3), np.uint8)])
    # align_corners=True from 2x2 to 4x4: output (i, j) samples (i / 3, j / 3); network pixel (0, 1) has weight
    # (1 - i / 3) * (j / 3) > 0 exactly when j > 0 and i < 3
    i, j = np.mgrid[0:4, 0:4]
    touching = (j > 0) & (i < 3)
    assert np.isnan(m[touching]).all()
    np.testing.assert_allclose(m[~touching], 4.0, rtol=1e-6)


def _original_pos_embed(pos: torch.Tensor, h0: int, w0: int) -> torch.Tensor:
    """Transcription of depth_anything_v2/dinov2.py:179-210 (interpolate_offset 0.1, no antialias)."""
    n = pos.shape[1] - 1
    m = int(np.sqrt(n))
    sx, sy = (h0 + 0.1) / m, (w0 + 0.1) / m
    grid = pos[:, 1:].float().reshape(1, m, m, -1).permute(0, 3, 1, 2)
    grid = torch.nn.functional.interpolate(grid, scale_factor=(sx, sy), mode="bicubic", antialias=False)
    return torch.cat([pos[:, :1].float(), grid.permute(0, 2, 3, 1).reshape(1, h0 * w0, -1)], 1)


@pytest.mark.parametrize("hw", [(924, 518), (518, 924), (518, 686)])  # 3DPW portrait, 3DHP TS5-6 / 16:9, 4:3
def test_position_embeddings_interpolated_as_the_original(depth_models, hw):
    """transformers interpolates with ``size=``, the official code with ``scale_factor=(n + 0.1) / M`` (failed
    before: the estimator ran transformers' variant)."""
    est = HFDepthEstimator(str(depth_models["metric"]), device="cpu")
    emb = est.model.backbone.embeddings
    h, w = hw
    tokens = torch.zeros(1, (h // 14) * (w // 14) + 1, emb.position_embeddings.shape[-1])
    with torch.no_grad():
        got = emb.interpolate_pos_encoding(tokens, h, w)
        ref = _original_pos_embed(emb.position_embeddings, h // 14, w // 14)
        hf = type(emb).interpolate_pos_encoding(emb, tokens, h, w)
    torch.testing.assert_close(got, ref, rtol=0, atol=1e-6)
    assert (hf - ref).abs().max() > 0.02 * emb.position_embeddings.std()  # the two variants differ on this size
    square = torch.zeros_like(emb.position_embeddings)  # the pretrained grid itself: no interpolation
    assert emb.interpolate_pos_encoding(square, 56, 56) is emb.position_embeddings


def test_relative_output_is_disparity_as_predicted_never_inverted(depth_models):
    est = HFDepthEstimator(str(depth_models["relative"]), device="cpu")
    _stub(est, [[0.0, 0.5], [2.0, 1000.0]])
    (m,) = est([np.zeros((2, 2, 3), np.uint8)])
    # zero disparity (sky, undershoot) is invalid, not a depth of 1e6 m; no max_depth cut, no 1 / disparity
    assert np.isnan(m[0, 0])
    np.testing.assert_allclose(m.ravel()[1:], [0.5, 2.0, 1000.0])


def test_real_model_output_equals_hand_pipeline(depth_models):
    """The whole estimator = bicubic resize + ImageNet normalisation + model + bilinear(align_corners) by hand."""
    est = HFDepthEstimator(str(depth_models["metric"]), device="cpu")
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (60, 40, 3), dtype=np.uint8)  # portrait: 518 wide, 777 -> 56 * 14 = 784 tall
    (m,) = est([img])
    x = torch.from_numpy(img).permute(2, 0, 1)[None].float() / 255.0
    x = torch.nn.functional.interpolate(x, size=(784, 518), mode="bicubic", align_corners=False)
    x = (x - torch.tensor(IMAGENET_MEAN, dtype=torch.float32)[:, None, None]) / torch.tensor(
        IMAGENET_STD, dtype=torch.float32
    )[:, None, None]
    with torch.no_grad():
        pred = est.model(pixel_values=x).predicted_depth
    assert tuple(pred.shape) == (1, 784, 518)
    ref = torch.nn.functional.interpolate(pred[:, None], size=(60, 40), mode="bilinear", align_corners=True)[0, 0]
    ref = torch.where((ref > 0) & (ref < 20.0), ref, torch.nan).numpy()
    np.testing.assert_allclose(m, ref, rtol=1e-5, atol=1e-5)


def test_depth_head_runs_in_fp32_under_bf16(depth_models):
    est = HFDepthEstimator(str(depth_models["metric"]), device="cpu", dtype="bf16")
    assert next(est.model.backbone.parameters()).dtype == torch.bfloat16
    assert all(p.dtype == torch.float32 for p in est.model.head.parameters())
    seen = {}
    est.model.head.register_forward_hook(lambda mod, args, out: seen.update(inp=args[0][0].dtype, out=out.dtype))
    (m,) = est([np.full((28, 28, 3), 120, np.uint8)])
    assert seen == {"inp": torch.float32, "out": torch.float32}
    assert m.dtype == np.float32 and np.isfinite(m).all()


def test_save_tiny_backends_metric_and_variants(tmp_path):
    from auglift_hf.preprocess.detector import HFPersonDetector
    from auglift_hf.preprocess.testing import COCO_80_CLASSES, save_tiny_backends

    paths = save_tiny_backends(tmp_path, metric_depth=True)
    cfg = json.loads((paths["depth"] / "config.json").read_text())
    assert cfg["depth_estimation_type"] == "metric" and cfg["max_depth"] == 20
    det_cfg = json.loads((paths["detector"] / "config.json").read_text())
    assert len(det_cfg["id2label"]) == 80 and det_cfg["id2label"]["0"] == "person"
    assert det_cfg["id2label"]["79"] == "toothbrush" and len(COCO_80_CLASSES) == 80
    assert HFPersonDetector(str(paths["detector"]), device="cpu").person_label == 0
