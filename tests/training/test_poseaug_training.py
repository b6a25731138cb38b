"""PoseAug training mode: the official epoch alternation (order, learning-rate factors, bone-length swap, sample
counts), exact resume of the schedule, the pretrained-lifter stage, PoseAug's defaults, and a short end-to-end run
of ``auglift train <config> poseaug=true`` on the tiny motion table."""

import json
import math

import pytest
import torch

from auglift_hf.training.config import load_config
from auglift_hf.training.trainer import run_training


def _config(table, out, channels=("x", "y"), **training):
    train = {
        "output_dir": str(out), "max_steps": 24, "per_device_train_batch_size": 32, "learning_rate": 3e-3,
        "eval_strategy": "no", "save_strategy": "no", "logging_steps": 4, "disable_tqdm": True, "use_cpu": True,
        "seed": 0, "resume": False, "poseaug_pretrain_steps": 4, "poseaug_warmup_epochs": 1,
        "poseaug_kwargs": {"hidden_size": 32, "kcs_channels": 16, "d2d_width": 16},
    }  # fmt: skip
    train.update(training)
    data = {"train_datasets": [str(table)], "dataset_config": "gt2d"}
    if "d" in channels:
        data["scale_normalization"] = "depth"
    return {
        "model": {"model_type": "simple_baseline", "num_frames": 1, "input_channels": list(channels),
                  "model_kwargs": {"hidden_size": 32, "num_blocks": 1, "dropout": 0.0}},
        "data": data,
        "training": train,
    }  # fmt: skip


# ---------------------------------------------------------------- the schedule (no Trainer)
class _RecordingModule:
    """Stands in for PoseAugModule: records GAN iterations and keeps every other pose of each batch."""

    def __init__(self, processor, warmup_epochs):
        from auglift_hf.simulation.poseaug import PoseAugConfig
        from auglift_hf.training.poseaug import PoseAugModule

        self.real = PoseAugModule(processor, PoseAugConfig(hidden_size=16, kcs_channels=8, d2d_width=8,
                                                           warmup_epochs=warmup_epochs))  # fmt: skip
        self.cfg, self.iteration, self.last_logs, self.events, self.lr = self.real.cfg, 0, {}, [], []

    def set_lr_factor(self, factor):
        self.lr.append(factor)

    def to(self, device):
        return self

    def gan_step(self, batch, real, lifter, epoch, total_epochs):
        self.events.append(("gan", epoch, lifter is not None, batch["joints_cam"].clone()))
        self.iteration += 1
        return {k: batch[k][::2] for k in ("joints_cam", "focal", "center", "image_size")}

    def encode(self, *args):
        return self.real.encode(*args)

    def training_state(self):
        return self.real.training_state()

    def load_training_state(self, state):
        self.real.load_training_state(state)


def _schedule(motion_table, warmup=1, epochs=3, pretrain=2, budget=None, run_past=False, progress=False):
    from auglift_hf import PoseLiftingProcessor
    from auglift_hf.data.windows import PoseWindowDataset
    from auglift_hf.models import SimpleBaselineConfig, SimpleBaselineForPoseLifting
    from auglift_hf.training.collator import PoseLiftingCollator
    from auglift_hf.training.poseaug import PoseAugSchedule

    proc = PoseLiftingProcessor(input_channels=["x", "y"])
    ds = PoseWindowDataset(motion_table, window_size=1, processor=proc, camera_fields=True, split="train")
    lifter = SimpleBaselineForPoseLifting(SimpleBaselineConfig(input_channels=["x", "y"], num_input_channels=2,
                                                               hidden_size=16, num_blocks=1))  # fmt: skip
    module = _RecordingModule(proc, warmup)
    schedule = PoseAugSchedule(module, ds, PoseLiftingCollator(flip_prob=0.5, seed=0), lifter, 32, epochs,
                               pretrain_steps=pretrain, sample_budget=budget, seed=0,
                               run_past_schedule=run_past, progress=progress)  # fmt: skip
    return schedule, module, ds


