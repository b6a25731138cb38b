"""Faithful minimal re-implementation of MotionBERT's ``DSTformer`` (github.com/Walter0807/MotionBERT,
``lib/model/DSTformer.py``), used only to produce the official key layout and reference outputs for the
conversion tests. Only the code paths the released 3D pose models use are kept (``Attention`` modes "spatial" /
"temporal", ``Block`` modes "stage_st" / "stage_ts", ``att_fuse``), with the official module names and
parameter shapes, and ``load_backbone``'s ``norm_layer=partial(nn.LayerNorm, eps=1e-6)``.

``load_official_dstformer`` instead imports the *real* official module from a MotionBERT checkout or git
mirror found at runtime (``MOTIONBERT_REPO`` or ``/work/.mirror/Walter0807+MotionBERT/repo``); nothing of it is
committed here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections import OrderedDict
from functools import partial
from pathlib import Path

import torch
from torch import nn

DEFAULT_MIRROR = "/work/.mirror/Walter0807+MotionBERT/repo"


class MLP(nn.Module):
    def __init__(self, in_features, hidden_features, drop=0.0):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden_features)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_features, in_features)
        self.drop = nn.Dropout(drop)

    def forward(self, x):
        return self.drop(self.fc2(self.drop(self.act(self.fc1(x)))))


class Attention(nn.Module):
    def __init__(self, dim, num_heads, qkv_bias, st_mode):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.attn_drop = nn.Dropout(0.0)
        self.proj = nn.Linear(dim, dim)
        self.mode = st_mode
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj_drop = nn.Dropout(0.0)

    def forward(self, x, seqlen=1):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        x = self.forward_temporal(q, k, v, seqlen) if self.mode == "temporal" else self.forward_spatial(q, k, v)
        return self.proj_drop(self.proj(x))

    def forward_spatial(self, q, k, v):
        B, _, N, C = q.shape
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return (attn @ v).transpose(1, 2).reshape(B, N, C * self.num_heads)

    def forward_temporal(self, q, k, v, seqlen=8):
        B, _, N, C = q.shape
        qt = q.reshape(-1, seqlen, self.num_heads, N, C).permute(0, 2, 3, 1, 4)
        kt = k.reshape(-1, seqlen, self.num_heads, N, C).permute(0, 2, 3, 1, 4)
        vt = v.reshape(-1, seqlen, self.num_heads, N, C).permute(0, 2, 3, 1, 4)
        attn = ((qt @ kt.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return (attn @ vt).permute(0, 3, 2, 1, 4).reshape(B, N, C * self.num_heads)


class Block(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio, qkv_bias, norm_layer, st_mode):
        super().__init__()
        self.st_mode = st_mode
        self.norm1_s = norm_layer(dim)
        self.norm1_t = norm_layer(dim)
        self.attn_s = Attention(dim, num_heads, qkv_bias, "spatial")
        self.attn_t = Attention(dim, num_heads, qkv_bias, "temporal")
        self.drop_path = nn.Identity()
        self.norm2_s = norm_layer(dim)
        self.norm2_t = norm_layer(dim)
        self.mlp_s = MLP(dim, int(dim * mlp_ratio))
        self.mlp_t = MLP(dim, int(dim * mlp_ratio))

    def forward(self, x, seqlen=1):
        if self.st_mode == "stage_st":
            x = x + self.drop_path(self.attn_s(self.norm1_s(x), seqlen))
            x = x + self.drop_path(self.mlp_s(self.norm2_s(x)))
            x = x + self.drop_path(self.attn_t(self.norm1_t(x), seqlen))
            x = x + self.drop_path(self.mlp_t(self.norm2_t(x)))
        else:
            x = x + self.drop_path(self.attn_t(self.norm1_t(x), seqlen))
            x = x + self.drop_path(self.mlp_t(self.norm2_t(x)))
            x = x + self.drop_path(self.attn_s(self.norm1_s(x), seqlen))
            x = x + self.drop_path(self.mlp_s(self.norm2_s(x)))
        return x


class DSTformer(nn.Module):
    def __init__(
        self, dim_in=3, dim_out=3, dim_feat=256, dim_rep=512, depth=5, num_heads=8, mlp_ratio=4, num_joints=17,
        maxlen=243, qkv_bias=True, att_fuse=True,
    ):  # fmt: skip
        super().__init__()
        norm_layer = partial(nn.LayerNorm, eps=1e-6)
        self.joints_embed = nn.Linear(dim_in, dim_feat)
        self.pos_drop = nn.Dropout(0.0)
        self.blocks_st = nn.ModuleList(
            [Block(dim_feat, num_heads, mlp_ratio, qkv_bias, norm_layer, "stage_st") for _ in range(depth)]
        )
        self.blocks_ts = nn.ModuleList(
            [Block(dim_feat, num_heads, mlp_ratio, qkv_bias, norm_layer, "stage_ts") for _ in range(depth)]
        )
        self.norm = norm_layer(dim_feat)
        self.pre_logits = nn.Sequential(OrderedDict([("fc", nn.Linear(dim_feat, dim_rep)), ("act", nn.Tanh())]))
        self.head = nn.Linear(dim_rep, dim_out)
        self.temp_embed = nn.Parameter(torch.zeros(1, maxlen, 1, dim_feat))
        self.pos_embed = nn.Parameter(torch.zeros(1, num_joints, dim_feat))
        self.att_fuse = att_fuse
        if att_fuse:
            self.ts_attn = nn.ModuleList([nn.Linear(dim_feat * 2, 2) for _ in range(depth)])

    def forward(self, x, return_rep=False):
        B, F, J, C = x.shape
        x = x.reshape(-1, J, C)
        BF = x.shape[0]
        x = self.joints_embed(x) + self.pos_embed
        _, J, C = x.shape
        x = x.reshape(-1, F, J, C) + self.temp_embed[:, :F, :, :]
        x = self.pos_drop(x.reshape(BF, J, C))
        for idx, (blk_st, blk_ts) in enumerate(zip(self.blocks_st, self.blocks_ts, strict=True)):
            x_st = blk_st(x, F)
            x_ts = blk_ts(x, F)
            if self.att_fuse:
                alpha = self.ts_attn[idx](torch.cat([x_st, x_ts], dim=-1)).softmax(dim=-1)
                x = x_st * alpha[:, :, 0:1] + x_ts * alpha[:, :, 1:2]
            else:
                x = (x_st + x_ts) * 0.5
        x = self.pre_logits(self.norm(x).reshape(B, F, J, -1))
        return x if return_rep else self.head(x)


def motionbert_repo() -> Path | None:
    """A MotionBERT checkout or bare git mirror (``MOTIONBERT_REPO`` or the fetched mirror), or ``None``."""
    path = Path(os.environ.get("MOTIONBERT_REPO", DEFAULT_MIRROR))
    return path if path.exists() else None


def load_official_dstformer():
    """The official ``DSTformer`` class, imported from the checkout / git mirror (files copied to a temp dir)."""
    repo = motionbert_repo()
    if repo is None:
        return None
    root = Path(tempfile.mkdtemp(prefix="motionbert_official_"))
    (root / "lib" / "model").mkdir(parents=True)
    for part in ("lib/__init__.py", "lib/model/__init__.py"):
        (root / part).write_text("")
    for name in ("DSTformer.py", "drop.py"):
        source = repo / "lib" / "model" / name
        if source.is_file():
            text = source.read_text()
        else:  # bare mirror: read from git
            text = subprocess.run(
                ["git", "--git-dir", str(repo if (repo / "HEAD").is_file() else repo / ".git"), "show",
                 f"HEAD:lib/model/{name}"], check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip
        (root / "lib" / "model" / name).write_text(text)
    sys.path.insert(0, str(root))
    try:
        for mod in [m for m in sys.modules if m == "lib" or m.startswith("lib.")]:
            del sys.modules[mod]
        from lib.model.DSTformer import DSTformer as OfficialDSTformer  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(root))
    return OfficialDSTformer
