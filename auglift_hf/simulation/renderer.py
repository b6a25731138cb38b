"""The capsule body and its z-buffer renderer (synthetic depth for mocap without images).

The body is a set of capsules (segments with a radius, in metres) along the H36M-17 bones, two torso-side
capsules (hip to shoulder) and a head sphere, in camera coordinates (x right, y down, z forward, metres).
Intrinsics are pinhole ``f = (fx, fy)``, ``c = (cx, cy)`` in pixels, pixel centres at integer coordinates.
The ray through pixel ``(u, v)`` is ``((u - cx) / fx, (v - cy) / fy, 1)``, so the ray parameter of a hit *is*
its z-depth: every depth here is z-depth (what depth estimators and depth maps store), not ray length.

:func:`render_depth` -> ``(B, H, W)`` maps, then :func:`auglift_hf.features.sample_depth` (general, any
descriptor, what a real pipeline does with an estimator's map). The analytic per-joint fast path is
:mod:`auglift_hf.simulation.raycast`; estimator errors are :mod:`auglift_hf.simulation.depth_error`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..features.depth import _as_tensor, check_h36m_keypoints
from ..skeleton import NUM_JOINTS

# (joint a, joint b, radius m); a == b gives a sphere. Radii are rough anatomical values.
_BONE_RADII: dict[tuple[int, int], float] = {
    (1, 0): 0.10, (2, 1): 0.07, (3, 2): 0.05,  # right hip, thigh, shin
    (4, 0): 0.10, (5, 4): 0.07, (6, 5): 0.05,  # left
    (7, 0): 0.12, (8, 7): 0.12,  # torso (spine)
    (9, 8): 0.05, (10, 9): 0.08,  # neck, head
    (11, 8): 0.06, (12, 11): 0.05, (13, 12): 0.04,  # left shoulder, upper arm, forearm
    (14, 8): 0.06, (15, 14): 0.05, (16, 15): 0.04,  # right
    (1, 14): 0.08, (4, 11): 0.08,  # torso sides (hip to shoulder)
}  # fmt: skip
#: Head sphere: centre at the mean of neck/nose (9) and head top (10), radius in metres.
HEAD_SPHERE: tuple[tuple[int, int], float] = ((9, 10), 0.10)


def body_capsules() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The capsule body as endpoint weights and radii.

    Returns:
        ``WA``, ``WB`` ``(S, 17)`` so that endpoints are ``WA @ joints`` and ``WB @ joints``, and radii ``(S,)`` m.
    """
    segs = [((a,), (b,), r) for (a, b), r in _BONE_RADII.items()]
    segs.append((HEAD_SPHERE[0], HEAD_SPHERE[0], HEAD_SPHERE[1]))
    wa = torch.zeros(len(segs), NUM_JOINTS, dtype=torch.float64)
    wb = torch.zeros_like(wa)
    for s, (ja, jb, _) in enumerate(segs):
        wa[s, list(ja)] = 1.0 / len(ja)
        wb[s, list(jb)] = 1.0 / len(jb)
    return wa, wb, torch.tensor([r for *_, r in segs], dtype=torch.float64)


def _intrinsics(value: Any, name: str, batch: int, like: torch.Tensor) -> torch.Tensor:
    t = _as_tensor(value, name, like.device).to(like.dtype)
    if t.shape == (2,):
        t = t.expand(batch, 2)
    if t.shape != (batch, 2):
        raise ValueError(f"`{name}` must have shape (2,) or ({batch}, 2), got {tuple(t.shape)}")
    if name == "f" and not bool((t > 0).all()):
        raise ValueError("`f` (focal lengths in pixels) must be positive")
    return t


def _check_joints(joints_cam: Any) -> torch.Tensor:
    j = _as_tensor(joints_cam, "joints_cam")
    check_h36m_keypoints(j, "joints_cam", channels=3)
    if not bool(torch.isfinite(j).all()):
        raise ValueError("`joints_cam` contains NaN or inf")
    return j


