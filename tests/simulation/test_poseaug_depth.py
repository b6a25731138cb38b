"""Depth of PoseAug's augmented poses from the training table's own simulation (issue 27 item 2, issue 24).

A tiny ``surface-v2`` table is built with ``auglift convert h36m`` from procedural motion in the native VideoPose3D
format; the PoseAug depth path (:func:`auglift_hf.simulation.poseaug.augmented_depth` with the simulation read from
the table's card) is run on the very same 3D poses and cameras, and the per-joint statistics the lifter sees are
compared with the table's.
"""

import pickle

import numpy as np
import pytest
import torch

from auglift_hf.simulation.poseaug import AugmentedDepthSimulation, augmented_depth, poseaug_depth_simulation

H36M_CAMERAS = ("54138969", "55011271", "58860488", "60457274")
MOTIONS = ("walking", "bending", "squatting")


def _write_h36m(root, frames=40):
    """``data_3d_h36m.npz`` (S1, one take per motion kind, 17 world joints at 50 Hz) and a 4-camera ``cameras.pkl``."""
    from auglift_hf.simulation.motion import generate_motion, look_at_camera

    pos = {"S1": {kind: generate_motion(kind, frames, 50.0, seed=i) for i, kind in enumerate(MOTIONS)}}
    np.savez(root / "data_3d_h36m.npz", positions_3d=pos)
    cams = {}
    for i, cid in enumerate(H36M_CAMERAS):
        ang = np.pi / 4 + i * np.pi / 2
        centre = np.array([4.5 * np.cos(ang), 4.5 * np.sin(ang), 1.5])
        cams[("S1", cid)] = {
            "R": look_at_camera(centre, np.array([0.0, 0.0, 1.0])), "T": centre.reshape(3, 1), "id": cid,
            "f": np.array([[1145.0], [1144.0]]), "c": np.array([[512.0], [515.0]]), "k": np.zeros((3, 1)),
            "p": np.zeros((2, 1)), "w": 1000, "h": 1002,
        }  # fmt: skip
    with open(root / "cameras.pkl", "wb") as fh:
        pickle.dump(cams, fh, protocol=2)
    return root / "data_3d_h36m.npz", root / "cameras.pkl"


def _convert(root, name, *depth_args):
    from auglift_hf.cli import main

    positions, cameras = _write_h36m(root)
    out = root / name
    args = ["convert", "h36m", "--positions-3d", str(positions), "--cameras", str(cameras), "--out", str(out),
            "--no-progress", *depth_args]  # fmt: skip
    assert main(args) == 0
    return out


@pytest.fixture(scope="module")
def surface_table(tmp_path_factory):
    root = tmp_path_factory.mktemp("poseaug_depth")
    return _convert(root, "surface", "--depth-source", "synthetic", "--depth-simulation", "surface-v2",
                    "--depth-severity", "1")  # fmt: skip


def _rows(table):
    import datasets

    ds = datasets.load_dataset(str(table), "gt2d", split="train").with_format("numpy")
    pose = torch.tensor(np.stack(ds["keypoints_3d"]), dtype=torch.float32)
    f, c = torch.tensor(np.stack(ds["focal"])), torch.tensor(np.stack(ds["center"]))
    size = torch.tensor(np.stack([ds["image_width"], ds["image_height"]], -1), dtype=torch.float32)
    depth = np.stack([np.stack(ds[k]) for k in ("d", "d_min", "d_max")], -1)
    sequence = np.unique([f"{a}/{cam}" for a, cam in zip(ds["action"], ds["camera"])], return_inverse=True)[1]
    return pose, f, c, size, depth, sequence


def _lifter_view(depth):
    """What a package-encoding lifter sees, in metres: ``d - d_pelvis`` clipped at the processor's ``max_depth``
    (2 m), ``d_min - d`` and ``d_max - d`` clipped at ``max_depth_offset`` (1 m). ``(N, 17, 3)``."""
    d = depth[..., 0]
    return np.stack([np.clip(d - d[:, :1], -2, 2), np.clip(depth[..., 1] - d, -1, 1),
                     np.clip(depth[..., 2] - d, -1, 1)], -1)  # fmt: skip