def test_gan_passes_show_progress_only_when_asked(motion_table, capsys):
    """A GAN pass holds no lifter step (with depth, ~30 min on the v4 table), so it has its own bar."""
    for progress in (True, False):
        schedule, _, _ = _schedule(motion_table, warmup=1, epochs=2, pretrain=0, progress=progress)
        next(iter(schedule))  # the warm-up pass, then epoch 2's pass, before the first lifter batch
        err = capsys.readouterr().err
        assert ("PoseAug epoch 1/2: GAN pass (warm-up)" in err and "PoseAug epoch 2/2: GAN pass" in err) == progress
        assert ("/7 [" in err) == progress  # one bar per pass, its total the real batches


def test_schedule_follows_the_official_epoch_alternation(motion_table):
    """pretrain -> GAN-only warm-up epoch -> per epoch: GAN pass, its buffer, a real pass (run_poseaug.py:80-109)."""
    from auglift_hf.simulation.poseaug import bone_vectors

    schedule, module, ds = _schedule(motion_table, warmup=1, epochs=3, pretrain=2)
    n = len(ds) // 32  # 240 windows -> 7 real batches per pass; GAN passes use the same 7 batches of 32
    assert (schedule.num_poses, schedule.n_real) == (240, 7)
    log = []
    for batch in schedule:
        log.append(("lifter", len(module.events), batch["poseaug_generated"], batch["poseaug_lr_factor"],
                    len(batch["labels"])))  # fmt: skip
    gan = [e for e in module.events]
    # epochs 1 (warm-up: no lifter), 2 and 3 (with the lifter's feedback), n iterations each, in order
    assert [(e[1], e[2]) for e in gan] == [(1, False)] * n + [(2, True)] * n + [(3, True)] * n
    kept = n * 16  # every other pose of each GAN batch -> 112 generated poses per epoch = 4 batches (3 x 32 + 16)
    phases = [(g, size) for _, _, g, _, size in log]
    pretrain, epoch2, epoch3 = phases[:2], phases[2 : 2 + 4 + n], phases[2 + 4 + n :]
    assert pretrain == [(0, 32)] * 2
    assert epoch2 == [(32, 32)] * 3 + [(16, 16)] + [(0, 32)] * n == epoch3
    # the GAN pass of epoch 2 ran after the pretrain batches and before epoch 2's lifter batches; epoch 3's after them
    assert [e for _, e, *_ in log] == [0, 0] + [2 * n] * (4 + n) + [3 * n] * (4 + n)
    # learning-rate factor 1 - (epoch - 1) / (epochs + 1): 1 while pretraining, 0.75 in epoch 2, 0.5 in epoch 3
    assert [f for *_, f, _ in log] == [1.0] * 2 + [0.75] * (4 + n) + [0.5] * (4 + n)
    assert module.lr == [1.0, 0.75, 0.5]  # generators and discriminators, set at each GAN pass
    assert schedule.counts() == {"lifter_samples": 64 + 2 * (kept + n * 32), "lifter_samples_generated": 2 * kept,
                                 "poseaug_epoch": 3, "gan_iterations": 3 * n}  # fmt: skip
    assert len(log) <= len(schedule)
    # dataloader_update: the GAN's input poses carry one of the training set's bone-length templates
    lengths = bone_vectors(torch.cat([e[3] for e in gan])).norm(dim=-1)
    gap = (lengths[:, None] - schedule.templates[None]).abs().amax(-1).amin(-1)
    assert gap.max() < 1e-5 and len(schedule.templates) >= 2


def test_schedule_sample_budget_and_running_past_the_schedule(motion_table):
    schedule, module, _ = _schedule(motion_table, warmup=1, epochs=2, pretrain=0, budget=700, run_past=True)
    sizes = [len(b["labels"]) for b in schedule]
    assert sum(sizes) == 700 and schedule.lifter_samples == 700  # the last batch is cut to the budget
    # a lifter epoch is 112 generated + 224 real samples: epochs 2, 3 and 28 samples of 4, past the 2-epoch
    # schedule with its last epoch's factor 1 - 1 / 3
    assert schedule.epoch == 4 and sizes[-1] == 28
    assert module.lr == pytest.approx([1.0, 2 / 3, 2 / 3, 2 / 3])


