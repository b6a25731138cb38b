"""Worker for tests/training/test_ddp.py, run by ``torchrun --nproc_per_node 2`` (CPU, gloo).

Usage: ddp_worker.py <config.yaml> <report_dir>. Trains through ``run_training`` with a training set that records
which items this rank loaded, and writes ``rank<R>.json``: items seen, a parameter vector, the eval metrics.
"""

import json
import sys
from pathlib import Path

import torch
from transformers import TrainerCallback

from auglift_hf.training.config import load_config
from auglift_hf.training.data import window_dataset
from auglift_hf.training.trainer import run_training


class Recording(torch.utils.data.Dataset):
    def __init__(self, dataset):
        self.dataset, self.seen = dataset, []

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        self.seen.append(int(i))
        return self.dataset[i]


class Report(TrainerCallback):
    def __init__(self, train, path):
        self.train, self.path = train, path

    def on_train_end(self, args, state, control, model=None, **kwargs):
        params = torch.cat([p.detach().flatten() for p in model.parameters()]).tolist()
        self.path.write_text(json.dumps({"seen": self.train.seen, "params": params, "steps": state.global_step}))


def main():
    cfg, report_dir = sys.argv[1], Path(sys.argv[2])
    model_args, data_args, training_args = load_config(cfg)
    rank = training_args.process_index
    table = data_args.train_datasets[0]
    train = Recording(window_dataset(table, model_args.input_channels, 27, "train", "detected2d", 1))
    evald = window_dataset(table, model_args.input_channels, 27, "test", "detected2d", 3)
    report = report_dir / f"rank{rank}.json"
    res = run_training(
        model_args, data_args, training_args, train_dataset=train, eval_dataset=evald,
        callbacks=[Report(train, report)],
    )  # fmt: skip
    data = json.loads(report.read_text())
    data.update(
        world_size=training_args.world_size, eval=res["eval_metrics"], eval_size=len(evald), train_size=len(train)
    )
    report.write_text(json.dumps(data))


if __name__ == "__main__":
    main()
