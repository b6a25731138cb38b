"""Depth for PoseAug-augmented poses vs the lifter's training step (issue 15): prints times and their ratio.

For a batch of 1024 augmented poses (PoseAug's batch size), measures in the same process, one thread:

* ``depth``: :func:`auglift_hf.simulation.poseaug.augmented_depth` (capsule-body ray casting on the augmented
  skeleton + the monocular depth error model), ``point`` (the ``d`` channel) and ``casp`` (16 samples per joint);
* ``lifter step``: forward + backward + Adam step of the lifter on the same batch (SimpleBaseline 1024 x 2 blocks,
  PoseAug's default lifter size class, and the 256-wide one of the benchmark runs);
* ``poseaug step``: a whole :meth:`PoseAugModule.step` (generators, discriminators, two depth passes, feedback).

Usage: ``python benchmarks/bench_poseaug_depth.py [--batch 1024] [--repeats 5]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch


def _timed(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    from auglift_hf import PoseLiftingProcessor
    from auglift_hf.models import SimpleBaselineConfig, SimpleBaselineForPoseLifting
    from auglift_hf.simulation import generate_motion
    from auglift_hf.simulation.poseaug import PoseAugConfig, augmented_depth
    from auglift_hf.training.poseaug import PoseAugModule

    n = args.batch
    world = generate_motion("walking", n, fps=25.0, seed=0)
    cam = world[..., [0, 2, 1]] * np.array([1.0, -1.0, 1.0])
    cam = torch.tensor(cam - cam[:, :1] + np.array([0.0, 0.0, 5.0]), dtype=torch.float32)
    f, c = torch.full((n, 2), 1145.0), torch.full((n, 2), 500.0)
    size = torch.full((n, 2), 1000.0)
    proc = PoseLiftingProcessor(input_channels=["x", "y", "d"], scale_normalization="depth")
    gen = PoseAugModule(proc, PoseAugConfig(rt_translation="bounded")).generator  # in front of the camera
    with torch.no_grad():
        aug = gen(cam)["pose_rt"]
    t_point = _timed(lambda: augmented_depth(aug, f, c, size, mode="point", generator=1), args.repeats)
    t_casp = _timed(lambda: augmented_depth(aug, f, c, size, mode="casp", generator=1), args.repeats)
    print(f"batch {n}: depth of augmented poses  point {t_point * 1e3:.1f} ms   casp(16) {t_casp * 1e3:.1f} ms")
    from auglift_hf.simulation.poseaug import encode_like_processor, project_pinhole

    x = encode_like_processor(proc, project_pinhole(aug, f, c), size, augmented_depth(aug, f, c, size))[:, None]
    labels = (aug - aug[:, :1])[:, None]
    batch = {"joints_cam": cam, "focal": f, "center": c, "image_size": size}
    real = {"pose_3d": cam, "pose_2d": cam, "focal": f, "center": c, "image_size": size}
    for width in (1024, 256):
        model = SimpleBaselineForPoseLifting(SimpleBaselineConfig(input_channels=["x", "y", "d"], hidden_size=width))
        opt = torch.optim.Adam(model.parameters(), 1e-4)

        def step(model=model, opt=opt):
            loss = model(keypoints=x, labels=labels).loss
            opt.zero_grad()
            loss.backward()
            opt.step()

        t_step = _timed(step, args.repeats)
        pa = PoseAugModule(proc, PoseAugConfig())
        t_pa = _timed(lambda pa=pa, model=model: pa.gan_step(batch, real, model, 3, 50), max(args.repeats // 2, 1))
        print(
            f"SimpleBaseline {width}: lifter step {t_step * 1e3:.1f} ms | depth/lifter-step ratio point "
            f"{t_point / t_step:.2f}, casp {t_casp / t_step:.2f} | whole PoseAug step {t_pa * 1e3:.1f} ms "
            f"({t_pa / t_step:.1f}x the lifter step)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
