"""Minimal faithful re-implementations of the original models, used only to produce the original key layouts
and reference outputs for the conversion tests (no timm / einops / mmcv needed).

* ``PoseTransformer``: github.com/zczcwh/PoseFormer ``common/model_poseformer.py``.
* ``TemporalModel`` / ``TemporalModelOptimized1f``: github.com/facebookresearch/VideoPose3D ``common/model.py``.
* ``MMPoseLifter``: MMPose ``TCN`` backbone (``ConvModule`` = conv + ``bn`` + ReLU) + ``TemporalRegressionHead``.
"""

from functools import partial

import torch
from torch import nn


# ---------------------------------------------------------------- PoseFormer
class Mlp(nn.Module):
    def __init__(self, in_features, hidden_features, drop=0.0):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden_features)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_features, in_features)
        self.drop = nn.Dropout(drop)

    def forward(self, x):
        return self.drop(self.fc2(self.drop(self.act(self.fc1(x)))))


class Attention(nn.Module):
    def __init__(self, dim, num_heads=8, qkv_bias=False):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B, N, C))


class Block(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio, qkv_bias, norm_layer):
        super().__init__()
        self.norm1 = norm_layer(dim)
        self.attn = Attention(dim, num_heads=num_heads, qkv_bias=qkv_bias)
        self.drop_path = nn.Identity()
        self.norm2 = norm_layer(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.drop_path(self.attn(self.norm1(x)))
        return x + self.drop_path(self.mlp(self.norm2(x)))


class PoseTransformer(nn.Module):
    def __init__(
        self, num_frame=9, num_joints=17, in_chans=2, embed_dim_ratio=32, depth=4, num_heads=8, mlp_ratio=2.0
    ):
        super().__init__()
        norm_layer = partial(nn.LayerNorm, eps=1e-6)
        embed_dim = embed_dim_ratio * num_joints
        self.Spatial_patch_to_embedding = nn.Linear(in_chans, embed_dim_ratio)
        self.Spatial_pos_embed = nn.Parameter(torch.randn(1, num_joints, embed_dim_ratio) * 0.1)
        self.Temporal_pos_embed = nn.Parameter(torch.randn(1, num_frame, embed_dim) * 0.1)
        self.Spatial_blocks = nn.ModuleList(
            [Block(embed_dim_ratio, num_heads, mlp_ratio, True, norm_layer) for _ in range(depth)]
        )
        self.blocks = nn.ModuleList([Block(embed_dim, num_heads, mlp_ratio, True, norm_layer) for _ in range(depth)])
        self.Spatial_norm = norm_layer(embed_dim_ratio)
        self.Temporal_norm = norm_layer(embed_dim)
        self.weighted_mean = nn.Conv1d(in_channels=num_frame, out_channels=1, kernel_size=1)
        self.head = nn.Sequential(nn.LayerNorm(embed_dim), nn.Linear(embed_dim, num_joints * 3))

    def forward(self, x):  # (b, f, p, c)
        b, f, p, c = x.shape
        x = x.reshape(b * f, p, c)  # rearrange 'b c f p -> (b f) p c' of the permuted input
        x = self.Spatial_patch_to_embedding(x) + self.Spatial_pos_embed
        for blk in self.Spatial_blocks:
            x = blk(x)
        x = self.Spatial_norm(x).reshape(b, f, -1)
        x = x + self.Temporal_pos_embed
        for blk in self.blocks:
            x = blk(x)
        x = self.weighted_mean(self.Temporal_norm(x)).view(b, 1, -1)
        return self.head(x).view(b, 1, p, -1)


# ---------------------------------------------------------------- VideoPose3D
class TemporalModelBase(nn.Module):
    def __init__(self, num_joints_in, in_features, num_joints_out, filter_widths, causal, dropout, channels):
        super().__init__()
        self.num_joints_in, self.in_features, self.num_joints_out = num_joints_in, in_features, num_joints_out
        self.filter_widths = filter_widths
        self.drop = nn.Dropout(dropout)
        self.relu = nn.ReLU(inplace=True)
        self.pad = [filter_widths[0] // 2]
        self.expand_bn = nn.BatchNorm1d(channels, momentum=0.1)
        self.shrink = nn.Conv1d(channels, num_joints_out * 3, 1)

    def receptive_field(self):
        return 1 + 2 * sum(self.pad)

    def forward(self, x):
        sz = x.shape[:3]
        x = x.view(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
        x = self._forward_blocks(x)
        return x.permute(0, 2, 1).view(sz[0], -1, self.num_joints_out, 3)


class TemporalModel(TemporalModelBase):
    def __init__(self, num_joints_in, in_features, num_joints_out, filter_widths, causal=False, dropout=0.25,
                 channels=1024, dense=False):  # fmt: skip
        super().__init__(num_joints_in, in_features, num_joints_out, filter_widths, causal, dropout, channels)
        self.expand_conv = nn.Conv1d(num_joints_in * in_features, channels, filter_widths[0], bias=False)
        layers_conv, layers_bn = [], []
        self.causal_shift = [(filter_widths[0]) // 2 if causal else 0]
        next_dilation = filter_widths[0]
        for i in range(1, len(filter_widths)):
            self.pad.append((filter_widths[i] - 1) * next_dilation // 2)
            self.causal_shift.append((filter_widths[i] // 2 * next_dilation) if causal else 0)
            layers_conv.append(
                nn.Conv1d(
                    channels,
                    channels,
                    filter_widths[i] if not dense else (2 * self.pad[-1] + 1),
                    dilation=next_dilation if not dense else 1,
                    bias=False,
                )  # fmt: skip
            )
            layers_bn.append(nn.BatchNorm1d(channels, momentum=0.1))
            layers_conv.append(nn.Conv1d(channels, channels, 1, dilation=1, bias=False))
            layers_bn.append(nn.BatchNorm1d(channels, momentum=0.1))
            next_dilation *= filter_widths[i]
        self.layers_conv = nn.ModuleList(layers_conv)
        self.layers_bn = nn.ModuleList(layers_bn)

    def _forward_blocks(self, x):
        x = self.drop(self.relu(self.expand_bn(self.expand_conv(x))))
        for i in range(len(self.pad) - 1):
            pad, shift = self.pad[i + 1], self.causal_shift[i + 1]
            res = x[:, :, pad + shift : x.shape[2] - pad + shift]
            x = self.drop(self.relu(self.layers_bn[2 * i](self.layers_conv[2 * i](x))))
            x = res + self.drop(self.relu(self.layers_bn[2 * i + 1](self.layers_conv[2 * i + 1](x))))
        return self.shrink(x)


class TemporalModelOptimized1f(TemporalModelBase):
    def __init__(self, num_joints_in, in_features, num_joints_out, filter_widths, causal=False, dropout=0.25,
                 channels=1024):  # fmt: skip
        super().__init__(num_joints_in, in_features, num_joints_out, filter_widths, causal, dropout, channels)
        self.expand_conv = nn.Conv1d(
            num_joints_in * in_features, channels, filter_widths[0], stride=filter_widths[0], bias=False
        )
        layers_conv, layers_bn = [], []
        self.causal_shift = [(filter_widths[0] // 2) if causal else 0]
        next_dilation = filter_widths[0]
        for i in range(1, len(filter_widths)):
            self.pad.append((filter_widths[i] - 1) * next_dilation // 2)
            self.causal_shift.append((filter_widths[i] // 2) if causal else 0)
            layers_conv.append(nn.Conv1d(channels, channels, filter_widths[i], stride=filter_widths[i], bias=False))
            layers_bn.append(nn.BatchNorm1d(channels, momentum=0.1))
            layers_conv.append(nn.Conv1d(channels, channels, 1, dilation=1, bias=False))
            layers_bn.append(nn.BatchNorm1d(channels, momentum=0.1))
            next_dilation *= filter_widths[i]
        self.layers_conv = nn.ModuleList(layers_conv)
        self.layers_bn = nn.ModuleList(layers_bn)

    def _forward_blocks(self, x):
        x = self.drop(self.relu(self.expand_bn(self.expand_conv(x))))
        for i in range(len(self.pad) - 1):
            res = x[:, :, self.causal_shift[i + 1] + self.filter_widths[i + 1] // 2 :: self.filter_widths[i + 1]]
            x = self.drop(self.relu(self.layers_bn[2 * i](self.layers_conv[2 * i](x))))
            x = res + self.drop(self.relu(self.layers_bn[2 * i + 1](self.layers_conv[2 * i + 1](x))))
        return self.shrink(x)


# ---------------------------------------------------------------- MMPose
class ConvModule(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, dilation=1):
        super().__init__()
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, stride=stride, dilation=dilation, bias=False)
        self.bn = nn.BatchNorm1d(out_channels)
        self.activate = nn.ReLU()

    def forward(self, x):
        return self.activate(self.bn(self.conv(x)))


class BasicTemporalBlock(nn.Module):
    def __init__(self, channels, kernel_size, dilation, dropout):
        super().__init__()
        self.pad = (kernel_size - 1) * dilation // 2
        self.conv1 = nn.Sequential(ConvModule(channels, channels, kernel_size, dilation=dilation))
        self.conv2 = nn.Sequential(ConvModule(channels, channels, 1))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        out = self.dropout(self.conv2(self.dropout(self.conv1(x))))
        return out + x[:, :, self.pad : x.shape[2] - self.pad]


class MMPoseLifter(nn.Module):
    """``PoseLifter`` with a ``TCN`` backbone and a ``TemporalRegressionHead`` (keys ``backbone.*``, ``head.*``)."""

    def __init__(self, in_channels, kernel_sizes=(3, 3, 3), stem_channels=64, num_joints_out=17, dropout=0.25):
        super().__init__()
        self.backbone = nn.Module()
        self.backbone.expand_conv = ConvModule(in_channels, stem_channels, kernel_sizes[0])
        blocks, dilation = [], kernel_sizes[0]
        for k in kernel_sizes[1:]:
            blocks.append(BasicTemporalBlock(stem_channels, k, dilation, dropout))
            dilation *= k
        self.backbone.tcn_blocks = nn.ModuleList(blocks)
        self.backbone.dropout = nn.Dropout(dropout)
        self.head = nn.Module()
        self.head.conv = nn.Conv1d(stem_channels, num_joints_out * 3, 1)
        self.num_joints_out = num_joints_out

    def forward(self, x):  # (b, t, k, c) -> (b, t_out, num_joints_out, 3)
        b, t = x.shape[:2]
        x = self.backbone.dropout(self.backbone.expand_conv(x.reshape(b, t, -1).transpose(1, 2)))
        for block in self.backbone.tcn_blocks:
            x = block(x)
        return self.head.conv(x).transpose(1, 2).reshape(b, -1, self.num_joints_out, 3)


def randomize(module: nn.Module, seed: int = 0) -> nn.Module:
    """Random weights and BatchNorm statistics, eval mode."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in module.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            if name.endswith("running_var"):
                tensor.copy_(torch.rand(tensor.shape, generator=gen) + 0.5)
            else:
                tensor.copy_(0.2 * torch.randn(tensor.shape, generator=gen))
    return module.eval()
