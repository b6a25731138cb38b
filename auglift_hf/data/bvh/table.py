"""BVH motion -> the canonical frame table (``auglift convert bvh <files or folder> --out DIR``).

Per file (:func:`read_bvh_world`): parse and forward kinematics (:mod:`~auglift_hf.data.bvh.reader`), H36M-17
by a named joint map (:mod:`~auglift_hf.data.bvh.joint_map`), then the package's world frame:

* **units**: BVH does not state them. ``units="auto"`` measures the body's ankle -> knee -> hip -> pelvis ->
  spine -> thorax -> neck path (H36M S1: 1.65 m) in file units and takes the one unit of m / cm / mm / inch that
  makes it 0.8-2.4 m (a child to a tall adult); several or none -> refused, naming the length (``units=`` then
  says). A stated unit is still checked (:func:`~auglift_hf.data.schema.check_person_extent`).
* **axes**: BVH is Y-up (``up_axis="y"``): ``(x, y, z)_bvh -> (x, -z, y)_world`` (a +90 degree turn about x,
  right-handed kept); ``up_axis="z"`` for Z-up files. Checked: the pelvis -> thorax direction must be within
  60 degrees of up (+z) in at least 10 % of the frames (a wrong axis lays the body down in every frame), else
  refused naming the measured direction.
* **placement**: the clip's mean pelvis is moved to ``x = y = 0`` (the centre of the H36M capture volume, where
  the real cameras look) and the floor under it: the lowest ankle's 5th-percentile height over the clip is set to
  :data:`~auglift_hf.simulation.motion.ANKLE_HEIGHT` (0.08 m, H36M's; the file's own floor, if any, is not
  trusted).
* **frame rate**: ``1 / Frame Time`` (:attr:`~auglift_hf.data.bvh.reader.BVHMotion.fps`).

Then (:func:`convert_bvh`): optional retargeting onto H36M bone lengths (``bone_lengths="h36m"``: the joint
rotations, i.e. bone directions, are kept, every bone gets the length of :data:`H36M_BONE_LENGTHS` - H36M
subject S1, the skeleton of the H36M motion every shipped lifter was trained on - and the root trajectory is scaled by the leg-length ratio so feet do not slide),
``body_proportions`` re-proportioned copies (:func:`~auglift_hf.simulation.proportions.random_bone_ratios`,
PoseAug's 1 +- 0.2 per symmetric bone group, one draw per clip and copy), resampling to ``fps``
(:func:`~auglift_hf.preprocess.frame_rate.resample_sequence`, linear in time), and cameras: the real H36M
cameras (``cameras.pkl``: the four cameras of one training subject in the file per clip, chosen by a CRC-32 of
the clip's name, with lens distortion; frames outside an image stay with ``valid = False``) and/or ``virtual_cameras``
random static cameras per clip and body (:func:`~auglift_hf.simulation.viewpoints.virtual_camera`, as
``auglift convert h36m --virtual-cameras``). GT 2D, the simulated detector (:func:`~auglift_hf.data.h36m.
simulate_detector_2d`) and the simulated depth (``depth_source``) are those of ``auglift convert h36m``.
"""

from __future__ import annotations

import dataclasses
import os
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ...simulation.detector2d import DEFAULT_DETECTOR_PRESET
from ..schema import SequenceRecord, check_person_extent
from .joint_map import apply_joint_map, choose_joint_map
from .reader import forward_kinematics, parse_bvh