def _rebuilds(pose, f, c, size, sequence, seeds, **source_kwargs):
    """The table's depth built again by its own source (:func:`auglift_hf.data.schema.synthetic_depth_source`, as
    ``auglift convert``) with other seeds, sequence by sequence: other draws of the same table."""
    from auglift_hf.data.schema import synthetic_depth_source

    out = []
    for seed in seeds:
        src, depth = synthetic_depth_source(seed=seed, **source_kwargs), np.zeros((len(pose), 17, 3), np.float32)
        for s in np.unique(sequence):
            m = sequence == s
            wh = tuple(int(v) for v in size[m][0])
            depth[m] = src(pose[m].double().numpy(), None, None, f[m][0].numpy(), c[m][0].numpy(), wh)
        out.append(depth)
    return out


def _distance(a, b):
    """Per statistic (``d - d_pelvis``, ``d_min - d``, ``d_max - d``, as the lifter sees them): RMS over the 17
    joints of the difference of the per-joint means, metres. ``(3,)``."""
    return np.sqrt(((_lifter_view(a).mean(0) - _lifter_view(b).mean(0)) ** 2).mean(0))


def _assert_same_statistics(table_depth, depth, rebuilds, slack=1.5):
    """``depth`` is no further from the table's per-joint means than a rebuild of the table with another seed.

    The table's means are one draw of its sequences' bodies, scenes and error paths (a few sequences: not a small
    noise, e.g. 6-41 mm RMS on ``d_max - d`` between rebuilds here). With ``v_T`` the variance of a table's means
    and ``v_A`` that of the augmented path (independent rows: ``v_A < v_T``), E[dist(aug, table)^2] = v_T + v_A <=
    E[dist(rebuild, table)^2] = 2 v_T; ``slack`` 1.5 covers the noise of a reference from three rebuilds.
    """
    reference = np.mean([_distance(r, table_depth) for r in rebuilds], axis=0)
    got = _distance(depth, table_depth)
    assert (got <= slack * reference).all(), (got * 1000, reference * 1000)
    return got, reference


@pytest.mark.slow
def test_augmented_depth_has_the_table_depth_statistics(surface_table):
    """Same 3D poses and cameras: the PoseAug path (simulation read from the card) gives the table's per-joint
    statistics; the old capsule + DepthCorruption path does not.

    Measured when written (mm, RMS over joints of ``d - d_pelvis`` / ``d_min - d`` / ``d_max - d`` mean
    differences): augmented 5.4 / 2.0 / 16.1; three rebuilds 9.8-11.6 / 1.9-3.0 / 5.7-41.4; the legacy path
    26.0 / 50.7 / 50.9 (its ``d_min - d`` is about twice as wide, -101 vs -52 mm).
    """
    pose, f, c, size, table_depth, sequence = _rows(surface_table)
    simulation = AugmentedDepthSimulation.from_table(surface_table)
    assert simulation.simulation == "surface-v2" and simulation.error_kind == "SurfaceDepthError"
    assert simulation.descriptor["mode"] == "casp" and simulation.descriptor["num_samples"] == 16
    assert simulation.depth_error["severity"] == 1.0
    depth = augmented_depth(pose, f, c, size, generator=5, simulation=simulation).numpy()
    assert depth.shape == table_depth.shape and np.isfinite(depth).all()
    rebuilds = _rebuilds(pose, f, c, size, sequence, (1, 2, 3), simulation="surface-v2", severity=1.0)
    _, reference = _assert_same_statistics(table_depth, depth, rebuilds)

    legacy = augmented_depth(pose, f, c, size, mode="casp", generator=5, simulation=AugmentedDepthSimulation.legacy())
    assert _distance(legacy.numpy(), table_depth)[1] > 5 * reference[1]  # d_min - d: the kinder, wider model
    with pytest.raises(AssertionError):
        _assert_same_statistics(table_depth, legacy.numpy(), rebuilds)