def capsule_hits(
    bard: torch.Tensor,
    rdpa: torch.Tensor,
    rdpb: torch.Tensor,
    dd: torch.Tensor,
    baba: torch.Tensor,
    bapa: torch.Tensor,
    papa: torch.Tensor,
    pbpb: torch.Tensor,
    r2: torch.Tensor,
) -> torch.Tensor:
    """Ray parameter of the first hit of rays from the origin with capsules, from precomputed dot products.

    For ray direction ``rd`` and capsule ``pa -> pb`` (``ba = pb - pa``) of squared radius ``r2``:
    ``bard = ba.rd``, ``rdpa = rd.pa``, ``rdpb = rd.pb``, ``dd = rd.rd``, ``baba = ba.ba``, ``bapa = ba.pa``,
    ``papa = pa.pa``, ``pbpb = pb.pb``; all broadcastable. The infinite cylinder is hit first; if the hit lies
    beyond an end, the end's sphere decides (I. Quilez's capsule intersection, for an unnormalised ``rd``).
    A degenerate capsule (``pa == pb``) is a sphere. Returns ``inf`` for a miss or a hit behind the camera.
    """
    qa = baba * dd - bard * bard
    qb = bapa * bard - baba * rdpa
    qc = baba * papa - bapa * bapa - r2 * baba
    h = qb * qb - qa * qc
    hit = h >= 0
    t = (-qb - h.clamp(min=0).sqrt()) / qa
    y = t * bard - bapa  # axial coordinate of the hit, times |ba|
    body = hit & (y > 0) & (y < baba)
    cap_a = y <= 0  # NaN for a sphere (qa = 0) -> False -> the pb sphere, which is the same sphere
    rdc = torch.where(cap_a, rdpa, rdpb)
    cc = torch.where(cap_a, papa, pbpb)
    h2 = rdc * rdc - dd * (cc - r2)
    t2 = (rdc - h2.clamp(min=0).sqrt()) / dd
    t = torch.where(body, t, t2)
    ok = hit & (body | (h2 >= 0)) & (t > 0)
    return torch.where(ok, t, torch.full_like(t, float("inf")))


def ray_cast_capsules(rays: torch.Tensor, a: torch.Tensor, b: torch.Tensor, radius: torch.Tensor) -> torch.Tensor:
    """Closest z-depth where rays from the origin hit any capsule.

    Args:
        rays: ``(B, P, 3)`` directions with z = 1 (so the ray parameter is z-depth).
        a, b: ``(B, S, 3)`` capsule endpoints (metres, camera frame); ``a == b`` is a sphere.
        radius: ``(S,)`` or ``(B, S)`` capsule radii (metres).

    Returns:
        ``(B, P)`` depth of the nearest hit in front of the camera, ``inf`` where a ray misses everything.
    """
    r2 = (radius * radius).reshape(-1 if radius.ndim == 2 else 1, 1, radius.shape[-1])  # (B or 1, 1, S)
    ba = b - a
    dd = (rays * rays).sum(-1, keepdim=True)  # (B, P, 1)
    bard = torch.einsum("bpk,bsk->bps", rays, ba)
    rdpa = torch.einsum("bpk,bsk->bps", rays, a)
    rdpb = torch.einsum("bpk,bsk->bps", rays, b)

    def seg(x: torch.Tensor) -> torch.Tensor:
        return x.sum(-1)[:, None, :]  # (B, 1, S)

    t = capsule_hits(bard, rdpa, rdpb, dd, seg(ba * ba), seg(ba * a), seg(a * a), seg(b * b), r2)
    return t.amin(-1)


