"""Benchmark the metric family: batched PA-MPJPE vs a per-pose loop, and the ``evaluate`` wrapper's overhead.

Run: ``.venv/bin/python benchmarks/bench_metrics.py [--num-poses 200000] [--layouts]``

Prints, from one process on the same data:
* poses/s of the batched numpy (and torch) PA-MPJPE against VideoPose3D's ``p_mpjpe`` applied one pose at a time
  (goal: >= 20x);
* wall time of all pure metrics (``compute_pose3d_metrics``) against ``auglift_hf.load_metric().compute`` on the
  same poses, and their ratio (the wrapper's overhead; goal: < 15 s for 200k poses), with the module's Arrow
  fast path and with evaluate's own per-row encoder;
* with ``--layouts``: the Arrow input layouts we measured before choosing flat float64 rows.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_EVALUATE_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from auglift_hf import metrics  # noqa: E402


def videopose3d_p_mpjpe(predicted: np.ndarray, target: np.ndarray) -> float:
    """VideoPose3D ``common/loss.py::p_mpjpe`` verbatim (batched over its first axis)."""
    mu_x = np.mean(target, axis=1, keepdims=True)
    mu_y = np.mean(predicted, axis=1, keepdims=True)
    x0, y0 = target - mu_x, predicted - mu_y
    norm_x = np.sqrt(np.sum(x0**2, axis=(1, 2), keepdims=True))
    norm_y = np.sqrt(np.sum(y0**2, axis=(1, 2), keepdims=True))
    x0, y0 = x0 / norm_x, y0 / norm_y
    u, s, vt = np.linalg.svd(np.matmul(x0.transpose(0, 2, 1), y0))
    v = vt.transpose(0, 2, 1)
    r = np.matmul(v, u.transpose(0, 2, 1))
    sign_det_r = np.sign(np.expand_dims(np.linalg.det(r), axis=1))
    v[:, :, -1] *= sign_det_r
    s[:, -1] *= sign_det_r.flatten()
    r = np.matmul(v, u.transpose(0, 2, 1))
    a = np.expand_dims(np.sum(s, axis=1, keepdims=True), axis=2) * norm_x / norm_y
    t = mu_x - a * np.matmul(mu_y, r)
    return float(np.mean(np.linalg.norm(a * np.matmul(predicted, r) + t - target, axis=-1)))


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    """Best wall time of ``repeat`` runs (seconds) and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def bench_layouts(pred: np.ndarray, target: np.ndarray) -> None:
    import datasets
    import evaluate

    flat32, flat64 = pred.reshape(len(pred), -1).astype(np.float32), pred.reshape(len(pred), -1)
    layouts = {
        "flat float64 rows (chosen)": (datasets.Sequence(datasets.Value("float64")), flat64),
        "flat float32 rows": (datasets.Sequence(datasets.Value("float32")), flat32),
        "flat float32 rows, length=51": (datasets.Sequence(datasets.Value("float32"), length=51), flat32),
        "nested (17, 3) float32 lists": (
            datasets.Sequence(datasets.Sequence(datasets.Value("float32"), length=3), length=17),
            pred.astype(np.float32),
        ),
        "Array2D((17, 3), float32)": (datasets.Array2D((17, 3), "float32"), pred.astype(np.float32)),
    }

    class Probe(evaluate.Metric):
        feature = None

        def _info(self):
            feats = datasets.Features({"predictions": self.feature, "references": self.feature})
            return evaluate.MetricInfo(description="", citation="", inputs_description="", features=feats)

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.info.format = "arrow"  # same read path as pose3d: measure the encoding, not Python list building

        def _compute(self, predictions, references):
            return {"n": len(predictions)}

    print(f"\nevaluate input layouts, {len(pred):,} poses (predictions + references, encode + write + read):")
    for name, (feature, data) in layouts.items():
        probe = type("Probe", (Probe,), {"feature": feature})()
        seconds, _ = timed(lambda probe=probe, data=data: probe.compute(predictions=data, references=data), repeat=1)
        print(f"  {name:<32s} {seconds:7.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-poses", type=int, default=200_000)
    parser.add_argument("--loop-poses", type=int, default=5_000, help="poses for the slow per-pose loop baseline")
    parser.add_argument("--layouts", action="store_true", help="also compare evaluate input layouts (20k poses)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    target = rng.normal(size=(args.num_poses, 17, 3)) * 300.0 + np.array([0.0, 0.0, 4000.0])
    pred = target + rng.normal(size=target.shape) * 50.0
    n_loop = min(args.loop_poses, args.num_poses)
    print(f"torch {torch.__version__}, numpy {np.__version__}, threads {torch.get_num_threads()}")

    # --- PA-MPJPE: batched vs per-pose loop -------------------------------------------------------------------
    t_loop, loop_vals = timed(
        lambda: [videopose3d_p_mpjpe(pred[i : i + 1], target[i : i + 1]) for i in range(n_loop)], repeat=1
    )
    t_batch, batch_vals = timed(lambda: metrics.p_mpjpe(pred, target, reduction="none"))
    tp, tt = torch.from_numpy(pred).float(), torch.from_numpy(target).float()
    t_torch, _ = timed(lambda: metrics.p_mpjpe(tp, tt, reduction="none"))
    assert np.allclose(batch_vals[:n_loop], loop_vals, atol=1e-6), "batched PA-MPJPE disagrees with the loop"
    loop_rate, batch_rate, torch_rate = n_loop / t_loop, args.num_poses / t_batch, args.num_poses / t_torch
    print(f"\nPA-MPJPE throughput ({args.num_poses:,} poses batched, {n_loop:,} in the loop):")
    print(f"  per-pose numpy loop (VideoPose3D p_mpjpe) {loop_rate:12,.0f} poses/s   1.0x")
    print(f"  batched numpy (auglift_hf.metrics)        {batch_rate:12,.0f} poses/s {batch_rate / loop_rate:6.1f}x")
    print(f"  batched torch float32 (CPU)               {torch_rate:12,.0f} poses/s {torch_rate / loop_rate:6.1f}x")

    # --- evaluate wrapper overhead -----------------------------------------------------------------------------
    t_pure, pure = timed(lambda: metrics.compute_pose3d_metrics(pred, target))
    module = metrics.load_metric()
    t_eval, wrapped = timed(lambda: module.compute(predictions=pred, references=target), repeat=1)
    for key in ("mpjpe", "pa_mpjpe", "n_mpjpe", "pck3d", "auc"):
        assert abs(pure[key] - wrapped[key]) <= 1e-9 * max(1.0, abs(pure[key])), key
    slow = metrics.load_metric()
    slow._write_arrow_batch = lambda *a: False  # force evaluate's own per-row encoder (the public add_batch path)
    t_slow, slow_out = timed(lambda: slow.compute(predictions=pred, references=target), repeat=1)
    assert abs(slow_out["pa_mpjpe"] - pure["pa_mpjpe"]) <= 1e-9 * pure["pa_mpjpe"]
    print(f"\nall five metrics on {args.num_poses:,} poses:")
    print(f"  pure functions (compute_pose3d_metrics)   {t_pure:7.2f} s")
    print(f"  evaluate module (load_metric().compute)   {t_eval:7.2f} s   overhead ratio {t_eval / t_pure:5.1f}x")
    print(f"  ... with evaluate's per-row encoder       {t_slow:7.2f} s   overhead ratio {t_slow / t_pure:5.1f}x")
    print("  results: " + ", ".join(f"{k}={wrapped[k]:.4f}" for k in ("mpjpe", "pa_mpjpe", "n_mpjpe", "pck3d", "auc")))

    if args.layouts:
        n = min(20_000, args.num_poses)
        bench_layouts(pred[:n], target[:n])


if __name__ == "__main__":
    main()