def test_schedule_state_resumes_exactly(motion_table):
    first, _, _ = _schedule(motion_table, epochs=3)
    it = iter(first)
    for _ in range(2 + 2):  # pretrain, then into the buffer of epoch 2
        next(it)
    state = first.state_dict()
    expected = [next(it) for _ in range(6)]  # rest of the buffer and the start of the real pass (flips included)
    second, _, _ = _schedule(motion_table, epochs=3)
    second.load_state_dict(state)
    got = [b for _, b in zip(range(6), second)]
    for a, b in zip(expected, got):
        torch.testing.assert_close(a["labels"], b["labels"])
        torch.testing.assert_close(a["keypoints"], b["keypoints"])


# ---------------------------------------------------------------- config, refusals
def test_poseaug_defaults_are_the_official_values(motion_table, tmp_path):
    cfg = _config(motion_table, tmp_path / "run")
    for key in ("learning_rate", "per_device_train_batch_size"):
        del cfg["training"][key]
    _, _, args = load_config(cfg, ["poseaug=true"])
    assert (args.learning_rate, args.per_device_train_batch_size, args.num_train_epochs, args.optimizer) == (
        1e-4, 1024, 50.0, "adam")  # fmt: skip
    _, _, args = load_config(cfg, ["poseaug=true", "learning_rate=1e-3"])
    assert args.learning_rate == 1e-3  # what the config sets wins
    _, _, plain = load_config(cfg)
    assert plain.learning_rate == 1e-3 and plain.per_device_train_batch_size == 8  # plain runs: unchanged


def test_schedule_length_and_sample_matching():
    from types import SimpleNamespace

    from auglift_hf.training.poseaug import poseaug_schedule_length

    base = dict(per_device_train_batch_size=100, gradient_accumulation_steps=1, poseaug_warmup_epochs=2,
                poseaug_pretrain_steps=0, poseaug_match_samples=False, max_steps=-1, num_train_epochs=50.0)  # fmt: skip
    # 1050 windows -> n = 10 real batches per pass
    assert poseaug_schedule_length(SimpleNamespace(**base), 1050) == (50, None, False)
    # max_steps 100: 2 warm-up epochs + ceil(100 / 20) = 7 epochs, no budget (stops at 100 batches)
    assert poseaug_schedule_length(SimpleNamespace(**{**base, "max_steps": 100}), 1050) == (7, None, True)
    # matched with a plain 50-epoch run: 500 batches = 50,000 samples; 2 + 25 epochs
    assert poseaug_schedule_length(SimpleNamespace(**{**base, "poseaug_match_samples": True}), 1050) == (
        27, 50_000, True)  # fmt: skip
    with pytest.raises(ValueError, match="no lifter epoch"):
        poseaug_schedule_length(SimpleNamespace(**{**base, "num_train_epochs": 2.0}), 1050)


def test_poseaug_kwargs_refuses_unknown_fields(motion_table, tmp_path):
    from auglift_hf.training.poseaug import poseaug_config

    _, _, args = load_config(_config(motion_table, tmp_path / "run"), ["poseaug=true", "poseaug_warmup_epochs=3"])
    assert poseaug_config(args).warmup_epochs == 3 and poseaug_config(args).hidden_size == 32
    for bad in ("{hidden_sise: 3}", "{warmup_epochs: 1}"):
        _, _, args = load_config(_config(motion_table, tmp_path / "run"), ["poseaug=true", f"poseaug_kwargs={bad}"])
        with pytest.raises(ValueError, match="unknown PoseAugConfig fields"):
            poseaug_config(args)


def test_poseaug_refuses_an_untrained_lifter(motion_table, tmp_path):
    cfg = _config(motion_table, tmp_path / "run", poseaug=True, poseaug_pretrain_steps=0)
    with pytest.raises(ValueError, match="poseaug_pretrained=<lifter folder>"):
        run_training(*load_config(cfg))
    assert not (tmp_path / "run").exists()  # nothing written


