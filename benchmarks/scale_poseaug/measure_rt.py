"""Camera distances of PoseAug's generated (RT) poses: official free translation vs the bounded option (issue 27 g).

No lifter: the generators and discriminators are trained for ``--iterations`` GAN-only iterations (PoseAug's warm-up,
``function_poseaug/model_gan_train.py:271-279`` without feedback) on real H36M training poses (S1, S5, S6, S7, S8 of
``../shared/data/h36m/data_3d_h36m_fk25.npz``, every ``--frame-step``-th frame, the 4 real cameras, bone lengths
swapped per iteration as ``dataloader_update``), official widths and learning rates. Printed at a few iterations:
quantiles of the RT poses' root depth (metres), the share with a joint less than 0.1 m in front of the camera, and
the share PoseAug would hand to the lifter (``keep_rule`` inside_image, and the official one-sided check).

Usage: ``python benchmarks/scale_poseaug/measure_rt.py [--iterations 300] [--batch 256]`` (a few CPU minutes).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def real_poses(frame_step: int) -> dict[str, torch.Tensor]:
    from auglift_hf.camera import load_mmpose_cameras, world_to_camera
    from auglift_hf.data.h36m import H36M_CAMERA_IDS, load_positions_3d
    from auglift_hf.skeleton import h36m32_to_17

    positions = load_positions_3d(SHARED / "h36m" / "data_3d_h36m_fk25.npz")
    cameras = load_mmpose_cameras(SHARED / "h36m" / "cameras.pkl")
    poses, focal, center, size = [], [], [], []
    for subject in ("S1", "S5", "S6", "S7", "S8"):
        for seq in positions[subject].values():
            world = h36m32_to_17(seq[::frame_step])
            for cam_id in H36M_CAMERA_IDS:
                cam = cameras[(subject, cam_id)]
                poses.append(world_to_camera(world, cam["R"], cam["T"]))
                n = len(world)
                focal.append(np.repeat(np.ravel(cam["f"])[None], n, 0))
                center.append(np.repeat(np.ravel(cam["c"])[None], n, 0))
                size.append(np.repeat(np.array([[cam["w"], cam["h"]]], float), n, 0))
    out = {"joints_cam": poses, "focal": focal, "center": center, "image_size": size}
    return {k: torch.tensor(np.concatenate(v), dtype=torch.float32) for k, v in out.items()}


def describe(module, data: dict[str, torch.Tensor], n: int = 4096, seed: int = 0) -> str:
    from auglift_hf.simulation.poseaug import inside_image, project_pinhole, project_pinhole_clamped
    from auglift_hf.training.poseaug import _screen

    idx = torch.randperm(len(data["joints_cam"]), generator=torch.Generator().manual_seed(seed))[:n]
    d = {k: v[idx] for k, v in data.items()}
    module.generator.eval()  # batch-norm running statistics: the generator as it would be used at that point
    with torch.no_grad():
        rt = module.generator(d["joints_cam"], generator=torch.Generator().manual_seed(seed))["pose_rt"]
    module.generator.train()
    q = np.quantile(rt[:, 0, 2].numpy(), [0.05, 0.25, 0.5, 0.75, 0.95])
    behind = (rt[..., 2] < 0.1).any(-1).float().mean().item()
    inside = inside_image(project_pinhole(rt, d["focal"], d["center"]), rt, d["image_size"]).float().mean().item()
    uv = project_pinhole_clamped(rt, d["focal"], d["center"])
    official = (~(_screen(uv, d["image_size"]) > 1).flatten(1).any(-1)).float().mean().item()
    return (
        f"root depth q05/25/50/75/95 {' / '.join(f'{v:.2f}' for v in q)} m | joint z<0.1 m {behind:.1%} | "
        f"kept inside_image {inside:.1%}, official rule {official:.1%}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--frame-step", type=int, default=16)
    parser.add_argument("--modes", default="official,bounded", help="rt_translation values, comma-separated")
    args = parser.parse_args()

    from auglift_hf import PoseLiftingProcessor
    from auglift_hf.simulation.poseaug import PoseAugConfig, bone_length_templates, random_bone_length_swap
    from auglift_hf.training.poseaug import PoseAugModule

    torch.set_num_threads(1)
    data = real_poses(args.frame_step)
    real_q = np.quantile(data["joints_cam"][:, 0, 2].numpy(), [0.05, 0.25, 0.5, 0.75, 0.95])
    print(f"real H36M training poses: {len(data['joints_cam'])}, root depth q05/25/50/75/95 "
          f"{' / '.join(f'{v:.2f}' for v in real_q)} m")  # fmt: skip
    templates = bone_length_templates(data["joints_cam"])
    proc = PoseLiftingProcessor(input_channels=["x", "y"])
    marks = sorted({0, args.iterations // 3, 2 * args.iterations // 3, args.iterations})
    for mode in args.modes.split(","):
        module = PoseAugModule(proc, PoseAugConfig(rt_translation=mode), seed=0)
        g = torch.Generator().manual_seed(1)
        start = time.perf_counter()
        for it in range(args.iterations + 1):
            if it in marks:
                print(f"[{mode:8s}] iteration {it:4d}: {describe(module, data)}", flush=True)
            if it == args.iterations:
                break
            pick = torch.randint(0, len(data["joints_cam"]), (3, args.batch), generator=g)
            swapped = {k: v[pick[0]] for k, v in data.items()}
            swapped["joints_cam"] = random_bone_length_swap(swapped["joints_cam"], templates, g)
            real = {"pose_3d": data["joints_cam"][pick[1]], "pose_2d": data["joints_cam"][pick[2]],
                    **{k: data[k][pick[2]] for k in ("focal", "center", "image_size")}}  # fmt: skip
            module.gan_step(swapped, real, None, 1, 50)
        print(f"[{mode:8s}] {args.iterations} iterations in {time.perf_counter() - start:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
