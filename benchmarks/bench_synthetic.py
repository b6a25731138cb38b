"""Benchmark: synthetic depth for mocap, full renderer vs analytic ray-cast descriptors (same run, same poses).

    .venv/bin/python benchmarks/bench_synthetic.py                 # 512 frames, 256x256
    .venv/bin/python benchmarks/bench_synthetic.py --frames 2048 --threads 2

Reports frames/s of (a) ``render_depth`` alone, (b) ``render_depth`` + ``sample_depth(mode="casp")`` and
(c) ``casp_from_joints`` (17 x 100 rays per frame), the extrapolated time for 500k frames (target: < 1 h on
2 cores), the ray path's speed-up over (b) and the agreement between (b) and (c).
"""

from __future__ import annotations

import argparse
import math
import time

import torch

from auglift_hf.features import sample_depth
from auglift_hf.simulation import casp_from_joints, project_joints, render_depth

# a neutral H36M-17 pose (metres, camera axes, pelvis at the origin)
POSE = torch.tensor(
    [
        [0, 0, 0], [-0.13, 0, 0], [-0.13, 0.45, 0.02], [-0.13, 0.9, 0], [0.13, 0, 0], [0.13, 0.45, 0.02],
        [0.13, 0.9, 0], [0, -0.25, 0], [0, -0.5, 0], [0, -0.6, -0.05], [0, -0.75, 0], [0.18, -0.5, 0],
        [0.3, -0.3, -0.1], [0.35, -0.1, -0.2], [-0.18, -0.5, 0], [-0.3, -0.3, 0.1], [-0.35, -0.1, 0.2],
    ]
)  # fmt: skip


def random_bodies(n: int, seed: int = 0) -> torch.Tensor:
    """``n`` posed bodies: random yaw, joint jitter, 3-6 m in front of the camera."""
    g = torch.Generator().manual_seed(seed)
    yaw = torch.rand(n, generator=g) * 2 * math.pi
    cos, sin = torch.cos(yaw), torch.sin(yaw)
    rot = torch.zeros(n, 3, 3)
    rot[:, 0, 0], rot[:, 0, 2], rot[:, 1, 1], rot[:, 2, 0], rot[:, 2, 2] = cos, sin, 1, -sin, cos
    pose = POSE[None] + 0.05 * torch.randn(n, 17, 3, generator=g)
    pose = pose - pose[:, :1]
    trans = torch.stack([torch.rand(n, generator=g) - 0.5, torch.zeros(n), 3 + 3 * torch.rand(n, generator=g)], -1)
    return torch.einsum("nij,nkj->nki", rot, pose) + trans[:, None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=512)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: stable numbers on a shared box)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    s = args.size
    f = torch.tensor([1.15 * s, 1.15 * s])  # ~47 degree field of view
    c = torch.tensor([s / 2, s / 2])
    joints = random_bodies(args.frames)
    g = torch.Generator().manual_seed(1)
    kp = torch.tensor(project_joints(joints, f, c), dtype=torch.float32) + torch.randn(args.frames, 17, 2, generator=g)
    scores = torch.rand(args.frames, 17, generator=g)
    render_depth(joints[:8], f, c, s, s)  # warm-up
    casp_from_joints(joints[:8], kp[:8], scores[:8], f, c)

    t0 = time.perf_counter()
    maps = render_depth(joints, f, c, s, s)
    t_render = time.perf_counter() - t0
    t0 = time.perf_counter()
    from_map = sample_depth(maps, kp, scores, mode="casp")
    t_sample = time.perf_counter() - t0
    t0 = time.perf_counter()
    rays = casp_from_joints(joints, kp, scores, f, c)
    t_rays = time.perf_counter() - t0

    n = args.frames
    print(f"{n} frames, {s}x{s}, torch threads {torch.get_num_threads()}")
    for name, t in (("render", t_render), ("render + casp", t_render + t_sample), ("ray-cast casp", t_rays)):
        hours = 500_000 / (n / t) / 3600 / max(1, 2 // args.threads)
        print(f"{name:>14}: {n / t:9.0f} frames/s | 500k frames: {hours:5.2f} h on 2 cores (ideal scaling)")
    print(f"ray-cast speed-up over render + sample: {(t_render + t_sample) / t_rays:.1f}x")
    diff = (rays - from_map).abs()
    print(f"agreement (metres): median |d| diff {diff[..., 0].median():.4f}, mean |diff| {diff.mean():.4f}")


if __name__ == "__main__":
    main()