def test_poseaug_pretrained_is_checked_against_the_config(motion_table, tmp_path):
    from auglift_hf.errors import IncompatibleModelError
    from auglift_hf.models import SimpleBaselineConfig, SimpleBaselineForPoseLifting

    folder = tmp_path / "lifter"
    SimpleBaselineForPoseLifting(SimpleBaselineConfig(input_channels=["x", "y", "c"], num_input_channels=3,
                                                      hidden_size=32, num_blocks=1)).save_pretrained(folder)  # fmt: skip
    cfg = _config(motion_table, tmp_path / "run", poseaug=True, poseaug_pretrained=str(folder))
    with pytest.raises(IncompatibleModelError, match=r"input_channels \['x', 'y', 'c'\] vs \['x', 'y'\]"):
        run_training(*load_config(cfg))
    missing = _config(motion_table, tmp_path / "run", poseaug=True, poseaug_pretrained=str(tmp_path / "nope"))
    with pytest.raises(FileNotFoundError, match="nope"):
        run_training(*load_config(missing))


def test_poseaug_refuses_multi_frame_lifters(motion_table, tmp_path):
    cfg = _config(motion_table, tmp_path / "run", poseaug=True)
    cfg["model"] = {"model_type": "tcn", "num_frames": 27, "input_channels": ["x", "y"],
                    "model_kwargs": {"channels": 16}}  # fmt: skip
    with pytest.raises(ValueError, match="single-frame"):
        run_training(*load_config(cfg))


# ---------------------------------------------------------------- end to end
def test_poseaug_run_from_a_pretrained_lifter(motion_table, tmp_path):
    """A plain run, then PoseAug from its final folder (the official pipeline), with depth (XYD, dscale2d)."""
    channels = ("x", "y", "d")
    plain = run_training(*load_config(_config(motion_table, tmp_path / "plain", channels, max_steps=8)))
    assert plain["train_metrics"]["lifter_samples"] == 8 * 32
    cfg = _config(motion_table, tmp_path / "pa", channels, poseaug=True, poseaug_pretrained=plain["final_dir"],
                  poseaug_pretrain_steps=0, max_steps=16, save_strategy="epoch", save_total_limit=None)  # fmt: skip
    res = run_training(*load_config(cfg))
    history = res["trainer"].state.log_history
    logged = [h for h in history if "loss" in h]
    assert logged and all(math.isfinite(h["loss"]) and "poseaug_gen_loss" in h for h in logged[1:])
    assert res["global_step"] == 16
    # a checkpoint at the end of every PoseAug epoch (a buffer pass + 7 real batches each) and at the end of the run
    steps = sorted(int(p.name.split("-")[1]) for p in (tmp_path / "pa").glob("checkpoint-*"))
    assert len(steps) >= 2 and steps[-1] == 16 and all(s > 7 for s in steps)
    counts = res["train_metrics"]
    assert 0 < counts["lifter_samples_generated"] < counts["lifter_samples"] <= 16 * 32
    final = tmp_path / "pa" / "final"
    saved = json.loads((final / "eval_results.json").read_text())["train"]
    assert saved["lifter_samples"] == counts["lifter_samples"]
    meta = json.loads((final / "poseaug_config.json").read_text())
    assert meta["config"]["adversarial_loss"] == "official" and meta["config"]["rt_translation"] == "official"
    # the augmented poses' depth came from the table's own simulation (the quickstart table: the package default,
    # surface-v2 at the calibrated severity), recorded
    from auglift_hf.data.schema import DEFAULT_DEPTH_SIMULATION
    from auglift_hf.simulation.surface_error import CALIBRATED_SEVERITY

    recorded = json.loads((final / "training_config.json").read_text())["training"]["poseaug_depth_simulation"]
    assert recorded["simulation"] == DEFAULT_DEPTH_SIMULATION and recorded["error_model"] == "SurfaceDepthError"
    assert recorded["depth_error"]["preset"] == "surface-v2" and recorded["read_from"] == str(motion_table)
    assert recorded["depth_error"]["severity"] == CALIBRATED_SEVERITY
    assert meta["depth_simulation"] == recorded
    assert meta["iteration"] == counts["gan_iterations"] > 0
    from auglift_hf import PoseLiftingProcessor

    assert PoseLiftingProcessor.from_pretrained(final).scale_normalization == "depth"
    # a pretrained lifter of another scale normalisation is refused
    other = _config(motion_table, tmp_path / "pa2", channels, poseaug=True, poseaug_pretrained=plain["final_dir"],
                    poseaug_pretrain_steps=0)  # fmt: skip
    other["data"]["scale_normalization"] = None
    with pytest.raises(ValueError, match="scale_normalization='depth'"):
        run_training(*load_config(other))


