"""The surface-v2 body and scene (issue 24 item 1): geometry, scene, ray path == rendered maps."""

import numpy as np
import pytest
import torch

from auglift_hf.simulation import generate_motion
from auglift_hf.simulation.surface import (
    BodyShape,
    SceneSpec,
    body_ellipsoids,
    cast_scene,
    cast_scene_grouped,
    pixel_rays,
    render_surface,
    sample_body_shape,
    scene_planes,
)
from auglift_hf.simulation.surface_depth import (
    surface_depth_source,
    surface_descriptors_from_joints,
    surface_descriptors_from_maps,
)

F = torch.tensor([160.0, 160.0], dtype=torch.float64)
C = torch.tensor([48.0, 56.0], dtype=torch.float64)
SIZE = (96, 112)


def _walk(frames: int = 6, seed: int = 0) -> torch.Tensor:
    """Procedural walking motion in a camera frame (y down, z forward), pelvis ~4 m in front."""
    world = generate_motion("walking", frames, fps=25.0, seed=seed)  # z up
    cam = world[..., [0, 2, 1]] * np.array([1.0, -1.0, 1.0])
    cam = cam - cam[:, :1].mean(0, keepdims=True) + np.array([0.0, 0.1, 4.0])
    return torch.tensor(cam, dtype=torch.float64)


def test_ellipsoid_and_plane_hits_known_depth():
    centre = torch.tensor([[[0.0, 0.0, 3.0]]], dtype=torch.float64)
    mats = (torch.eye(3, dtype=torch.float64) / torch.tensor([0.2, 0.1, 0.3], dtype=torch.float64)[:, None])[
        None, None
    ]
    parts = torch.tensor([4])
    rays = torch.tensor([[[0.0, 0.0, 1.0], [0.0, 0.5, 1.0], [0.0, -0.5, 1.0]]], dtype=torch.float64)
    floor = torch.tensor([[0.0, 1.0, 0.0, 1.0]], dtype=torch.float64)  # y = 1 m below the camera
    depth, part = cast_scene(rays, centre, mats, parts, floor)
    torch.testing.assert_close(depth[0, :2], torch.tensor([2.7, 2.0], dtype=torch.float64))  # z semi-axis; y=1 at t=2
    assert part[0, 0] == 4 and part[0, 1] == 0
    assert torch.isinf(depth[0, 2]) and part[0, 2] == 0  # upwards: no ceiling given, nothing hit


def test_grouped_cast_equals_brute_force():
    joints = _walk(4)
    centres, mats, parts = body_ellipsoids(joints, BodyShape(1.1, 0.02))
    planes = scene_planes(joints, SceneSpec("room", 2.0, 2.5))
    g = torch.Generator().manual_seed(0)
    kp = joints[..., :2] / joints[..., 2:] * F + C
    pts = (kp[:, :, None] + 12 * torch.randn(4, 17, 9, 2, generator=g, dtype=torch.float64)).round()
    d1, p1 = cast_scene_grouped(pts, F.expand(4, 2), C.expand(4, 2), centres, mats, parts, planes)
    d2, p2 = cast_scene(
        pixel_rays(pts.reshape(4, -1, 2), F.expand(4, 2), C.expand(4, 2)), centres, mats, parts, planes
    )
    torch.testing.assert_close(d1.reshape(4, -1), d2)
    assert torch.equal(p1.reshape(4, -1), p2)


def test_surface_is_off_the_joints_and_varies_between_people():
    joints = _walk(3)
    thin = surface_descriptors_from_joints(
        joints, None, None, F, C, "point", image_size=SIZE, shape=BodyShape(0.85, 0.0)
    )
    wide = surface_descriptors_from_joints(
        joints, None, None, F, C, "point", image_size=SIZE, shape=BodyShape(1.2, 0.03)
    )
    z = joints[..., 2]
    # the pelvis and spine read the front of the torso (>= 8 cm in front of the joint), not a capsule on the chain
    assert bool(((z[:, [0, 7]] - thin[:, [0, 7], 0]) > 0.08).all())
    # a wider, clothed person: the surface comes nearer the camera on the torso (more than 3 cm)
    assert bool(((thin[:, [0, 7], 0] - wide[:, [0, 7], 0]) > 0.03).all())
    # along the thigh the radius shrinks from hip to knee: rendered offset near the hip > near the knee
    depth, part = render_surface(joints, F, C, SIZE, BodyShape(), "none")
    hip_side = 0.8 * joints[:, 1] + 0.2 * joints[:, 2]
    knee_side = 0.2 * joints[:, 1] + 0.8 * joints[:, 2]

    def offset(p):
        uv = (p[:, :2] / p[:, 2:] * F + C).round().long()
        return p[:, 2] - depth[torch.arange(3), uv[:, 1], uv[:, 0]]

    assert bool((offset(hip_side) > offset(knee_side) + 0.01).all())


