"""Feature-map sampling at keypoints and the percentile normaliser."""

import pytest
import torch

from auglift_hf.features import FeatureNormalizer, sample_feature_map


def _coord_map(h: int = 8, w: int = 10) -> torch.Tensor:
    """(1, 2, h, w): channel 0 = cell column, channel 1 = cell row."""
    yy, xx = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
    return torch.stack([xx, yy])[None]


def test_bilinear_recovers_cell_coordinates():
    feats = _coord_map()
    stride = 14.0
    cells = torch.tensor([[[2.25, 3.5], [0.0, 0.0], [8.9, 6.1]]])
    pixels = cells * stride + (stride - 1) / 2
    out = sample_feature_map(feats, pixels, stride=stride, mode="bilinear")
    torch.testing.assert_close(out, cells)


def test_nearest_k():
    feats = _coord_map()
    px = torch.tensor([[[3.0, 4.0]]]) * 16 + 7.5  # exactly on cell (3, 4) with stride 16
    one = sample_feature_map(feats, px, stride=16, mode="nearest_k", k=1)
    torch.testing.assert_close(one, torch.tensor([[[3.0, 4.0]]]))
    # between cells (3,4) and (4,4): the 2 nearest are those two -> mean x 3.5
    px2 = torch.tensor([[[3.4, 4.0]]]) * 16 + 7.5
    two = sample_feature_map(feats, px2, stride=16, mode="nearest_k", k=2)
    torch.testing.assert_close(two, torch.tensor([[[3.5, 4.0]]]))
    # at the corner cell only in-map cells are averaged
    corner = sample_feature_map(feats, torch.tensor([[[-100.0, -100.0]]]), stride=16, mode="nearest_k", k=4)
    assert torch.all(corner >= 0) and torch.all(corner <= 1)


def test_normalizer_fit_save_load(tmp_path):
    g = torch.Generator().manual_seed(0)
    data = torch.randn(5000, 3, generator=g) * torch.tensor([1.0, 10.0, 0.1]) + torch.tensor([0.0, 5.0, -2.0])
    norm = FeatureNormalizer().fit([data[:2500], data[2500:]])
    y = norm(data)
    assert y.min() >= -1 and y.max() <= 1
    inside = ((y > -1) & (y < 1)).float().mean(0)
    assert torch.all(inside > 0.95) and torch.all(inside < 0.99)
    for name in ("stats.json", "stats.safetensors"):
        path = norm.save(tmp_path / name)
        loaded = FeatureNormalizer.load(path)
        torch.testing.assert_close(loaded(data), y)
    with pytest.raises(ValueError, match="json or .safetensors"):
        norm.save(tmp_path / "stats.txt")
    with pytest.raises(ValueError, match="not fitted"):
        FeatureNormalizer()(data)
    with pytest.raises(FileNotFoundError):
        FeatureNormalizer.load(tmp_path / "missing.json")


def test_feature_map_bad_inputs():
    with pytest.raises(ValueError, match="features"):
        sample_feature_map(torch.zeros(1, 8, 8), torch.zeros(1, 17, 2))
    with pytest.raises(ValueError, match="keypoints"):
        sample_feature_map(torch.zeros(2, 3, 8, 8), torch.zeros(1, 17, 2))
    with pytest.raises(ValueError, match="mode"):
        sample_feature_map(torch.zeros(1, 3, 8, 8), torch.zeros(1, 17, 2), mode="cubic")
