"""The ``surface-v2`` body and scene: a body surface that does not sit on the joint chain, on a floor, in a room.

Issue 24, item 1. The ``capsule-v1`` body (:mod:`.renderer`) puts fixed-radius capsules on the very bones the
lifter must predict, in front of a 10 m plane without a floor. Here:

* **Body** (:func:`body_ellipsoids`): every primitive is an ellipsoid (a sphere is one), so one vectorised
  ray-ellipsoid intersection serves the whole scene. Limbs are chains of 12 spheres whose radius follows a
  piecewise-linear profile along the bone (thigh widest at the hip, calf bulge a third down the shin, thin at
  wrist and ankle); the torso is a chain of 6 elliptic slices whose width follows the hip line at the bottom and
  the shoulder line at the top (tapered: hips, waist, chest), not a capsule on the joint chain; shoulder caps;
  head an ellipsoid; hands and feet flat ellipsoids beyond the wrist / in front of the ankle.
  Between people: one girth factor (``girth``) and a clothing offset (``clothing_m``) per body
  (:class:`BodyShape`, drawn per sequence by :func:`sample_body_shape`).
* **Scene** (:func:`scene_planes`): a floor under the feet and, indoors, a ceiling 2.9 m above it, a back
  wall 1.5-4 m behind the person and side walls 2-4 m to either side; outdoors, the floor and a far background at
  20-60 m. The "up" direction is the sequence's mean pelvis->thorax direction; the floor is 8 cm below the lowest
  ankle of the sequence (ankle-joint height over the sole with a shoe; assumption). Walls, ceiling and background
  are pushed back to at least ``ROOM["wall_clearance"]`` beyond every joint of the sequence, so a take that moves
  further than the drawn room (a 6 s procedural walk covers up to 8 m, CMU takes 3-4.6 m) gets a larger room
  instead of walking through its walls; Human3.6M's takes stay >= 0.5 m inside the smallest room, so their scenes
  are unchanged.
* **Rays** (:func:`cast_scene`): z-depth (the ray parameter of ``((u - cx)/fx, (v - cy)/fy, 1)``) of the nearest
  hit and the **part** hit (:data:`PART_NAMES`: 0 = scene, 1..10 body parts), so silhouettes and self-occlusion
  come out as rendered. :func:`render_surface` casts one ray per pixel centre; the per-joint descriptor path
  (:mod:`.surface_depth`) casts only the rays through the sample pixels of each joint, snapped to pixel centres,
  which makes it *identical* to sampling the rendered map with ``interpolation="nearest"`` (tested).

Anthropometry (radius = circumference / 2 pi; breadth / depth halved), rounded means of adults from the 2012 US
Army anthropometric survey (ANSUR II; Gordon et al. 2014, NATICK/TR-15/007), men and women pooled; the values
were taken from memory of that report's summary tables and are not re-checked here (treat them as +-10 %):
thigh circumference ~58 cm (upper thigh), knee ~38, calf ~37, ankle ~23 cm; biceps ~31, elbow ~26, forearm ~28,
wrist ~17 cm; neck ~37 cm; hip breadth ~35 cm, waist breadth ~30 / depth ~22 cm, chest breadth ~32 / depth ~25 cm;
head breadth ~15.5, length ~19.5 cm; hand length ~19, breadth ~8.5 cm; foot length ~26, breadth ~10 cm.
Between-person spread: circumferences in such surveys have a coefficient of variation of roughly 7-12 %, and
clothing adds 0-3 cm (assumption), hence ``girth`` in [0.85, 1.2] and ``clothing_m`` in [0, 0.03].
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch

from .renderer import _check_joints, _intrinsics

#: Body-part labels returned with every hit (0 = scene: floor, walls, background).
PART_NAMES: tuple[str, ...] = (
    "scene", "torso", "head", "r_upper_arm", "r_forearm_hand", "l_upper_arm", "l_forearm_hand",
    "r_thigh", "r_shin_foot", "l_thigh", "l_shin_foot",
)  # fmt: skip
NUM_PARTS = len(PART_NAMES)

#: Limb tubes: (joint a, joint b, radius at a, (s_mid, radius at s_mid), radius at b, part). Metres.
LIMB_TUBES: tuple[tuple[int, int, float, tuple[float, float], float, int], ...] = (
    (1, 2, 0.092, (0.5, 0.075), 0.060, 7),  # right thigh: upper thigh 58 cm -> knee 38 cm
    (2, 3, 0.058, (0.3, 0.059), 0.036, 8),  # right shin: knee, calf 37 cm a third down, ankle 23 cm
    (4, 5, 0.092, (0.5, 0.075), 0.060, 9),
    (5, 6, 0.058, (0.3, 0.059), 0.036, 10),
    (14, 15, 0.050, (0.4, 0.049), 0.041, 3),  # right upper arm: biceps 31 cm -> elbow 26 cm
    (15, 16, 0.042, (0.3, 0.044), 0.027, 4),  # right forearm: forearm 28 cm -> wrist 17 cm
    (11, 12, 0.050, (0.4, 0.049), 0.041, 5),
    (12, 13, 0.042, (0.3, 0.044), 0.027, 6),
    (8, 9, 0.060, (0.5, 0.058), 0.056, 2),  # neck 37 cm (thorax to the neck/nose joint)
)
#: Spheres per limb tube (spacing <= ~4 cm on a 45 cm thigh: scallops of a few mm).
SPHERES_PER_TUBE = 12
#: Torso slices: (s along pelvis->thorax, lateral half-width, front-back half-depth) metres; the lateral axis
#: follows the hip line below s = 0.3 and the shoulder line above s = 0.7 (blended in between).
TORSO_SLICES: tuple[tuple[float, float, float], ...] = (
    (-0.18, 0.160, 0.115),  # buttocks / crotch, below the hip-joint line
    (0.00, 0.175, 0.120),  # hip breadth ~35 cm
    (0.22, 0.160, 0.110),
    (0.45, 0.150, 0.110),  # waist ~30 x 22 cm
    (0.70, 0.160, 0.125),  # chest ~32 x 25 cm
    (0.90, 0.170, 0.115),  # upper chest below the shoulders
)
#: Vertical half-height of a torso slice, as a fraction of the pelvis->thorax length.
TORSO_SLICE_HALF_HEIGHT = 0.16
SHOULDER_CAP_RADIUS = 0.055
#: Head ellipsoid (lateral, front-back, vertical half-axes) centred between joints 9 and 10.
HEAD_HALF_AXES = (0.078, 0.098, 0.115)
#: Hand: centre 8.5 cm beyond the wrist along the forearm; half-axes (along, breadth, thickness).
HAND = (0.085, (0.095, 0.043, 0.018))
#: Foot: centre 6 cm forward and 3.5 cm down from the ankle; half-axes (forward, breadth, height).
FOOT = ((0.06, 0.035), (0.13, 0.05, 0.04))
#: Indoor room and outdoor background ranges (metres; assumptions: a capture room or a living room).
ROOM = {"back_wall": (1.5, 4.0), "side_wall": (2.0, 4.0), "ceiling_height": 2.9, "floor_below_ankle": 0.08,
        "wall_clearance": 0.3}  # fmt: skip
OUTDOOR_FAR = (20.0, 60.0)
INDOOR_PROBABILITY = 0.75


@dataclass
class BodyShape:
    """Between-person shape of the surface body: radii and half-widths are ``girth * r + clothing_m``.

    ``girth`` / ``clothing_m`` are floats (one person) or ``(B,)`` tensors (one person per frame:
    :func:`sample_body_shapes`, for batches of independent poses).
    """

    girth: Any = 1.0
    clothing_m: Any = 0.01

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass
class SceneSpec:
    """The background: ``kind`` ``"room"`` (back wall / side walls / ceiling) or ``"outdoor"`` (far plane)."""

    kind: str = "room"
    back_wall_m: float = 2.5
    side_wall_m: float = 3.0
    outdoor_far_m: float = 40.0

    def __post_init__(self) -> None:
        if self.kind not in ("room", "outdoor"):
            raise ValueError(f"`kind` must be 'room' or 'outdoor', got {self.kind!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _generator(seed: int | torch.Generator) -> torch.Generator:
    return seed if isinstance(seed, torch.Generator) else torch.Generator().manual_seed(int(seed))


def _shape_from_uniform(u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Uniforms ``(..., 2)`` -> ``girth ~ U(0.85, 1.2)``, ``clothing_m ~ U(0, 0.03)`` (the one shape distribution)."""
    return 0.85 + 0.35 * u[..., 0], 0.03 * u[..., 1]