def test_scene_has_floor_and_room_at_plausible_distances():
    joints = _walk(2)
    depth, part = render_surface(joints, F, C, SIZE, BodyShape(), SceneSpec("room", 2.0, 2.5))
    pelvis_z = float(joints[:, 0, 2].mean())
    scene = depth[part == 0]
    assert bool(torch.isfinite(scene).all())  # every ray ends on a surface of the room
    assert float(scene.max()) < pelvis_z + 2.0 + 2.5  # not a 10 m plane
    # the bottom image row sees the floor, nearer than the back wall
    assert float(depth[:, -1].max()) < pelvis_z + 1.0
    out_d, out_p = render_surface(joints, F, C, SIZE, BodyShape(), SceneSpec("outdoor", outdoor_far_m=30.0))
    assert pelvis_z + 29.0 < float(out_d[out_p == 0].max()) < pelvis_z + 36.0  # the far background, 30 m behind
    with pytest.raises(ValueError, match="kind"):
        SceneSpec("studio")


def test_the_room_contains_a_long_walk_and_keeps_short_takes_as_drawn():
    """A take that moves further than the drawn room gets a larger room, never walks through its walls (failed
    before: the walls were placed from the mean pelvis only, so 49 of 512 scenes of the quickstart's procedural
    takes had joints behind a wall and their depth showed the wall); a take inside the room keeps it as drawn."""
    from auglift_hf.simulation.surface import ROOM

    smallest = SceneSpec("room", back_wall_m=ROOM["back_wall"][0], side_wall_m=ROOM["side_wall"][0])
    long = _walk(150, seed=3)  # 6 s of walking
    pelvis = long[:, 0]
    assert float((pelvis - pelvis.mean(0)).norm(dim=-1).max()) > 2.0  # further than the smallest room's walls
    planes = scene_planes(long, smallest)
    margin = planes[:, 3] - torch.einsum("tjk,pk->tjp", long, planes[:, :3]).reshape(-1, len(planes)).amax(0)
    assert (margin[1:] > 0).all()  # no joint behind a wall or above the ceiling
    assert (margin[1:] >= ROOM["wall_clearance"] - 1e-9).all()  # every one clears them by the clearance
    assert margin[0] == pytest.approx(ROOM["floor_below_ankle"])  # the floor is still under the lowest ankle
    assert (planes[:, 3] > 0).all()  # the camera is inside the room

    short = _walk(6)
    planes = scene_planes(short, smallest)
    fwd, right = planes[2, :3], planes[3, :3]
    centre = short[:, 0].mean(0)
    torch.testing.assert_close(planes[2, 3], centre @ fwd + smallest.back_wall_m)
    torch.testing.assert_close(planes[3:, 3], torch.stack([centre @ right, -centre @ right]) + smallest.side_wall_m)


def test_ray_path_equals_rendered_maps_same_pixels_and_samples():
    joints = _walk(5, seed=1)
    for mode in ("casp", "point", "minmax"):
        a = surface_descriptors_from_joints(joints, None, None, F, C, mode, image_size=SIZE, seed=4, num_samples=16)
        b = surface_descriptors_from_maps(joints, None, None, F, C, mode, image_size=SIZE, seed=4, num_samples=16)
        torch.testing.assert_close(a, b.to(a))


def test_body_shapes_drawn_in_documented_range():
    shapes = [sample_body_shape(s) for s in range(200)]
    g = np.array([s.girth for s in shapes])
    cl = np.array([s.clothing_m for s in shapes])
    assert g.min() >= 0.85 and g.max() <= 1.2 and g.std() > 0.08
    assert cl.min() >= 0.0 and cl.max() <= 0.03


def test_surface_depth_source_matches_table_contract():
    joints = _walk(4).numpy()
    src = surface_depth_source(severity=1.0)
    out = src(joints, None, None, np.array([160.0, 160.0]), np.array([48.0, 56.0]), SIZE)
    assert out.shape == (4, 17, 3) and out.dtype == np.float32 and np.isfinite(out).all()
    assert src.channels == ("d", "d_min", "d_max") and src.simulation == "surface-v2"
    assert src.contract["depth_descriptor"]["num_samples"] == 16 and "surface-v2" in src.kind
    # d is the median of the samples, d_min <= d <= d_max
    assert (out[..., 1] <= out[..., 0] + 1e-6).all() and (out[..., 0] <= out[..., 2] + 1e-6).all()


