"""The distributed path on CPU: 2 processes (gloo) through torchrun, the same code as a single-process run."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import yaml


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_process_gloo_training(motion_table, tmp_path, tiny_config):
    config = tiny_config(
        motion_table, tmp_path / "run", max_steps=6, eval_steps=6, save_steps=6, logging_steps=2,
        per_device_train_batch_size=16, dataloader_drop_last=True,
    )  # fmt: skip
    config["training"]["resume"] = False
    cfg = tmp_path / "ddp.yaml"
    cfg.write_text(yaml.safe_dump(config))
    worker = Path(__file__).with_name("ddp_worker.py")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(sys.path)}
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
        "--master_port", str(_free_port()), str(worker), str(cfg), str(tmp_path),
    ]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    r0, r1 = (json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1))
    assert r0["world_size"] == r1["world_size"] == 2
    assert r0["steps"] == r1["steps"] == 6
    # the distributed sampler shards the data: each rank loads its own disjoint items
    # (accelerate's loader prefetches one batch ahead, hence up to one extra batch per rank)
    assert 6 * 16 <= len(r0["seen"]) == len(r1["seen"]) <= 7 * 16
    assert not set(r0["seen"]) & set(r1["seen"])
    # DDP all-reduces the gradients: identical weights on both ranks after training
    np.testing.assert_array_equal(np.asarray(r0["params"]), np.asarray(r1["params"]))
    # evaluation gathers every rank's predictions once: each window scored exactly once, same numbers everywhere
    assert r0["eval"]["eval_num_poses"] == r1["eval"]["eval_num_poses"] == r0["eval_size"]
    assert r0["eval"]["eval_mpjpe"] == r1["eval"]["eval_mpjpe"]
    assert (tmp_path / "run" / "final" / "model.safetensors").is_file()