def _scene_from_uniform(u: torch.Tensor) -> dict[str, torch.Tensor]:
    """Uniforms ``(..., 4)`` -> the scene distribution: indoor with probability :data:`INDOOR_PROBABILITY`, wall
    and background distances uniform in :data:`ROOM` / :data:`OUTDOOR_FAR`."""
    (b0, b1), (s0, s1), (o0, o1) = ROOM["back_wall"], ROOM["side_wall"], OUTDOOR_FAR
    return {
        "indoor": u[..., 0] < INDOOR_PROBABILITY,
        "back_wall_m": b0 + (b1 - b0) * u[..., 1],
        "side_wall_m": s0 + (s1 - s0) * u[..., 2],
        "outdoor_far_m": o0 + (o1 - o0) * u[..., 3],
    }


def sample_body_shape(seed: int | torch.Generator) -> BodyShape:
    """A random :class:`BodyShape`: ``girth ~ U(0.85, 1.2)``, ``clothing_m ~ U(0, 0.03)``."""
    girth, clothing = _shape_from_uniform(torch.rand(2, generator=_generator(seed), dtype=torch.float64))
    return BodyShape(girth=float(girth), clothing_m=float(clothing))


def sample_body_shapes(seed: int | torch.Generator, num: int) -> BodyShape:
    """``num`` independent people (:func:`sample_body_shape`'s distribution): ``(num,)`` float64 tensor fields."""
    girth, clothing = _shape_from_uniform(torch.rand(num, 2, generator=_generator(seed), dtype=torch.float64))
    return BodyShape(girth=girth, clothing_m=clothing)


