"""Depth for PoseAug-augmented poses vs the lifter's training step (issue 15): prints times and their ratio.

For a batch of 1024 augmented poses (PoseAug's batch size), measures in the same process, one thread:

* ``depth``: :func:`auglift_hf.simulation.poseaug.augmented_depth` with the depth simulation a training table's
  card records (:class:`~auglift_hf.simulation.poseaug.AugmentedDepthSimulation`): ``surface-v2`` (severity 1,
  CASP with 16 samples, the descriptor every synthetic table records), ``capsule-v1`` with the realistic preset
  (``point`` and ``casp``) and the legacy capsule + ``DepthCorruption`` (``point`` and ``casp``);
* ``lifter step``: forward + backward + Adam step of the lifter on the same batch (SimpleBaseline 1024 x 2 blocks,
  PoseAug's default lifter size class, and the 256-wide one of the benchmark runs);
* ``poseaug step``: a whole :meth:`PoseAugModule.gan_step` (generators, discriminators, three depth passes,
  feedback) with the surface-v2 depth and with the legacy ``point`` depth (the default for an XYD lifter before).

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
    from auglift_hf.contract import default_descriptor
    from auglift_hf.models import SimpleBaselineConfig, SimpleBaselineForPoseLifting
    from auglift_hf.simulation import depth_error_preset, generate_motion
    from auglift_hf.simulation.poseaug import AugmentedDepthSimulation, PoseAugConfig, augmented_depth
    from auglift_hf.simulation.surface_error import surface_error_preset
    from auglift_hf.training.poseaug import PoseAugModule

    n = args.batch
    world = generate_motion("walking", n, fps=25.0, seed=0)
    cam = world[..., [0, 2, 1]] * np.array([1.0, -1.0, 1.0])
    cam = torch.tensor(cam - cam[:, :1] + np.array([0.0, 0.0, 5.0]), dtype=torch.float32)
    f, c = torch.full((n, 2), 1145.0), torch.full((n, 2), 500.0)
    size = torch.full((n, 2), 1000.0)
    proc = PoseLiftingProcessor(input_channels=["x", "y", "d"], scale_normalization="depth")
    casp = default_descriptor("casp", 16)
    sims = {  # what a table's card gives (auglift convert --depth-source synthetic [--depth-simulation surface-v2])
        "surface-v2 casp(16)": AugmentedDepthSimulation(
            "surface-v2", surface_error_preset(severity=1).to_dict(), casp
        ),
        "capsule-v1 casp(16)": AugmentedDepthSimulation("capsule-v1", depth_error_preset(severity=1).to_dict(), casp),
        "capsule-v1 point": AugmentedDepthSimulation(
            "capsule-v1", depth_error_preset(severity=1).to_dict(), default_descriptor("point", 1)
        ),
        "legacy casp(16)": AugmentedDepthSimulation.legacy(),
    }
    legacy = AugmentedDepthSimulation.legacy()
    gen = PoseAugModule(proc, PoseAugConfig(rt_translation="bounded"), depth_simulation=legacy).generator
    with torch.no_grad():
        aug = gen(cam)["pose_rt"]  # in front of the camera
    times = {}
    for name, sim in sims.items():  # mode="casp" only matters for the legacy simulation (tables: their descriptor)
        times[name] = _timed(
            lambda sim=sim: augmented_depth(aug, f, c, size, mode="casp", generator=1, simulation=sim), args.repeats
        )
    times["legacy point"] = _timed(
        lambda: augmented_depth(aug, f, c, size, mode="point", generator=1, simulation=legacy), args.repeats
    )
    print(f"batch {n}: depth of augmented poses " + "   ".join(f"{k} {v * 1e3:.1f} ms" for k, v in times.items()))
    from auglift_hf.simulation.poseaug import encode_like_processor, project_pinhole

    depth = augmented_depth(aug, f, c, size, simulation=sims["surface-v2 casp(16)"])
    x = encode_like_processor(proc, project_pinhole(aug, f, c), size, depth)[:, None]
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
        t_pa = {}
        for name in ("surface-v2 casp(16)", "legacy point"):  # the table's depth vs the old default (XYD lifter)
            pa = PoseAugModule(proc, PoseAugConfig(), depth_simulation=sims.get(name, legacy))
            t_pa[name] = _timed(
                lambda pa=pa, model=model: pa.gan_step(batch, real, model, 3, 50), max(args.repeats // 2, 1)
            )
        ratios = ", ".join(f"{k} {v / t_step:.2f}" for k, v in times.items())
        steps = ", ".join(f"{k} depth {v * 1e3:.1f} ms ({v / t_step:.1f}x)" for k, v in t_pa.items())
        print(
            f"SimpleBaseline {width}: lifter step {t_step * 1e3:.1f} ms | depth/lifter-step ratio {ratios} | whole "
            f"PoseAug GAN step: {steps}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