def test_poseaug_run_resumes_exactly(motion_table, tmp_path):
    """Interrupted after the checkpoint at step 10 (mid PoseAug epoch), resumed: the same lifter and generators."""
    from safetensors.torch import load_file
    from transformers import TrainerCallback

    class Interrupted(Exception):
        pass

    class InterruptAfterSave(TrainerCallback):
        def on_save(self, args, state, control, **kwargs):
            if state.global_step >= 10:
                raise Interrupted

    def cfg(out):
        return _config(motion_table, out, poseaug=True, max_steps=20, save_strategy="steps", save_steps=10,
                       resume=True, load_best_model_at_end=False)  # fmt: skip

    full = run_training(*load_config(cfg(tmp_path / "full")))
    with pytest.raises(Interrupted):
        run_training(*load_config(cfg(tmp_path / "res")), callbacks=[InterruptAfterSave()])
    assert (tmp_path / "res" / "checkpoint-10" / "poseaug_state.pt").is_file()
    resumed = run_training(*load_config(cfg(tmp_path / "res")))
    assert resumed["resumed_from"].endswith("checkpoint-10")
    for name in ("model.safetensors", "poseaug.safetensors"):
        a, b = load_file(str(tmp_path / "full" / "final" / name)), load_file(str(tmp_path / "res" / "final" / name))
        assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert resumed["train_metrics"]["lifter_samples"] == full["train_metrics"]["lifter_samples"]


def test_poseaug_with_depth_refuses_a_table_that_does_not_say_how_its_depth_was_made(motion_table, tmp_path):
    """No ``auglift_depth_simulation`` in the card: refused in one line naming the table, before anything is written;
    an XY lifter (no depth) is not concerned."""
    import shutil

    from auglift_hf.simulation.depth_source import DEPTH_SIMULATION_KEY

    bare = tmp_path / "bare"
    shutil.copytree(motion_table, bare)
    card = (bare / "README.md").read_text()
    start = card.index(DEPTH_SIMULATION_KEY + ":")
    (bare / "README.md").write_text(card[:start] + card[card.index("\n---", start) + 1 :])
    cfg = _config(bare, tmp_path / "run", ("x", "y", "d"), poseaug=True)
    with pytest.raises(ValueError, match=f"training table {bare}: its card does not say how its depth was made"):
        run_training(*load_config(cfg))
    assert not (tmp_path / "run" / "final").exists()
    _, _, args = load_config(cfg, ["poseaug_depth=legacy-capsule"])
    assert args.poseaug_depth == "legacy-capsule"
    with pytest.raises(ValueError, match="poseaug_depth must be table or legacy-capsule"):
        load_config(cfg, ["poseaug_depth=surface"])


def test_poseaug_run_on_a_surface_table_uses_and_records_its_simulation(tmp_path):
    """End to end on a surface-v2 table with a severity range: the run trains and records the table's simulation."""
    from auglift_hf.data.schema import synthetic_depth_source, write_frame_table
    from auglift_hf.training.quickstart import procedural_records

    table = tmp_path / "surface"
    records = procedural_records(num_train=3, num_test=1, num_frames=40, seed=0, progress=False)
    source = synthetic_depth_source(simulation="surface-v2", severity_range=(0.5, 1.5))
    write_frame_table(records, table, dataset_name="procedural", depth_source=source, progress=False)
    cfg = _config(table, tmp_path / "run", ("x", "y", "d"), poseaug=True, max_steps=10, poseaug_pretrain_steps=2)
    res = run_training(*load_config(cfg))
    assert res["global_step"] == 10 and res["train_metrics"]["lifter_samples_generated"] > 0
    recorded = json.loads((tmp_path / "run" / "final" / "training_config.json").read_text())["training"]
    sim = recorded["poseaug_depth_simulation"]
    assert sim["simulation"] == "surface-v2" and sim["error_model"] == "SurfaceDepthError"
    assert sim["depth_error"]["severity"] == [0.5, 1.5] and sim["depth_descriptor"]["mode"] == "casp"