def sample_scene(seed: int | torch.Generator) -> SceneSpec:
    """A random :class:`SceneSpec` (indoor with probability :data:`INDOOR_PROBABILITY`)."""
    p = _scene_from_uniform(torch.rand(4, generator=_generator(seed), dtype=torch.float64))
    return SceneSpec(
        kind="room" if bool(p["indoor"]) else "outdoor",
        back_wall_m=float(p["back_wall_m"]),
        side_wall_m=float(p["side_wall_m"]),
        outdoor_far_m=float(p["outdoor_far_m"]),
    )


def sample_scenes(seed: int | torch.Generator, num: int) -> dict[str, torch.Tensor]:
    """``num`` independent scenes (:func:`sample_scene`'s distribution) as ``(num,)`` tensors ``indoor`` (bool),
    ``back_wall_m``, ``side_wall_m``, ``outdoor_far_m`` (the input of :func:`frame_scene_planes`)."""
    return _scene_from_uniform(torch.rand(num, 4, generator=_generator(seed), dtype=torch.float64))


def _unit(v: torch.Tensor, fallback: torch.Tensor | None = None) -> torch.Tensor:
    n = v.norm(dim=-1, keepdim=True)
    out = v / n.clamp(min=1e-9)
    if fallback is not None:
        out = torch.where(n > 1e-6, out, fallback.expand_as(out))
    return out


def _orthogonal(v: torch.Tensor, axis: torch.Tensor) -> torch.Tensor:
    """``v`` minus its component along the unit ``axis``, normalised."""
    return _unit(v - (v * axis).sum(-1, keepdim=True) * axis)


