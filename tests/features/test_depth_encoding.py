"""Depth-channel encodings (issue 24 item 4): the package's and AugLift's own, recorded in the input contract."""

import numpy as np
import pytest

from auglift_hf import PoseLiftingProcessor
from auglift_hf.contract import InputContract, check_contract, default_descriptor
from auglift_hf.features.depth import AUGLIFT_SAMPLING, DEPTH_ENCODINGS, disk_pattern, encode_depth


def _desc(frames: int = 3, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    d = 4.0 + rng.normal(0.0, 0.3, (frames, 17))
    lo, hi = d - rng.uniform(0, 1.5, d.shape), d + rng.uniform(0, 1.5, d.shape)
    return np.stack([d, lo, hi], -1)


def test_package_encoding_matches_the_processor():
    desc = _desc()
    proc = PoseLiftingProcessor(input_channels=["x", "y", "c", "d", "d_min", "d_max"])
    want = proc._encode_depth(desc)
    got = encode_depth(desc, "package")
    for k in ("d", "d_min", "d_max"):
        np.testing.assert_allclose(got[k], want[k], atol=1e-12)


def test_auglift_encoding_is_nearest_joint_relative():
    desc = _desc()
    d = desc[..., 0]
    xycd = encode_depth(desc[..., :1], "auglift")["d"]
    # the joint nearest the camera is the reference: it encodes to -1, everything else in [-1, 1]
    assert np.allclose(xycd.min(-1), -1.0) and xycd.max() <= 1.0
    np.testing.assert_allclose(xycd, np.clip(d - d.min(-1, keepdims=True), 0, 2) - 1.0)
    casp = encode_depth(desc, "auglift")
    far = desc.copy()
    far[0, 3, 0] += 5.0  # a joint 5 m behind: unclipped in the CASP format, clipped at +1 in XYCD
    assert encode_depth(far, "auglift")["d"][0, 3] > 5.0 and encode_depth(far[..., :1], "auglift")["d"][0, 3] == 1.0
    assert np.abs(casp["d_min"]).max() <= 1.0 and np.abs(casp["d_max"]).max() <= 1.0
    np.testing.assert_allclose(casp["d_min"], np.clip(desc[..., 1] - d, -1, 1))
    # package and auglift differ (pelvis vs nearest-joint reference)
    assert not np.allclose(encode_depth(desc, "package")["d"], casp["d"])


def test_encoding_refuses_unknown_names_and_shapes():
    with pytest.raises(ValueError, match="encoding"):
        encode_depth(_desc(), "minmax")
    with pytest.raises(ValueError, match="17"):
        encode_depth(np.zeros((2, 16, 3)), "auglift")
    assert DEPTH_ENCODINGS[0] == "package"


def test_auglift_rejection_pattern_keeps_the_disk_candidates():
    pts = disk_pattern(AUGLIFT_SAMPLING["num_samples"], AUGLIFT_SAMPLING["pattern"], seed=3)
    assert 60 <= pts.shape[0] <= 95  # ~ pi/4 of 100 candidates
    assert float((pts**2).sum(-1).max()) <= 1.0
    assert pts.shape == disk_pattern(100, "rejection", seed=3).shape  # seeded: the same points every call


def test_contract_records_and_checks_the_encoding():
    auglift = InputContract.metric(encoding="auglift", **AUGLIFT_SAMPLING)
    assert auglift.depth_descriptor["encoding"] == "auglift"
    assert InputContract.from_dict(auglift.to_dict()) == auglift
    package = InputContract.metric()
    assert "encoding" not in package.depth_descriptor  # default unchanged: saved configs stay byte-identical
    # a lifter trained on the auglift encoding refuses package-encoded input, and the other way round
    with pytest.raises(ValueError, match="encoding"):
        check_contract(auglift, depth_descriptor=default_descriptor(**AUGLIFT_SAMPLING))
    with pytest.raises(ValueError, match="encoding"):
        check_contract(package, depth_descriptor=default_descriptor(encoding="auglift"))
    assert check_contract(package, depth_descriptor=default_descriptor(encoding="package")) == []
    with pytest.raises(ValueError, match="depth_descriptor.encoding"):
        default_descriptor(encoding="raw")


@pytest.mark.parametrize("channels", [["x", "y", "c", "d"], ["x", "y", "c", "d", "d_min", "d_max"]])
def test_processor_encodes_depth_with_the_contract_encoding(channels):
    """A lifter whose contract records AugLift's encoding is fed AugLift's codec (one implementation,
    :func:`encode_depth`), chosen by its input channels (XYCD clipped, CASP unclipped); missing depth is filled."""
    from auglift_hf.processing_lifting import MISSING_DEPTH_FILL

    desc = _desc()
    desc[1, 5] = np.nan  # one missing joint
    contract = InputContract.metric(encoding="auglift", **AUGLIFT_SAMPLING).to_dict()
    proc = PoseLiftingProcessor(input_channels=channels, **contract)
    got = proc._encode_depth(desc)
    casp = len(channels) > 4
    want = encode_depth(desc if casp else desc[..., :1], "auglift")
    for k in want:
        expected = np.where(np.isfinite(want[k]), want[k], MISSING_DEPTH_FILL)
        np.testing.assert_allclose(got[k], expected, atol=1e-12)
    assert got["d"][1, 5] == MISSING_DEPTH_FILL
    package = PoseLiftingProcessor(input_channels=channels)._encode_depth(desc)
    assert not np.allclose(package["d"], got["d"])  # the encoding really changed what the lifter sees