def test_severity_range_draws_one_severity_per_group_of_rows(tmp_path):
    """A range table: the card records [lo, hi]; augmented batches draw severities in it (per group of rows, as the
    table per sequence) with the table builder's draw."""
    from auglift_hf.simulation.poseaug.table_depth import SEVERITY_GROUP_ROWS
    from auglift_hf.simulation.surface_depth import draw_severity

    table = _convert(tmp_path, "range", "--depth-source", "synthetic", "--depth-simulation", "surface-v2",
                     "--depth-severity-range", "0.5", "2")  # fmt: skip
    sim = AugmentedDepthSimulation.from_table(table)
    assert sim.depth_error["severity"] == [0.5, 2.0]
    drawn = [sim.error_model(s).severity for s in range(20)]
    assert drawn == [draw_severity(s, (0.5, 2.0)) for s in range(20)] and 0.5 <= min(drawn) < max(drawn) <= 2.0
    pose, f, c, size, _, _ = _rows(table)
    n = SEVERITY_GROUP_ROWS + 8
    a = augmented_depth(pose[:n], f[:n], c[:n], size[:n], generator=3, simulation=sim)
    b = augmented_depth(pose[:n], f[:n], c[:n], size[:n], generator=3, simulation=sim)
    torch.testing.assert_close(a, b)  # seeded
    assert a.shape == (n, 17, 3)


def test_capsule_table_uses_the_recorded_realistic_preset(tmp_path):
    """A capsule-v1 table built with the realistic preset: the augmented poses get that preset (the card's
    fields), with the table's descriptor. Measured when written (mm, as above): augmented 5.9 / 3.2 / 20.6, three
    rebuilds 7.6-10.3 / 1.5-6.2 / 15.6-23.5, the legacy path 46.0 / 29.1 / 353.2."""
    from auglift_hf.simulation.depth_error import MonocularDepthError, depth_error_preset

    table = _convert(
        tmp_path,
        "capsule",
        "--depth-source",
        "synthetic",
        "--depth-simulation",
        "capsule-v1",
        "--depth-severity",
        "1.5",
    )
    sim = AugmentedDepthSimulation.from_table(table)
    assert sim.simulation == "capsule-v1" and sim.error_kind == "MonocularDepthError"
    model = sim.error_model(0)
    assert isinstance(model, MonocularDepthError) and model == depth_error_preset(severity=1.5)
    pose, f, c, size, table_depth, sequence = _rows(table)
    depth = augmented_depth(pose, f, c, size, generator=1, simulation=sim).numpy()
    rebuilds = _rebuilds(pose, f, c, size, sequence, (1, 2, 3), simulation="capsule-v1", severity=1.5)
    _assert_same_statistics(table_depth, depth, rebuilds)


def test_legacy_option_is_the_previous_behaviour():
    """``poseaug_depth=legacy-capsule`` reproduces the capsule + DepthCorruption depth bit for bit."""
    from auglift_hf.simulation.motion import generate_motion

    w = generate_motion("walking", 24, 25.0, seed=0)
    cam = torch.tensor(w[..., [0, 2, 1]] * np.array([1.0, -1.0, 1.0]) + np.array([0.0, 0.0, 4.5]), dtype=torch.float32)
    f, c, size = torch.full((24, 2), 1145.0), torch.full((24, 2), 500.0), torch.full((24, 2), 1000.0)
    sim = poseaug_depth_simulation("legacy-capsule", [])
    for mode in ("point", "casp"):
        old = augmented_depth(cam, f, c, size, mode=mode, corruption="default", generator=4)
        torch.testing.assert_close(augmented_depth(cam, f, c, size, mode=mode, generator=4, simulation=sim), old)


def test_table_without_a_depth_record_is_refused(tmp_path, surface_table):
    """A card without the machine-readable record (written before it existed) is read from its depth description;
    a card that does not say how its depth was made at all is refused in one line naming the table, unless the
    explicit option is given."""
    import re
    import shutil

    from auglift_hf.simulation.depth_source import DEPTH_SIMULATION_KEY

    bare = tmp_path / "bare"
    shutil.copytree(surface_table, bare)
    card = (bare / "README.md").read_text()
    start = card.index(DEPTH_SIMULATION_KEY + ":")
    card = card[:start] + card[card.index("\n---", start) + 1 :]
    (bare / "README.md").write_text(card)
    older = AugmentedDepthSimulation.from_table(bare)
    newer = AugmentedDepthSimulation.from_table(surface_table)
    assert (older.simulation, older.depth_error, older.descriptor) == (
        newer.simulation,
        newer.depth_error,
        newer.descriptor,
    )
    (bare / "README.md").write_text(re.sub(r"come from: \*\*.*\*\*\.", "come from: **custom callable**.", card))
    with pytest.raises(ValueError, match=f"training table {bare}: its card does not say how its depth was made") as e:
        poseaug_depth_simulation("table", [str(bare)])
    assert "\n" not in str(e.value) and "poseaug_depth=legacy-capsule" in str(e.value)
    assert poseaug_depth_simulation("legacy-capsule", [str(bare)]).simulation == "legacy-capsule"
    capsule = _convert(tmp_path, "cap", "--depth-source", "synthetic", "--depth-simulation", "capsule-v1")
    with pytest.raises(ValueError, match="record different depth simulations"):
        AugmentedDepthSimulation.from_tables([str(surface_table), str(capsule)])
    with pytest.raises(ValueError, match="poseaug_depth must be one of"):
        poseaug_depth_simulation("capsule", [str(surface_table)])


