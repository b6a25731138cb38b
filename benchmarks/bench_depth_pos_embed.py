"""Measurement: transformers' DINOv2 position-embedding interpolation vs the original (``scale_factor``, +0.1).

    .venv/bin/python benchmarks/bench_depth_pos_embed.py

A tiny **random-init** Depth Anything (Dinov2 backbone with the real 37 x 37 position grid, width 32, 2 layers,
metric head, ``max_depth`` 20; nothing from the Hub) runs on a smooth synthetic image at the network input size of
each frame size, once with transformers' ``interpolate_pos_encoding`` (``size=``) and once with
:func:`auglift_hf.preprocess.depth.original_interpolate_pos_encoding`. Reported: the largest difference of the
interpolated embeddings in units of their std (random trunc-normal init, then a smooth 2D sinusoidal table, closer
to learned embeddings), and the mean absolute depth difference relative to the depth map's spatial std. The real
ViT-L's sensitivity to the embeddings is not measured here (no weights).
"""

from __future__ import annotations

import types

import numpy as np
import torch
from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config

from auglift_hf.preprocess.depth import depth_anything_input_size, original_interpolate_pos_encoding

FRAMES = {
    "3DPW 1080x1920 (portrait)": (1920, 1080),
    "3DHP TS5-6 / 16:9 1920x1080": (1080, 1920),
    "4:3 640x480": (480, 640),
    "H36M 1000x1000": (1000, 1000),
}


def tiny_model() -> DepthAnythingForDepthEstimation:
    torch.manual_seed(0)
    backbone = Dinov2Config(
        image_size=518, patch_size=14, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, mlp_ratio=2,
        out_indices=[1, 2], reshape_hidden_states=False, apply_layernorm=True,
    )  # fmt: skip
    config = DepthAnythingConfig(
        backbone_config=backbone, use_pretrained_backbone=False, reassemble_hidden_size=32,
        reassemble_factors=[2, 1], neck_hidden_sizes=[16, 32], fusion_hidden_size=16, head_hidden_size=8,
        depth_estimation_type="metric", max_depth=20,
    )  # fmt: skip
    model = DepthAnythingForDepthEstimation(config).eval()
    for mod in model.modules():  # transformers' init leaves the head's output constant; torch defaults vary it
        if isinstance(mod, (torch.nn.Conv2d, torch.nn.ConvTranspose2d, torch.nn.Linear)):
            mod.reset_parameters()
    return model


def sinusoidal(m: int, dim: int) -> torch.Tensor:
    i, j = np.mgrid[0:m, 0:m]
    freqs = 1.0 / (10000 ** (np.arange(dim // 4) / (dim // 4)))
    parts = [f(a[..., None] * freqs) for a in (i, j) for f in (np.sin, np.cos)]
    table = np.concatenate(parts, -1).reshape(m * m, dim)
    return torch.tensor(table * 0.02 / table.std(), dtype=torch.float32)


def main() -> None:
    torch.set_num_threads(1)
    model = tiny_model()
    emb = model.backbone.embeddings
    hf_method = emb.interpolate_pos_encoding
    ours = types.MethodType(original_interpolate_pos_encoding, emb)
    random_pe = emb.position_embeddings.detach().clone()
    rng = np.random.default_rng(0)
    print(f"{'frame (w x h)':30s} {'input':>9s} {'embeddings':>22s} {'depth diff / std':>24s}")
    for name, (h, w) in FRAMES.items():
        nh, nw = depth_anything_input_size(h, w)
        yy, xx = np.mgrid[0:nh, 0:nw] / max(nh, nw)
        img = np.stack([xx, yy, 0.5 + 0.3 * np.sin(6 * xx) * np.cos(4 * yy)]) + 0.05 * rng.standard_normal((3, nh, nw))
        x = torch.tensor(img, dtype=torch.float32)[None]
        cells = []
        for table in ("random", "smooth"):
            with torch.no_grad():
                emb.position_embeddings.copy_(random_pe)
                if table == "smooth":
                    emb.position_embeddings[0, 1:] = sinusoidal(37, random_pe.shape[-1])
            tokens = torch.zeros(1, (nh // 14) * (nw // 14) + 1, random_pe.shape[-1])
            pe_diff = (hf_method(tokens, nh, nw) - ours(tokens, nh, nw)).abs().max() / emb.position_embeddings.std()
            with torch.no_grad():
                emb.interpolate_pos_encoding = hf_method
                a = model(pixel_values=x).predicted_depth
                emb.interpolate_pos_encoding = ours
                b = model(pixel_values=x).predicted_depth
            cells.append((pe_diff.item(), ((a - b).abs().mean() / a.std()).item()))
        print(
            f"{name:30s} {nw:4d}x{nh:<4d} {cells[0][0]:9.3f} / {cells[1][0]:.3f} std "
            f"{100 * cells[0][1]:9.2f} % / {100 * cells[1][1]:.2f} %   (random / smooth embeddings)"
        )


if __name__ == "__main__":
    main()