def test_surface_depth_source_severity_range_draws_one_severity_per_sequence():
    """A degenerate range is the fixed severity to the bit; a wide range gives sequences different depth quality;
    bad ranges are refused."""
    joints, f, c = _walk(4).numpy(), np.array([160.0, 160.0]), np.array([48.0, 56.0])

    def calls(src, n=4):
        return [src(joints, None, None, f, c, SIZE) for _ in range(n)]

    fixed, ranged = (
        calls(surface_depth_source(seed=3, severity=2.0)),
        calls(surface_depth_source(seed=3, severity_range=(2.0, 2.0))),
    )
    assert all(np.array_equal(a, b) for a, b in zip(fixed, ranged))
    exact = calls(surface_depth_source(seed=3, error=None))
    wide_src = surface_depth_source(seed=3, severity_range=(0.0, 6.0))
    wide = calls(wide_src, 8)
    errors = [float(np.abs(w[..., 0] - e[..., 0]).mean()) for w, e in zip(wide, exact * 2)]
    assert max(errors) > 3 * min(errors)  # depth quality varies between sequences
    assert wide_src.depth_error["severity"] == [0.0, 6.0] and "per_sequence" in str(wide_src.depth_error)
    with pytest.raises(ValueError, match="severity_range"):
        surface_depth_source(severity_range=(2.0, 1.0))
    with pytest.raises(ValueError, match="severity_range"):
        surface_depth_source(severity_range=(0.0, 11.0))
    with pytest.raises(ValueError, match="severity_range"):
        surface_depth_source(severity_range=(0.0, 1.0), error=None)


def test_independent_frames_are_sequences_of_one_frame():
    """``independent_frames`` (PoseAug's batches of unrelated poses): row i is exactly a one-frame sequence with its
    own body shape and scene (the per-frame draws of ``sample_body_shapes`` / ``sample_scenes``, the distributions
    of ``sample_body_shape`` / ``sample_scene``), vectorised over the batch."""
    from auglift_hf.simulation.surface import frame_scene_planes, sample_body_shapes, sample_scenes

    joints = torch.cat([_walk(4, seed=0), _walk(4, seed=1) + torch.tensor([0.4, 0.0, 1.5], dtype=torch.float64)])
    f, c = F.expand(8, 2), C.expand(8, 2)
    got = surface_descriptors_from_joints(joints, None, None, f, c, "casp", image_size=SIZE, seed=21,
                                          independent_frames=True, num_samples=8)  # fmt: skip
    shapes, scenes = sample_body_shapes(21 + 11, 8), sample_scenes(21 + 13, 8)
    assert scenes["indoor"].any() and not scenes["indoor"].all()  # both kinds of scene in the batch
    planes = frame_scene_planes(joints, scenes)
    for i in range(8):
        shape = BodyShape(float(shapes.girth[i]), float(shapes.clothing_m[i]))
        scene = SceneSpec("room" if scenes["indoor"][i] else "outdoor",
                          *(float(scenes[k][i]) for k in ("back_wall_m", "side_wall_m", "outdoor_far_m")))  # fmt: skip
        one = scene_planes(joints[i : i + 1], scene)
        torch.testing.assert_close(planes[i, : len(one)] if scene.kind == "room" else planes[i, [0, 2]], one)
        alone = surface_descriptors_from_joints(joints[i : i + 1], None, None, F, C, "casp", image_size=SIZE,
                                                shape=shape, scene=scene, num_samples=8)  # fmt: skip
        torch.testing.assert_close(got[i : i + 1], alone)
    with pytest.raises(ValueError, match="independent_frames draws a body shape"):
        surface_descriptors_from_joints(joints, None, None, f, c, image_size=SIZE, independent_frames=True,
                                        shape=BodyShape())  # fmt: skip
    # the per-frame draws have the per-sequence distributions (one formula)
    many = sample_body_shapes(0, 4000)
    assert (
        0.85 <= float(many.girth.min())
        and float(many.girth.max()) <= 1.2
        and abs(float(many.girth.mean()) - 1.025) < 0.01
    )
    assert abs(float(sample_scenes(0, 4000)["indoor"].float().mean()) - 0.75) < 0.03


def test_independent_frame_errors_have_the_stationary_per_frame_distribution():
    """``for_independent_frames``: the same per-frame marginals as a sequence (stationary AR(1) / flip chains), no
    correlation between neighbouring rows."""
    from auglift_hf.simulation.surface_error import surface_error_preset

    err = surface_error_preset(severity=2.0)
    seq = err.frame_terms(4000, 3)
    ind = err.for_independent_frames().frame_terms(4000, 3)
    for key in ("offset", "log_scale"):
        a, b = seq[key].reshape(4000, -1)[:, -1], ind[key].reshape(4000, -1)[:, -1]
        assert abs(float(a.std() / b.std()) - 1) < 0.1  # same stationary spread (the sequence's is correlated)
        assert (
            abs(float(torch.corrcoef(torch.stack([b[1:], b[:-1]]))[0, 1]))
            < 0.05
            < float(torch.corrcoef(torch.stack([a[1:], a[:-1]]))[0, 1])
        )
    assert abs(float(ind["flips"][:, 2:].float().mean()) - err.effective()["flip_fraction"]) < 0.01