def test_generated_poses_whose_rays_hit_nothing_get_finite_positive_surface_depth():
    """PoseAug's RT rotates freely and translates freely: some generated poses are at or behind the camera or turned
    so that their scene's horizontal direction degenerates (no table has one), and some of their rays hit nothing,
    which reduced to depth 0 and made dscale2d's encoder raise mid-training (found by bench_poseaug_depth.py). They
    now read the farthest background, finite and > 0."""
    from auglift_hf import PoseLiftingProcessor
    from auglift_hf.contract import default_descriptor
    from auglift_hf.simulation.motion import generate_motion
    from auglift_hf.simulation.poseaug import (
        PoseAugConfig,
        PoseAugmentor,
        encode_like_processor,
        project_pinhole_clamped,
    )
    from auglift_hf.simulation.surface_depth import surface_descriptors_from_joints
    from auglift_hf.simulation.surface_error import surface_error_preset

    n = 256
    w = generate_motion("walking", n, 25.0, seed=0)
    cam = torch.tensor(w[..., [0, 2, 1]] * np.array([1.0, -1.0, 1.0]), dtype=torch.float32)
    cam = cam - cam[:, :1] + torch.tensor([0.0, 0.0, 5.0])
    torch.manual_seed(0)
    with torch.no_grad():
        aug = PoseAugmentor(PoseAugConfig())(cam)["pose_rt"]
    f, c, size = torch.full((n, 2), 1145.0), torch.full((n, 2), 500.0), torch.full((n, 2), 1000.0)
    raw = surface_descriptors_from_joints(aug, None, None, f, c, "casp", image_size=(1000, 1000), seed=1,
                                          independent_frames=True)  # fmt: skip
    assert (raw <= 0).any()  # the case exists
    sim = AugmentedDepthSimulation(
        "surface-v2", surface_error_preset(severity=1).to_dict(), default_descriptor("casp", 16)
    )
    depth = augmented_depth(aug, f, c, size, generator=1, simulation=sim)
    assert torch.isfinite(depth).all() and (depth > 0).all()
    proc = PoseLiftingProcessor(input_channels=["x", "y", "d"], scale_normalization="depth")
    assert torch.isfinite(encode_like_processor(proc, project_pinhole_clamped(aug, f, c), size, depth)).all()


def test_auglift_encoding_tables_are_refused(tmp_path):
    """PoseAug's torch encoder implements the package codec only: a table with AugLift's encoding is refused rather
    than mis-encoded."""
    from auglift_hf import PoseLiftingProcessor
    from auglift_hf.contract import default_descriptor
    from auglift_hf.simulation.poseaug import encode_like_processor

    table = _convert(tmp_path, "auglift", "--depth-source", "synthetic", "--depth-simulation", "surface-v2",
                     "--depth-encoding", "auglift")  # fmt: skip
    with pytest.raises(ValueError, match="depth encoding 'auglift' is not implemented"):
        AugmentedDepthSimulation.from_table(table)
    proc = PoseLiftingProcessor(input_channels=["x", "y", "d"])
    proc.depth_descriptor = default_descriptor("casp", 100, pattern="rejection", encoding="auglift")
    with pytest.raises(ValueError, match="depth encoding 'auglift' is not implemented here"):
        encode_like_processor(proc, torch.zeros(2, 17, 2), torch.full((2, 2), 1000.0), torch.ones(2, 17, 3))
