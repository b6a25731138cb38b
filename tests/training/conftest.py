"""A tiny XYCD frame table built from the procedural motion generator (native canonical format)."""

import pytest


@pytest.fixture(scope="session")
def motion_table(tmp_path_factory):
    from auglift_hf.training.quickstart import build_table, procedural_records

    records = procedural_records(num_train=6, num_test=3, num_frames=40, seed=0, progress=False)
    return build_table(records, tmp_path_factory.mktemp("tables") / "procedural", "procedural", progress=False)


@pytest.fixture
def tiny_config():
    return _tiny_config


def _tiny_config(table, out_dir, **training):
    """A sectioned training config dict for a tiny TCN (27 frames, 32 channels)."""
    train = {
        "output_dir": str(out_dir),
        "max_steps": 30,
        "per_device_train_batch_size": 32,
        "per_device_eval_batch_size": 64,
        "learning_rate": 3e-3,
        "eval_strategy": "steps",
        "save_strategy": "steps",
        "eval_steps": 10,
        "save_steps": 10,
        "logging_steps": 5,
        "disable_tqdm": True,
        "use_cpu": True,
        "seed": 0,
    }
    train.update(training)
    return {
        "model": {
            "model_type": "tcn",
            "num_frames": 27,
            "input_channels": ["x", "y", "c", "d"],
            "model_kwargs": {"channels": 32, "dropout": 0.0},
        },
        "data": {
            "train_datasets": [str(table)],
            "eval_datasets": [str(table)],
            "dataset_config": "detected2d",
            "max_eval_samples": 100,
        },
        "training": train,
    }