#: File units per metre of the units ``auglift convert bvh --units`` accepts.
UNITS: dict[str, float] = {"m": 1.0, "cm": 100.0, "mm": 1000.0, "inch": 1.0 / 0.0254}
#: Accepted ankle -> neck path length for ``units="auto"`` (metres): a child to a tall adult (H36M S1: 1.65 m).
BODY_PATH_M = (0.8, 2.4)
_PATH = ((3, 2), (2, 1), (1, 0), (6, 5), (5, 4), (4, 0), (0, 7), (7, 8), (8, 9))  # both legs, halved below
_UP = {"y": np.array([[1.0, 0, 0], [0, 0, 1], [0, -1, 0]]), "z": np.eye(3)}  # world = file @ _UP[axis]
#: Sources whose licence is known from their skeleton (``license=None`` then uses it).
KNOWN_SOURCES: dict[str, dict[str, str]] = {
    "bandai": {
        "dataset": "bandai",
        "license": "cc-by-nc-4.0",
        "note": "Bandai Namco Research Motion Dataset (github.com/BandaiNamcoResearchInc/Bandai-Namco-Research-"
        "Motiondataset), CC BY-NC 4.0: non-commercial use only, attribution required; a model trained on this "
        "table inherits that (its card must say so). Licence inferred from the Bandai Namco skeleton.",
    }
}
SPLITS = ("train", "test")


@dataclasses.dataclass
class BVHClip:
    """One BVH file as H36M-17 world motion: ``joints (F, 17, 3)`` metres, z up, floor at z = 0."""

    name: str
    joints: np.ndarray
    fps: float
    joint_map: str
    units: str
    source: str


def _body_path(joints: np.ndarray) -> float:
    """Median over frames of the ankle -> neck path (both legs averaged), in the joints' units."""
    seg = np.stack([np.linalg.norm(joints[:, a] - joints[:, b], axis=-1) for a, b in _PATH], -1)
    return float(np.median(seg[:, :6].sum(-1) / 2 + seg[:, 6:].sum(-1)))


def _choose_units(path_len: float, units: str, where: str) -> str:
    if units != "auto":
        if units not in UNITS:
            raise ValueError(f"--units must be auto or one of {list(UNITS)}, got {units!r}")
        return units
    lo, hi = BODY_PATH_M
    fits = [u for u, per_m in UNITS.items() if lo <= path_len / per_m <= hi]
    if len(fits) != 1:
        options = ", ".join(f"{path_len / per_m:.3g} m if {u}" for u, per_m in UNITS.items())
        raise ValueError(
            f"{where}: cannot tell the file's units: the ankle-to-neck path is {path_len:.4g} units ({options}; a "
            f"person is {lo}-{hi} m); state them with --units {{{','.join(UNITS)}}}"
        )
    return fits[0]


def place_on_floor(joints: np.ndarray) -> np.ndarray:
    """Shift ``(F, 17, 3)`` world metres so the lowest ankle's 5th-percentile height is ``ANKLE_HEIGHT``."""
    from ...simulation.motion import ANKLE_HEIGHT

    low = np.percentile(joints[:, [3, 6], 2].min(1), 5)
    return joints + np.array([0.0, 0.0, ANKLE_HEIGHT - low])


def read_bvh_world(
    path: str | os.PathLike,
    joint_map: str | Mapping[str, Any] | None = None,
    units: str = "auto",
    up_axis: str = "y",
    name: str | None = None,
) -> BVHClip:
    """A BVH file -> :class:`BVHClip` (module docstring: units, axes, placement). ``ValueError`` naming the file
    for a malformed file, an unknown skeleton, unknown units or a body that does not stand up."""
    if up_axis not in _UP:
        raise ValueError(f"--up-axis must be one of {list(_UP)}, got {up_axis!r}")
    src = os.fspath(path)
    bvh = parse_bvh(src)
    map_name, mapping = choose_joint_map(bvh, joint_map)
    pos, ends = forward_kinematics(bvh)
    raw = apply_joint_map(mapping, bvh, pos, ends, metre=1.0)
    unit = _choose_units(_body_path(raw), units, src)
    per_m = UNITS[unit]
    joints = apply_joint_map(mapping, bvh, pos, ends, metre=per_m) / per_m @ _UP[up_axis]
    check_person_extent(joints, f"{src} (--units {unit})")
    torso = joints[:, 8] - joints[:, 0]
    upright = torso[:, 2] / np.maximum(np.linalg.norm(torso, axis=-1), 1e-9)  # cosine to the world's up
    if np.percentile(upright, 90) < 0.5:  # a wrong up axis lays every frame down; a person stands up sometimes
        raise ValueError(
            f"{src}: with --up-axis {up_axis} the pelvis -> thorax direction is "
            f"{np.round(np.median(torso, 0), 3).tolist()} m (median; z should point up in at least 10 % of the "
            "frames); is the file Z-up (--up-axis z) or Y-up (--up-axis y)?"
        )
    joints[..., :2] -= joints[:, 0, :2].mean(0)
    return BVHClip(
        name=name or os.path.splitext(os.path.basename(src))[0], joints=place_on_floor(joints), fps=bvh.fps,
        joint_map=map_name, units=unit, source=src,
    )  # fmt: skip