def body_frame_axes(joints: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-frame body axes ``(B, 3)`` each: lateral (right hip -> left hip), up (pelvis -> thorax), forward."""
    up = _unit(joints[:, 8] - joints[:, 0])
    lateral = _orthogonal(joints[:, 4] - joints[:, 1], up)
    forward = _unit(torch.cross(lateral, up, dim=-1))
    return lateral, up, forward


def _ellipsoid(centre: torch.Tensor, axes: torch.Tensor, half: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Centre ``(B, 3)``, orthonormal axes as rows ``(B, 3, 3)``, half-axes ``(B, 3)`` -> (centre, M) with
    ``|M (x - centre)| = 1`` on the surface (``M = diag(1 / half) axes``)."""
    return centre, axes / half[..., None]


def body_ellipsoids(
    joints_cam: Any, shape: BodyShape | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The surface body of every frame.

    Args:
        joints_cam: ``(B, 17, 3)`` H36M-17 joints, camera frame, metres.
        shape: between-person shape (default: :class:`BodyShape` ``()``).

    Returns:
        centres ``(B, E, 3)``, matrices ``M`` ``(B, E, 3, 3)`` (surface ``|M (x - centre)| = 1``), part labels ``(E,)``.
    """
    j = _check_joints(joints_cam)
    if not j.is_floating_point() or j.dtype not in (torch.float32, torch.float64):
        j = j.double()
    shape = shape or BodyShape()
    bsz = j.shape[0]
    # (1,) for one person, (B,) for one person per frame (sample_body_shapes)
    g = torch.as_tensor(shape.girth, dtype=j.dtype, device=j.device).reshape(-1)
    cl = torch.as_tensor(shape.clothing_m, dtype=j.dtype, device=j.device).reshape(-1)
    if g.numel() not in (1, bsz) or cl.numel() not in (1, bsz):
        raise ValueError(f"BodyShape fields must be scalars or have one value per frame ({bsz}), got "
                         f"{g.numel()} and {cl.numel()}")  # fmt: skip
    eye = torch.eye(3, dtype=j.dtype, device=j.device).expand(bsz, 3, 3)
    lateral, up, forward = body_frame_axes(j)
    centres, mats, parts = [], [], []

    def add(c: torch.Tensor, m: torch.Tensor, part: int) -> None:
        centres.append(c)
        mats.append(m)
        parts.append(part)

    s = torch.linspace(0.0, 1.0, SPHERES_PER_TUBE, dtype=j.dtype, device=j.device)
    for a, b, r0, (sm, rm), r1, part in LIMB_TUBES:
        radius = torch.where(s <= sm, r0 + (rm - r0) * s / sm, rm + (r1 - rm) * (s - sm) / (1.0 - sm))
        radius = g[:, None] * radius + cl[:, None]  # (1 or B, n)
        pos = j[:, a, None] + s[None, :, None] * (j[:, b] - j[:, a])[:, None]  # (B, n, 3)
        for i in range(SPHERES_PER_TUBE):
            add(pos[:, i], eye / radius[:, i, None, None], part)
    hip_lat = lateral
    sh_lat = _orthogonal(j[:, 11] - j[:, 14], up)
    torso = j[:, 8] - j[:, 0]
    half_h = TORSO_SLICE_HALF_HEIGHT * torso.norm(dim=-1)
    for st, half_w, half_d in TORSO_SLICES:
        w = min(max((st - 0.3) / 0.4, 0.0), 1.0)
        lat = _orthogonal((1.0 - w) * hip_lat + w * sh_lat, up)
        fwd = _unit(torch.cross(lat, up, dim=-1))
        axes = torch.stack([lat, up, fwd], 1)
        half = torch.stack([(g * half_w + cl).expand_as(half_h), half_h, (g * half_d + cl).expand_as(half_h)], -1)
        add(*_ellipsoid(j[:, 0] + st * torso, axes, half), 1)
    for sh, part in ((14, 3), (11, 5)):
        add(j[:, sh], eye / (g * SHOULDER_CAP_RADIUS + cl)[:, None, None], part)
    head_up = _unit(j[:, 10] - j[:, 9], up)
    head_lat = _orthogonal(lateral, head_up)
    head_axes = torch.stack([head_lat, head_up, _unit(torch.cross(head_lat, head_up, dim=-1))], 1)
    hl, hf, hv = HEAD_HALF_AXES
    head_half = torch.tensor([hl, hv, hf], dtype=j.dtype, device=j.device).expand(bsz, 3)
    add(*_ellipsoid(0.5 * (j[:, 9] + j[:, 10]), head_axes, head_half), 2)
    off, (ha, hb, ht) = HAND
    for el, wr, part in ((15, 16, 4), (12, 13, 6)):
        d = _unit(j[:, wr] - j[:, el], forward)
        br = _orthogonal(forward + 0.3 * lateral, d)
        axes = torch.stack([d, br, _unit(torch.cross(d, br, dim=-1))], 1)
        half = torch.tensor([ha, hb, ht], dtype=j.dtype, device=j.device).expand(bsz, 3)
        add(*_ellipsoid(j[:, wr] + off * d, axes, half), part)
    (f_fwd, f_down), (fa, fb, fh) = FOOT
    for kn, an, part in ((2, 3, 8), (5, 6, 10)):
        shin = _unit(j[:, an] - j[:, kn], -up)
        fwd = _orthogonal(forward, shin)
        br = _unit(torch.cross(shin, fwd, dim=-1))
        axes = torch.stack([fwd, br, shin], 1)
        half = torch.stack([fa + 0.5 * cl, fb + cl, fh + cl], -1).expand(bsz, 3)
        add(*_ellipsoid(j[:, an] + f_fwd * fwd + f_down * shin, axes, half), part)
    return torch.stack(centres, 1), torch.stack(mats, 1), torch.tensor(parts, dtype=torch.long, device=j.device)


def _planes(
    up_mean: torch.Tensor,
    ankles: torch.Tensor,
    pelvis: torch.Tensor,
    scene: dict[str, torch.Tensor],
    joints: torch.Tensor,
) -> torch.Tensor:
    """The scene geometry for ``N`` scenes: ``(N, 5, 4)`` planes ``(n, h)``: floor, ceiling, back wall (or the far
    background outdoors), right and left walls; a plane an outdoor scene lacks is :data:`_NO_PLANE` (never hit).

    Args:
        up_mean: ``(N, 3)`` mean unit pelvis->thorax direction. ankles: ``(N, A, 3)`` ankle positions.
        pelvis: ``(N, 3)`` mean pelvis. scene: :func:`sample_scenes`-like ``(N,)`` tensors.
        joints: ``(N, K, 3)`` every joint of the scene's frames: the ceiling, walls and background are at least
            ``ROOM["wall_clearance"]`` beyond each of them (where the drawn distance is larger it is kept as drawn).
    """
    up = _unit(up_mean)
    down = -up
    z = torch.tensor([0.0, 0.0, 1.0], dtype=up.dtype).expand_as(up)
    fwd = _orthogonal(z, down)  # horizontal viewing direction
    right = _unit(torch.cross(down, fwd, dim=-1))
    h_floor = (ankles * down[:, None]).sum(-1).amax(-1) + ROOM["floor_below_ankle"]
    indoor = scene["indoor"].to(torch.bool)
    behind = torch.where(indoor, scene["back_wall_m"], scene["outdoor_far_m"]).to(up)
    side = scene["side_wall_m"].to(up)
    pf, pr = _rowdot(pelvis, fwd), _rowdot(pelvis, right)

    def beyond(offset: torch.Tensor, normal: torch.Tensor) -> torch.Tensor:  # the plane clears every joint
        return torch.maximum(offset, (joints * normal[:, None]).sum(-1).amax(-1) + ROOM["wall_clearance"])

    planes = torch.stack([
        torch.cat([down, h_floor[:, None]], -1),
        torch.cat([up, beyond(ROOM["ceiling_height"] - h_floor, up)[:, None]], -1),
        torch.cat([fwd, beyond(pf + behind, fwd)[:, None]], -1),
        torch.cat([right, beyond(pr + side, right)[:, None]], -1),
        torch.cat([-right, beyond(side - pr, -right)[:, None]], -1),
    ], 1)  # fmt: skip
    absent = (~indoor)[:, None].expand(-1, 3)  # ceiling, right and left walls: indoors only
    planes[:, [1, 3, 4]] = torch.where(absent[..., None], _NO_PLANE.to(planes), planes[:, [1, 3, 4]])
    return planes


def _rowdot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Row-wise dot products ``(N, 3), (N, 3) -> (N,)``; one row through the 1-D dot (BLAS), as the sequence path
    always computed it, so frame tables stay bit-identical."""
    return (a[0] @ b[0])[None] if len(a) == 1 else (a * b).sum(-1)


#: A plane no camera ray (z component 1) ever hits: normal (0, 0, -1), offset 1 (padding of outdoor scenes).
_NO_PLANE = torch.tensor([0.0, 0.0, -1.0, 1.0], dtype=torch.float64)


def scene_planes(joints_cam: Any, scene: SceneSpec | None = None) -> torch.Tensor:
    """The scene's planes ``(P, 4)`` as ``(n, h)`` with ``x . n = h`` (``h > 0``: the camera is on the inside).

    One scene per call (one sequence): "up" is the mean pelvis->thorax direction over the frames, the floor is
    ``floor_below_ankle`` below the sequence's lowest ankle, the walls are placed from the mean pelvis (and at least
    ``wall_clearance`` beyond every joint of every frame, so the person never stands inside a wall).
    """
    j = _check_joints(joints_cam).double()
    scene = scene or SceneSpec()
    params = {
        "indoor": torch.tensor([scene.kind == "room"]),
        **{
            k: torch.tensor([float(getattr(scene, k))], dtype=torch.float64)
            for k in ("back_wall_m", "side_wall_m", "outdoor_far_m")
        },
    }
    planes = _planes(_unit(j[:, 8] - j[:, 0]).mean(0)[None], j[:, [3, 6]].reshape(1, -1, 3), j[:, 0].mean(0)[None],
                     params, j.reshape(1, -1, 3))[0]  # fmt: skip
    return planes if scene.kind == "room" else planes[[0, 2]]


def frame_scene_planes(joints_cam: Any, scenes: dict[str, torch.Tensor]) -> torch.Tensor:
    """Every frame in its own scene, as a sequence of one frame (:func:`scene_planes`): ``(B, 5, 4)``.

    For batches of independent poses (PoseAug's augmented poses: another person, place and camera per row), where
    one scene placed from the batch's mean pelvis would put some people behind its back wall. ``scenes``:
    :func:`sample_scenes` ``(B,)`` tensors. Pass the result as ``planes`` to :func:`cast_scene_grouped`.
    """
    j = _check_joints(joints_cam).double()
    return _planes(_unit(j[:, 8] - j[:, 0]), j[:, [3, 6]], j[:, 0], scenes, j)


def cast_scene(
    rays: torch.Tensor,
    centres: torch.Tensor,
    mats: torch.Tensor,
    parts: torch.Tensor,
    planes: torch.Tensor | None,
    chunk_elems: int = 4_000_000,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Nearest hit of rays ``(B, R, 3)`` (z component 1) with the body and the scene.

    Args:
        centres, mats, parts: :func:`body_ellipsoids` outputs ``(B, E, 3)``, ``(B, E, 3, 3)``, ``(E,)``.
        planes: :func:`scene_planes` ``(P, 4)`` or per frame ``(B, P, 4)``; ``None`` = no scene (misses are inf).

    Returns:
        z-depth ``(B, R)`` metres (``inf`` = nothing hit) and part label ``(B, R)`` (0 = scene or miss).
    """
    bsz, nr, _ = rays.shape
    ne = centres.shape[1]
    w = torch.einsum("beij,bej->bei", mats, centres)  # (B, E, 3)
    ww = (w * w).sum(-1) - 1.0  # (B, E)
    step = max(1, chunk_elems // max(1, bsz * ne * 3))
    depth, part = [], []
    for r0 in range(0, nr, step):
        r = rays[:, r0 : r0 + step]
        q = torch.bmm(mats.reshape(bsz, ne * 3, 3), r.transpose(1, 2)).reshape(bsz, ne, 3, -1)  # (B, E, 3, r)
        a = (q * q).sum(2).transpose(1, 2)  # (B, r, E)
        b = (q * w[..., None]).sum(2).transpose(1, 2)
        disc = b * b - a * ww[:, None]
        t = (b - disc.clamp(min=0).sqrt()) / a
        t = torch.where((disc >= 0) & (t > 0), t, torch.full_like(t, float("inf")))
        tb, ib = t.min(-1)  # (B, r)
        pb = torch.where(torch.isfinite(tb), parts[ib], torch.zeros_like(ib))
        if planes is not None:
            pl = planes.to(r) if planes.ndim == 3 else planes.to(r)[None].expand(bsz, -1, -1)
            rn = torch.einsum("brk,bpk->brp", r, pl[..., :3])
            ts = pl[:, None, :, 3] / rn
            ts = torch.where((rn > 1e-12) & (ts > 0), ts, torch.full_like(ts, float("inf"))).amin(-1)
            pb = torch.where(tb <= ts, pb, torch.zeros_like(pb))
            tb = torch.minimum(tb, ts)
        depth.append(tb)
        part.append(pb)
    return torch.cat(depth, 1), torch.cat(part, 1)


def cast_scene_grouped(
    points: torch.Tensor,
    f: torch.Tensor,
    c: torch.Tensor,
    centres: torch.Tensor,
    mats: torch.Tensor,
    parts: torch.Tensor,
    planes: torch.Tensor | None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`cast_scene` for rays through pixel groups ``points (B, G, N, 2)`` (e.g. one joint's samples), same
    result, but each group is only tested against the primitives whose projected bounding circle overlaps the
    group's pixel box: the overlapping (frame, group, primitive) triples are hit-tested as one ``(M, N)`` batch.

    Returns:
        z-depth ``(B, G, N)`` and part labels ``(B, G, N)``.
    """
    bsz, ng, n, _ = points.shape
    rho = 1.0 / mats.norm(dim=-1).amin(-1)  # (B, E) largest half-axis
    cz = centres[..., 2]
    near = cz - rho < 0.05
    uc = centres[..., :2] / cz.clamp(min=1e-6)[..., None] * f[:, None] + c[:, None]  # (B, E, 2)
    pr = f.amax(-1)[:, None] * rho / (cz - rho).clamp(min=1e-6)  # (B, E) projected radius bound, px
    plo, phi = points.amin(2), points.amax(2)  # (B, G, 2)
    ov = (phi[:, :, None] >= (uc - pr[..., None])[:, None]) & (plo[:, :, None] <= (uc + pr[..., None])[:, None])
    ov = ov.all(-1) | near[:, None]  # (B, G, E)
    fb, fg, fe = ov.nonzero(as_tuple=True)
    inf = torch.tensor(float("inf"), dtype=points.dtype)
    depth = torch.full((bsz * ng, n), float("inf"), dtype=points.dtype)
    part = torch.zeros(bsz * ng, n, dtype=torch.long)
    rays = pixel_rays(points.reshape(bsz, ng * n, 2), f, c).reshape(bsz, ng, n, 3)
    if fb.numel():
        r = rays[fb, fg]  # (M, N, 3)
        q = torch.bmm(r, mats[fb, fe].transpose(1, 2))  # (M, N, 3)
        w = torch.einsum("mij,mj->mi", mats[fb, fe], centres[fb, fe])  # (M, 3)
        a = (q * q).sum(-1)
        b = (q * w[:, None]).sum(-1)
        disc = b * b - a * ((w * w).sum(-1) - 1.0)[:, None]
        t = (b - disc.clamp(min=0).sqrt()) / a
        t = torch.where((disc >= 0) & (t > 0), t, inf)
        row = (fb * ng + fg)[:, None].expand(-1, n)
        depth.scatter_reduce_(0, row, t, reduce="amin")
        won = torch.isfinite(t) & (t == depth.gather(0, row))
        hit_rows, hit_cols = won.nonzero(as_tuple=True)
        part[row[hit_rows, hit_cols], hit_cols] = parts[fe[hit_rows]]
    depth, part = depth.reshape(bsz, ng, n), part.reshape(bsz, ng, n)
    if planes is not None:
        pl = planes.to(rays) if planes.ndim == 3 else planes.to(rays)[None].expand(bsz, -1, -1)
        rn = torch.einsum("bgnk,bpk->bgnp", rays, pl[..., :3])
        ts = pl[:, None, None, :, 3] / rn
        ts = torch.where((rn > 1e-12) & (ts > 0), ts, inf).amin(-1)
        part = torch.where(depth <= ts, part, torch.zeros_like(part))
        depth = torch.minimum(depth, ts)
    return depth, part


def pixel_rays(points: torch.Tensor, f: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """Pixels ``(B, R, 2)`` -> ray directions ``(B, R, 3)`` with z = 1 (``f``, ``c`` ``(B, 2)``)."""
    return torch.cat([(points - c[:, None]) / f[:, None], torch.ones_like(points[..., :1])], -1)


def render_surface(
    joints_cam: Any,
    f: Any,
    c: Any,
    image_size: tuple[int, int],
    shape: BodyShape | None = None,
    scene: SceneSpec | None | str = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Render the ``surface-v2`` body in its scene: z-depth ``(B, H, W)`` metres and part labels ``(B, H, W)``.

    ``image_size`` is ``(width, height)``; pixel centres at integer coordinates. ``scene="none"`` renders the body
    alone (misses are ``inf``); ``None`` = the default :class:`SceneSpec`. One scene for all ``B`` frames.
    """
    j = _check_joints(joints_cam)
    j = j if j.dtype in (torch.float32, torch.float64) else j.double()
    bsz = j.shape[0]
    f_t, c_t = _intrinsics(f, "f", bsz, j), _intrinsics(c, "c", bsz, j)
    w, h = (int(v) for v in image_size)
    if w < 1 or h < 1:
        raise ValueError(f"`image_size` must be positive (width, height), got {image_size}")
    vv, uu = torch.meshgrid(torch.arange(h, dtype=j.dtype), torch.arange(w, dtype=j.dtype), indexing="ij")
    pix = torch.stack([uu, vv], -1).reshape(1, -1, 2).expand(bsz, -1, -1)
    centres, mats, parts = body_ellipsoids(j, shape)
    planes = None if scene == "none" else scene_planes(j, scene if isinstance(scene, SceneSpec) else None)
    depth, part = cast_scene(pixel_rays(pix, f_t, c_t), centres, mats, parts, planes)
    return depth.reshape(bsz, h, w), part.reshape(bsz, h, w)


__all__ = [
    "BodyShape",
    "NUM_PARTS",
    "PART_NAMES",
    "SceneSpec",
    "body_ellipsoids",
    "body_frame_axes",
    "cast_scene",
    "frame_scene_planes",
    "pixel_rays",
    "render_surface",
    "sample_body_shape",
    "sample_body_shapes",
    "sample_scene",
    "sample_scenes",
    "scene_planes",
]