def _capsule_endpoints(joints: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    wa, wb, radii = body_capsules()
    wa, wb, radii = wa.to(joints), wb.to(joints), radii.to(joints)
    return torch.einsum("sj,bjk->bsk", wa, joints), torch.einsum("sj,bjk->bsk", wb, joints), radii


def _far_tensor(far: Any, batch: int, like: torch.Tensor) -> torch.Tensor:
    t = _as_tensor(far, "far", like.device).to(like.dtype)
    if t.ndim == 0:
        t = t.expand(batch)
    if t.shape != (batch,):
        raise ValueError(f"`far` must be a scalar or have shape ({batch},), got {tuple(t.shape)}")
    return t


def render_depth(
    joints_cam: Any,
    f: Any,
    c: Any,
    height: int,
    width: int,
    far: Any = 10.0,
    chunk_size: int = 32,
) -> torch.Tensor:
    """Render z-depth maps of the capsule body over a background plane.

    Args:
        joints_cam: ``(B, 17, 3)`` H36M-17 joints, camera frame, metres.
        f, c: focal length and principal point ``(2,)`` or per frame ``(B, 2)``, pixels.
        height, width: map size in pixels.
        far: depth of the fronto-parallel background plane (metres), scalar or ``(B,)``.
        chunk_size: frames rendered at once (bounds memory).

    Returns:
        ``(B, height, width)`` float tensor, metres (float32 unless the joints are float64).

    Capsule by capsule (a fixed loop over the ~19 capsules, vectorised over frames and pixels), rays are cast
    analytically only inside the projection of the capsule's 3D bounding box (the largest such box over the
    chunk's frames) and z-buffered into the map with a scatter-min, so the cost scales with the body's screen
    area rather than ``S x H x W``.
    """
    if height < 1 or width < 1:
        raise ValueError(f"`height` and `width` must be >= 1, got {height}x{width}")
    joints = _check_joints(joints_cam)
    if joints.dtype != torch.float64:
        joints = joints.float()
    bsz = joints.shape[0]
    f_t, c_t = _intrinsics(f, "f", bsz, joints), _intrinsics(c, "c", bsz, joints)
    far_t = _far_tensor(far, bsz, joints)
    out = []
    for start in range(0, bsz, chunk_size):
        sl = slice(start, start + chunk_size)
        out.append(_render_chunk(joints[sl], f_t[sl], c_t[sl], far_t[sl], height, width))
    if not out:
        return torch.zeros(0, height, width, dtype=joints.dtype)
    return torch.cat(out)


def _capsule_pixel_boxes(
    a: torch.Tensor, b: torch.Tensor, radii: torch.Tensor, f: torch.Tensor, c: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Conservative pixel boxes ``(u_lo, u_hi, v_lo, v_hi)``, each ``(B, S)``, of capsules ``a, b (B, S, 3)``.

    The projection of the capsule's 3D axis-aligned bounding box is the hull of its 8 projected corners (z > 0).
    A capsule reaching behind the camera gets an unbounded box; one entirely behind gets an empty box.
    """
    lo = torch.minimum(a, b) - radii[..., None]
    hi = torch.maximum(a, b) + radii[..., None]
    pick = torch.tensor([[i, j, k] for i in (0, 1) for j in (0, 1) for k in (0, 1)], device=a.device).bool()
    corners = torch.where(pick[None, None], hi[:, :, None], lo[:, :, None])  # (B, S, 8, 3)
    z = corners[..., 2].clamp(min=1e-3)
    u = f[:, None, None, 0] * corners[..., 0] / z + c[:, None, None, 0]
    v = f[:, None, None, 1] * corners[..., 1] / z + c[:, None, None, 1]
    behind = (corners[..., 2] <= 1e-3).any(-1)
    gone = hi[..., 2] <= 0
    inf = torch.tensor(float("inf"), dtype=a.dtype, device=a.device)
    boxes = [
        torch.where(behind, -inf, u.amin(-1)),
        torch.where(behind, inf, u.amax(-1)),
        torch.where(behind, -inf, v.amin(-1)),
        torch.where(behind, inf, v.amax(-1)),
    ]
    empty = (inf, -inf, inf, -inf)
    return tuple(torch.where(gone, e, x) for x, e in zip(boxes, empty))


def _render_chunk(joints, f, c, far, height, width) -> torch.Tensor:
    a, b, radii = _capsule_endpoints(joints)
    bsz, nseg = a.shape[:2]
    dtype, device = joints.dtype, joints.device
    ulo, uhi, vlo, vhi = _capsule_pixel_boxes(a, b, radii, f, c)
    u0 = ulo.floor().clamp(0, width - 1).long()
    u1 = uhi.ceil().clamp(0, width - 1).long()
    v0 = vlo.floor().clamp(0, height - 1).long()
    v1 = vhi.ceil().clamp(0, height - 1).long()
    visible = (uhi >= 0) & (ulo <= width - 1) & (vhi >= 0) & (vlo <= height - 1)
    widths = torch.where(visible, u1 - u0 + 1, 0).amax(0).tolist()  # per capsule, over the chunk
    heights = torch.where(visible, v1 - v0 + 1, 0).amax(0).tolist()
    ba = b - a
    depth = far[:, None].expand(bsz, height * width).clone()
    inf = torch.tensor(float("inf"), dtype=dtype, device=device)
    # a fixed loop over the ~19 capsules; each is vectorised over frames and the pixels of its own box
    for s in range(nseg):
        pw, ph = widths[s], heights[s]
        if pw == 0 or ph == 0:
            continue
        pu = u0[:, s, None] + torch.arange(pw, device=device)  # (B, pw)
        pv = v0[:, s, None] + torch.arange(ph, device=device)  # (B, ph)
        xu = ((pu.to(dtype) - c[:, :1]) / f[:, :1])[:, None, :]  # ray x per column (B, 1, pw)
        yv = ((pv.to(dtype) - c[:, 1:]) / f[:, 1:])[:, :, None]  # ray y per row (B, ph, 1)
        pa, pb, bas = a[:, s], b[:, s], ba[:, s]
        t = capsule_hits(
            _grid_dot(bas, xu, yv),
            _grid_dot(pa, xu, yv),
            _grid_dot(pb, xu, yv),
            xu * xu + yv * yv + 1,
            (bas * bas).sum(-1)[:, None, None],
            (bas * pa).sum(-1)[:, None, None],
            (pa * pa).sum(-1)[:, None, None],
            (pb * pb).sum(-1)[:, None, None],
            radii[s] ** 2,
        )
        inside = (pu <= u1[:, s, None])[:, None, :] & (pv <= v1[:, s, None])[:, :, None] & visible[:, s, None, None]
        t = torch.where(inside, t, inf)
        idx = pv.clamp(max=height - 1)[:, :, None] * width + pu.clamp(max=width - 1)[:, None, :]
        depth.scatter_reduce_(1, idx.reshape(bsz, -1), t.reshape(bsz, -1), reduce="amin")
    return depth.reshape(bsz, height, width)


def _grid_dot(p: torch.Tensor, xu: torch.Tensor, yv: torch.Tensor) -> torch.Tensor:
    """``p . (xu, yv, 1)`` for ``p (B, 3)`` over a pixel grid ``xu (B, 1, W)``, ``yv (B, H, 1)`` -> ``(B, H, W)``."""
    return p[:, 0, None, None] * xu + p[:, 1, None, None] * yv + p[:, 2, None, None]


def project_joints(joints_cam: Any, f: Any, c: Any) -> np.ndarray:
    """Pinhole projection (no distortion) of ``(B, 17, 3)`` camera-frame joints to ``(B, 17, 2)`` pixels (numpy)."""
    j = _check_joints(joints_cam).double()
    f_t, c_t = _intrinsics(f, "f", j.shape[0], j), _intrinsics(c, "c", j.shape[0], j)
    return (j[..., :2] / j[..., 2:].clamp(min=1e-6) * f_t[:, None] + c_t[:, None]).numpy()
