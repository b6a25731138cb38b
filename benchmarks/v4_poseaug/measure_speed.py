"""Sizing pilot of benchmarks/v4_poseaug/run.sh: lifter samples per second of a plain and of a PoseAug run.

Runs ``auglift train <config> <overrides>`` in-process (:func:`auglift_hf.training.trainer.run_training`) with a
callback that records, after every lifter step, the wall clock, this process's CPU time and (PoseAug) the schedule's
phase, so one short run gives each part of the cost separately:

* plain run: seconds per lifter step (batch ``B``);
* PoseAug run: the GAN pass of each PoseAug epoch (the gap before the epoch's first lifter batch: warm-up passes
  without feedback, later passes with the lifter's feedback and the depth of the generated poses), per GAN
  iteration; and the lifter steps on generated (buffer) and real batches.

CPU seconds (``time.process_time``) are what a one-thread lane on an idle core spends; wall seconds depend on
the machine's load and are printed beside them. One JSON line per run (``--out`` appends it to a file).

Usage (small pilot table, ~1-3 minutes each under load)::

    python benchmarks/v4_poseaug/measure_speed.py benchmarks/v4_poseaug/configs/sb-gt-v4.yaml \
        train_datasets=[/work/cache/v4exp_pilot/train_gt_surface] output_dir=/tmp/v4speed/xy max_steps=60
    python benchmarks/v4_poseaug/measure_speed.py benchmarks/v4_poseaug/configs/sb-gt-v4.yaml \
        train_datasets=[...] output_dir=/tmp/v4speed/xy-pa poseaug=true poseaug_pretrained=/tmp/v4speed/xy/final \
        learning_rate=1e-4 num_train_epochs=3 max_steps=-1
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from transformers import TrainerCallback


class StepClock(TrainerCallback):
    """``(step, wall s, cpu s, phase, poseaug epoch)`` after every optimisation step (phase ``None``: plain run)."""

    def __init__(self):
        self.rows: list[tuple] = []
        self.schedule = None  # PoseAug: the Trainer's training "dataloader" is the PoseAugSchedule

    def on_train_begin(self, args, state, control, **kwargs):  # noqa: ANN001
        self.start = (time.perf_counter(), time.process_time())

    def on_step_end(self, args, state, control, **kwargs):  # noqa: ANN001
        loader = kwargs.get("train_dataloader")
        schedule = self.schedule = loader if hasattr(loader, "gan_pass") else None
        phase = None if schedule is None else schedule.phase
        epoch = None if schedule is None else schedule.epoch
        self.rows.append((state.global_step, time.perf_counter(), time.process_time(), phase, epoch))


def summarise(rows: list[tuple], start: tuple[float, float], batch: int, gan_iterations: int | None) -> dict:
    """Per-part costs from the step clock (see the module docstring). ``gan_iterations`` per GAN pass (PoseAug)."""
    wall0, cpu0 = start
    out = {"steps": len(rows), "wall_s": rows[-1][1] - wall0, "cpu_s": rows[-1][2] - cpu0}
    if rows[0][3] is None:  # plain: skip the first step (warm caches), time the rest
        n = len(rows) - 1
        out["step_cpu_s"] = (rows[-1][2] - rows[0][2]) / n
        out["step_wall_s"] = (rows[-1][1] - rows[0][1]) / n
        out["samples_per_cpu_s"] = batch / out["step_cpu_s"]
        return out
    # PoseAug: a step whose predecessor belongs to an earlier PoseAug epoch follows that epoch's GAN pass(es)
    passes, lifter_cpu, lifter_wall, lifter_steps = [], 0.0, 0.0, 0
    prev = (None, wall0, cpu0, None, 0)
    for row in rows:
        gap_cpu, gap_wall = row[2] - prev[2], row[1] - prev[1]
        if row[4] != prev[4]:  # the GAN passes of epochs prev+1 .. row's epoch ran before this step
            passes.append(
                {"epochs": list(range((prev[4] or 0) + 1, row[4] + 1)), "cpu_s": gap_cpu, "wall_s": gap_wall}
            )
        else:
            lifter_cpu, lifter_wall, lifter_steps = lifter_cpu + gap_cpu, lifter_wall + gap_wall, lifter_steps + 1
        prev = row
    out["gan_passes"] = passes
    out["lifter_step_cpu_s"] = lifter_cpu / max(lifter_steps, 1)
    out["lifter_step_wall_s"] = lifter_wall / max(lifter_steps, 1)
    if gan_iterations:
        out["gan_iterations_per_pass"] = gan_iterations
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("overrides", nargs="*")
    parser.add_argument("--out", type=Path, default=None, help="append the JSON line to this file")
    args = parser.parse_args(argv)
    import torch

    from auglift_hf.training.config import load_config
    from auglift_hf.training.trainer import run_training

    torch.set_num_threads(1)
    model_args, data_args, training_args = load_config(args.config, args.overrides)
    clock = StepClock()
    result = run_training(model_args, data_args, training_args, callbacks=[clock])
    schedule = clock.schedule
    batch = training_args.per_device_train_batch_size
    line = {
        "config": args.config, "overrides": args.overrides, "batch": batch,
        "channels": list(model_args.input_channels), "poseaug": bool(training_args.poseaug),
        **summarise(clock.rows, clock.start, batch, schedule.n_real if schedule is not None else None),
        **{k: v for k, v in result["train_metrics"].items() if k.startswith(("lifter_samples", "gan_", "poseaug_"))},
    }  # fmt: skip
    if schedule is not None:
        line["lifter_samples_per_cpu_s"] = line["lifter_samples"] / line["cpu_s"]
        line["kept_last_pass"] = schedule.module.last_logs.get("poseaug_kept")
        line["buffer_last_pass"] = schedule.module.last_logs.get("poseaug_buffer")
    text = json.dumps(line)
    print(text, flush=True)
    if args.out:
        with open(args.out, "a") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