#: H36M bone lengths in metres, in :data:`auglift_hf.skeleton.H36M_BONES` order (r hip, thigh, shin, l hip, thigh,
#: shin, spine, chest, neck, head, l clavicle, upper arm, forearm, r clavicle, upper arm, forearm): the median
#: over all frames of ``../shared/data/h36m/data_3d_h36m_fk25.npz``, whose public exp-map motion uses subject S1's
#: skeleton for every subject - the bodies every shipped lifter was trained on (not a mean over subjects, which
#: is not available here). Checked against that file by ``tests/data/test_bvh.py``.
H36M_BONE_LENGTHS: tuple[float, ...] = (
    0.1329, 0.4429, 0.4544, 0.1329, 0.4429, 0.4542, 0.2334, 0.2570, 0.1211, 0.1150, 0.1510, 0.2789, 0.2536, 0.1512,
    0.2789, 0.2517,
)  # fmt: skip


def h36m_bone_lengths() -> np.ndarray:
    """``(16,)`` :data:`H36M_BONE_LENGTHS` as an array (metres)."""
    return np.array(H36M_BONE_LENGTHS)


def retarget_bone_lengths(joints: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``(F, 17, 3)`` world metres with every bone set to ``lengths (16,)`` metres, bone directions kept; the root
    trajectory is scaled about the origin by the ratio of the new to the old (median) leg length, then the clip
    is put back on the floor (:func:`place_on_floor`)."""
    from ...simulation.proportions import bone_lengths, scale_bone_lengths

    current = bone_lengths(joints)  # (F, 16)
    ratios = np.asarray(lengths, np.float64) / np.maximum(current, 1e-9)
    leg = np.median(current[:, [1, 2, 4, 5]].sum(-1)) / 2  # thighs + shins of H36M_BONES order
    root = joints[:, :1] * ((lengths[1] + lengths[2] + lengths[4] + lengths[5]) / 2 / leg)
    return place_on_floor(scale_bone_lengths(joints - joints[:, :1] + root, ratios))


def _bodies(clip: BVHClip, bone_lengths: str, copies: int, seed: int, take: int) -> list[tuple[str, np.ndarray]]:
    from ...simulation.proportions import POSEAUG_RATIO_LIMIT, random_bone_ratios, scale_bone_lengths

    if bone_lengths == "h36m":
        base = ("h36m bones", retarget_bone_lengths(clip.joints, h36m_bone_lengths()))
    else:
        base = ("file bones", clip.joints)
    out = [base]
    for k in range(1, copies + 1):
        ratios = random_bone_ratios([seed, take, k], limit=POSEAUG_RATIO_LIMIT)
        out.append((f"{base[0]}, proportions {k}", place_on_floor(scale_bone_lengths(base[1], ratios))))
    return out


def _film(world: np.ndarray, cam: dict, label: str, common: dict, distort: bool) -> SequenceRecord | None:
    from ...camera import project, world_to_camera
    from ..h36m import frames_in_view

    xyz = world_to_camera(world, cam["R"], cam["T"])
    w, h = int(cam.get("w", 1000)), int(cam.get("h", 1002))
    with np.errstate(divide="ignore", invalid="ignore"):
        uv = project(xyz, cam["f"], cam["c"], cam.get("k") if distort else None, cam.get("p") if distort else None)
    valid = frames_in_view(xyz, uv, w, h)
    if not valid.any():
        return None
    return SequenceRecord(
        camera=label, keypoints_3d=xyz, keypoints_2d=np.where(np.isfinite(uv), uv, 0.0), focal=np.ravel(cam["f"]),
        center=np.ravel(cam["c"]), image_size=(w, h), valid=valid, **common,
    )  # fmt: skip


def clip_names(paths: Sequence[str]) -> list[tuple[str, str]]:
    """``(file, clip name)`` for BVH files and folders (searched recursively for ``*.bvh``), sorted; a clip's
    name is its path relative to the folder given, without ``.bvh``. ``FileNotFoundError`` / ``ValueError``
    for a missing path, a folder without BVH files or two clips of the same name."""
    out: list[tuple[str, str]] = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            found = sorted(
                os.path.join(d, f) for d, _, files in os.walk(p) for f in files if f.lower().endswith(".bvh")
            )
            if not found:
                raise ValueError(f"{p}: no .bvh files in this folder")
            out += [(f, os.path.splitext(os.path.relpath(f, p))[0].replace(os.sep, "/")) for f in found]
        elif os.path.isfile(p):
            out.append((p, os.path.splitext(os.path.basename(p))[0]))
        else:
            raise FileNotFoundError(f"{p}: no such BVH file or folder")
    names = [n for _, n in out]
    dup = sorted({n for n in names if names.count(n) > 1}) if len(set(names)) != len(names) else []
    if dup:
        raise ValueError(f"two BVH files give the same clip name {dup[0]!r}: convert them in separate tables")
    return sorted(out, key=lambda x: x[1])


def bvh_records(
    clips: Sequence[BVHClip],
    *,
    dataset: str,
    cameras: str | os.PathLike | dict | None = None,
    virtual_cameras: int = 0,
    bone_lengths: str = "file",
    body_proportions: int = 0,
    fps: float | None = None,
    max_frames: int | None = None,
    stride: int = 1,
    split: str = "train",
    seed: int = 0,
) -> tuple[list[SequenceRecord], dict[tuple[str, str], dict], int]:
    """Camera-frame records of world clips (module docstring); returns ``(records, {(subject, camera): camera
    dict}, number of clip-camera pairs with no frame in view, left out)``."""
    from ...preprocess.frame_rate import resample_sequence
    from ...simulation.viewpoints import virtual_camera
    from ..h36m import H36M_CAMERA_IDS, H36M_TRAIN_SUBJECTS, _camera, _cameras, _frames

    if bone_lengths not in ("file", "h36m"):
        raise ValueError(f"--bone-lengths must be 'file' or 'h36m', got {bone_lengths!r}")
    for name, value in (("--virtual-cameras", virtual_cameras), ("--body-proportions", body_proportions)):
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    if split not in SPLITS:
        raise ValueError(f"--split must be one of {SPLITS}, got {split!r}")
    if fps is not None and not (np.isfinite(fps) and fps > 0):
        raise ValueError(f"--fps must be a positive number, got {fps}")
    if cameras is None and not virtual_cameras:
        raise ValueError("BVH motion has no cameras: give --cameras cameras.pkl (the real H36M cameras) and/or "
                         "--virtual-cameras K")  # fmt: skip
    cams = _cameras(cameras) if cameras is not None else None
    owners = [s for s in H36M_TRAIN_SUBJECTS if cams and all((s, c) in cams for c in H36M_CAMERA_IDS)]
    if cams is not None and not owners:
        raise ValueError(f"{cameras}: no H36M training subject ({', '.join(H36M_TRAIN_SUBJECTS)}) has its four "
                         f"cameras {list(H36M_CAMERA_IDS)} in the camera file")  # fmt: skip
    records: list[SequenceRecord] = []
    lookup: dict[tuple[str, str], dict] = {}
    dropped = 0
    for clip in sorted(clips, key=lambda c: c.name):
        joints, rate = clip.joints, clip.fps
        if fps is not None:
            joints, rate = resample_sequence(joints, clip.fps, fps), float(fps)
        frames = _frames(len(joints), max_frames, stride)
        crc = zlib.crc32(clip.name.encode())  # stable whatever else is converted
        for subject, body in _bodies(clip, bone_lengths, body_proportions, seed, crc):
            world = body[frames]
            common = dict(
                dataset=dataset, subject=subject, action=clip.name, fps=rate / stride, split=split,
                frame_index=frames, source=f"{clip.source} ({clip.joint_map} joint map, {clip.units})",
            )  # fmt: skip
            filmed = []
            if cams is not None:
                owner = owners[crc % len(owners)]
                filmed += [(cid, _camera(cams, owner, cid, "cameras"), True) for cid in H36M_CAMERA_IDS]
            for k in range(1, virtual_cameras + 1):
                key = zlib.crc32(f"{subject}/{clip.name}".encode())
                filmed.append((f"virtual{k}", virtual_camera(world, [seed, key, k]), False))
            for label, cam, distort in filmed:
                rec = _film(world, cam, label, common, distort)
                if rec is None:
                    dropped += 1
                    continue
                records.append(rec)
                lookup[(subject, label)] = cam if distort else {}
    return records, lookup, dropped


def read_bvh_clips(
    sources: Sequence[str | os.PathLike],
    joint_map: str | Mapping[str, Any] | None = None,
    *,
    units: str = "auto",
    up_axis: str = "y",
    progress: bool = True,
) -> tuple[list[BVHClip], list[str], dict[str, str] | None]:
    """Every clip of BVH files / folders (:func:`clip_names`, :func:`read_bvh_world`), read and checked; returns
    ``(clips, the joint maps they used (sorted), the known source of that map or None)`` (:data:`KNOWN_SOURCES`:
    the source is known only when every clip used the same map)."""
    from tqdm.auto import tqdm

    files = clip_names(list(sources))
    clips = [
        read_bvh_world(f, joint_map, units=units, up_axis=up_axis, name=n)
        for f, n in tqdm(files, desc="bvh files", disable=not progress, leave=False)
    ]
    maps = sorted({c.joint_map for c in clips})
    return clips, maps, KNOWN_SOURCES.get(maps[0]) if len(maps) == 1 else None


def convert_bvh(
    sources: Sequence[str | os.PathLike],
    out_dir: str | os.PathLike,
    *,
    cameras: str | os.PathLike | None = None,
    virtual_cameras: int = 0,
    joint_map: str | None = None,
    units: str = "auto",
    up_axis: str = "y",
    bone_lengths: str = "file",
    body_proportions: int = 0,
    fps: float | None = None,
    max_frames: int | None = None,
    stride: int = 1,
    split: str = "train",
    simulate_detector: bool = False,
    detector_seed: int = 0,
    detector_preset: str = DEFAULT_DETECTOR_PRESET,
    depth_source: Any = None,
    license: str | None = None,  # noqa: A002 - the card field's name
    dataset_name: str | None = None,
    overwrite: bool = False,
    progress: bool = True,
    workers: int = 1,
    depth_cache: str | os.PathLike | None = None,
) -> dict[str, dict[str, int]]:
    """BVH files / folders -> the Parquet frame table in ``out_dir`` (module docstring). Every file is read
    and checked before anything is written; returns ``{config: {split: rows}}``.

    ``license``: the source motion's licence (a Hub licence id, e.g. ``cc-by-nc-4.0``), written to the card's
    ``license`` field; ``None`` uses the known licence of the skeleton's source (:data:`KNOWN_SOURCES`: Bandai
    Namco) or records the licence as unknown. ``dataset_name``: the ``dataset`` column (default ``bandai`` for
    the Bandai Namco skeleton, else ``bvh``). ``workers`` / ``depth_cache``: ``depth_source`` simulated in that many
    processes (byte-identical to one) / kept in that folder as it is computed, so an interrupted write resumes
    (:func:`~auglift_hf.data.schema.write_frame_table`).
    """
    from ..h36m import simulate_detector_2d
    from ..schema import check_table_output, write_frame_table

    check_table_output(out_dir, overwrite)
    clips, maps, known = read_bvh_clips(sources, joint_map, units=units, up_axis=up_axis, progress=progress)
    dataset = dataset_name or (known["dataset"] if known else "bvh")
    records, lookup, dropped = bvh_records(
        clips, dataset=dataset, cameras=cameras, virtual_cameras=virtual_cameras, bone_lengths=bone_lengths,
        body_proportions=body_proportions, fps=fps, max_frames=max_frames, stride=stride, split=split,
        seed=detector_seed,
    )  # fmt: skip
    rates = sorted({c.fps for c in clips})
    info: dict[str, Any] = {
        "how_built": (
            f"`auglift convert bvh`: {len(clips)} BVH file(s) (auglift_hf.data.bvh), joint map(s) {maps}, units "
            f"{sorted({c.units for c in clips})}, Y-up -> z-up world (--up-axis {up_axis}), file frame rate(s) "
            f"{rates} fps" + (f" resampled to {fps:g} fps (linear)" if fps else "") + "."
        ),
        "split": f"every clip in `{split}`",
        "bone_lengths": (
            "retargeted onto H36M bone lengths (auglift_hf.data.bvh.table.H36M_BONE_LENGTHS, subject S1's; bone "
            "directions from the file, root trajectory scaled by the leg-length ratio)"
            if bone_lengths == "h36m" else "the file's own skeleton"
        ),
    }  # fmt: skip
    if cameras is not None:
        info["cameras"] = (
            f"the real H36M cameras of `{os.path.basename(os.fspath(cameras))}` (the four of one training subject "
            f"per clip, with distortion); {dropped} clip-camera sequence(s) with no frame in view left out"
        )
    if virtual_cameras:
        from ...simulation.viewpoints import VIRTUAL_CAMERAS

        info["virtual_cameras"] = (
            f"{virtual_cameras} random static virtual camera(s) per clip and body (auglift_hf.simulation.viewpoints."
            f"virtual_camera, seed {detector_seed}: aimed at the mean pelvis, random azimuth, ranges "
            f"{VIRTUAL_CAMERAS.to_dict()}, pinhole, no distortion)"
        )
    if body_proportions:
        info["body_proportions"] = (
            f"{body_proportions} re-proportioned copies of every clip's body (auglift_hf.simulation.proportions."
            f"random_bone_ratios, seed {detector_seed}: bone lengths x uniform 1 +- 0.2 per symmetric bone group, "
            "spine-thorax fixed, PoseAug's BL range; one draw per clip and copy, seen by the same cameras)"
        )
    if simulate_detector:
        info["detected2d"] = simulate_detector_2d(records, lookup, seed=detector_seed, preset=detector_preset)
    licence = license or (known["license"] if known else None)
    info["licence"] = {
        "license": licence or "unknown",
        "note": (known["note"] if known and not license else f"Source motion licence: {licence or 'not stated'} "
                 "(as given to `auglift convert bvh --license`)."),
    }  # fmt: skip
    counts = write_frame_table(
        records, out_dir, dataset_name=dataset, depth_source=depth_source, card=info, overwrite=overwrite,
        progress=progress, workers=workers, depth_cache=depth_cache,
    )  # fmt: skip
    return counts


__all__ = [
    "BVHClip",
    "H36M_BONE_LENGTHS",
    "KNOWN_SOURCES",
    "UNITS",
    "bvh_records",
    "clip_names",
    "convert_bvh",
    "h36m_bone_lengths",
    "place_on_floor",
    "read_bvh_clips",
    "read_bvh_world",
    "retarget_bone_lengths",
]
