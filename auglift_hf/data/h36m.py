"""Human3.6M readers -> :class:`~auglift_hf.data.schema.SequenceRecord` (camera frame, H36M-17, metres).

Two native inputs are supported:

* **VideoPose3D** ``data_3d_h36m.npz``: ``positions_3d[subject][action]`` = ``(T, 32, 3)`` world metres (or
  ``(T, 17, 3)``), plus MMPose's ``cameras.pkl`` (``(subject, camera_id)`` -> R, T, f, c, k, p, w, h). Every
  sequence is rendered into its subject's four cameras: ``X_cam = (X_world - T) @ R`` then projection with
  radial + tangential distortion (:func:`auglift_hf.camera.project`). Optional 2D detections in VideoPose3D's
  ``data_2d_h36m_<name>.npz`` (``positions_2d[subject][action][camera_index]`` = ``(T, J, 2|3)``, ``metadata``)
  feed the ``detected2d`` config; COCO-layout detections are mapped with :func:`~auglift_hf.skeleton.coco_to_h36m`.
* **MMPose** preprocessed annotations (``imgname, center, scale, part (N,17,3) px+vis, S (N,17,4) camera m+vis``)
  with the same ``cameras.pkl``; rows are grouped into sequences by the subject/action/camera in ``imgname``.

Split: S1, S5, S6, S7, S8 train; S9, S11 test (the standard protocol).
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..camera import camera_to_world, load_mmpose_cameras, project, world_to_camera
from ..simulation.detector2d import DEFAULT_DETECTOR_PRESET
from ..skeleton import NUM_JOINTS, coco_to_h36m, h36m32_to_17
from .npz import load_mmpose_annotations, load_npz
from .schema import SequenceRecord, check_person_extent

DATASET = "h36m"
H36M_TRAIN_SUBJECTS: tuple[str, ...] = ("S1", "S5", "S6", "S7", "S8")
H36M_TEST_SUBJECTS: tuple[str, ...] = ("S9", "S11")
H36M_SUBJECTS: tuple[str, ...] = ("S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10", "S11")
#: VideoPose3D's camera order; ``positions_2d[s][a][i]`` belongs to ``H36M_CAMERA_IDS[i]``.
H36M_CAMERA_IDS: tuple[str, ...] = ("54138969", "55011271", "58860488", "60457274")
_IMGNAME = re.compile(r"(?P<subject>S\d+)_(?P<action>.+)\.(?P<camera>\d+)_(?P<frame>\d+)\.\w+$")


#: Human3.6M action names: every spelling the public converters use -> the **base names of the official archive**.
#: A sequence name is ``<base>[ <take>]`` (``"Walking 1"``, ``"Directions"``); the archive's videos are
#: ``S<k>/Videos/<base>[ <take>].<camera id>.mp4`` and its pose files ``MyPoseFeatures/D3_Positions/<same>.cdf``
#: (the prefixes of ``metadata.xml``'s mapping, which MMPose's ``tools/dataset_converters/preprocess_h36m.py`` reads,
#: ``_load_metadata`` / ``_get_base_filename``). S1's photo and dog takes are ``TakingPhoto[ 1]`` /
#: ``WalkingDog[ 1]`` there (e.g. ``S1/Videos/TakingPhoto 1.54138969.mp4``), the other subjects' ``Photo`` /
#: ``WalkDog``. Spellings:
#:
#: ========================== ======================================================================================
#: converter                  spelling
#: ========================== ======================================================================================
#: official archive / .cdf    ``TakingPhoto 1`` (S1), ``Photo 1``, ``WalkingDog`` (S1), ``WalkDog 1``, ``Directions``
#: VideoPose3D npz            the .cdf names with ``TakingPhoto`` -> ``Photo`` and ``WalkingDog`` -> ``WalkDog``
#:                            for every subject (``data/prepare_data_h36m.py`` lines 101-102 and 131-132)
#: MMPose ``imgname``         the archive name with ``_`` for spaces: ``S1_TakingPhoto_1.54138969_000001.jpg``
#:                            (``preprocess_h36m.py``: ``basename.replace(' ', '_')``); :func:`parse_imgname` undoes it
#: motion-prediction exp-map  takes numbered ``1`` / ``2`` for every subject, ``TakingPhoto`` / ``WalkDog``
#: (the ``fk25`` file)        (``"Walking 1"``, ``"TakingPhoto 2"``, ``"WalkDog 2"``; the shared
#:                            ``data_3d_h36m_fk25.npz``): the archive's take of the same action is chosen by frame
#:                            count, never by the number (:func:`auglift_hf.data.media.resolve_h36m_videos`)
#: ========================== ======================================================================================
#:
#: Names of one class below are the same action; the archive spelling is whichever exists in the user's folder.
H36M_ACTION_ALIASES: dict[str, tuple[str, ...]] = {
    "Photo": ("Photo", "TakingPhoto"), "TakingPhoto": ("TakingPhoto", "Photo"),
    "WalkDog": ("WalkDog", "WalkingDog"), "WalkingDog": ("WalkingDog", "WalkDog"),
}  # fmt: skip
_ACTION_NAME = re.compile(r"^(?P<base>[A-Za-z]+)(?:[ _](?P<take>\d+))?$")


def split_action_name(name: str) -> tuple[str, str]:
    """``"TakingPhoto 1"`` / ``"TakingPhoto_1"`` -> ``("TakingPhoto", "1")``; ``"Directions"`` -> ``("Directions", "")``."""
    m = _ACTION_NAME.match(str(name).strip())
    if m is None:
        raise ValueError(f"not a Human3.6M action name: {name!r} (expected '<Action>[ <take>]', e.g. 'Walking 1')")
    return m["base"], m["take"] or ""


def action_spellings(name: str) -> list[str]:
    """Every spelling of one sequence name in the public converters, its own first: ``"Photo 1"`` ->
    ``["Photo 1", "TakingPhoto 1"]`` (:data:`H36M_ACTION_ALIASES`)."""
    base, take = split_action_name(name)
    suffix = f" {take}" if take else ""
    return [b + suffix for b in H36M_ACTION_ALIASES.get(base, (base,))]


def same_action(a: str, b: str) -> bool:
    """Whether two sequence names are takes of the same action (any spelling)."""
    base_a, base_b = split_action_name(a)[0], split_action_name(b)[0]
    return base_b in H36M_ACTION_ALIASES.get(base_a, (base_a,))


#: Minimum fraction of (frame, joint) pairs in front of the camera (z > 0) for a camera to be accepted: a person
#: filmed by an H36M camera is always in front of it; a flipped translation or a wrong camera file puts them behind.
MIN_IN_FRONT_FRACTION = 0.9
SPLITS = ("train", "test")


def h36m_split(subject: str, unknown_subject_split: str | None = None) -> str:
    """``"train"`` for S1/S5/S6/S7/S8, ``"test"`` for S9/S11, ``unknown_subject_split`` for any other subject
    (``ValueError`` naming the subject when it is ``None``)."""
    if subject in H36M_TRAIN_SUBJECTS:
        return "train"
    if subject in H36M_TEST_SUBJECTS:
        return "test"
    if unknown_subject_split is not None:
        if unknown_subject_split not in SPLITS:
            raise ValueError(f"--unknown-subject-split must be one of {SPLITS}, got {unknown_subject_split!r}")
        return unknown_subject_split
    raise ValueError(
        f"subject {subject!r} is not in the standard Human3.6M split (train {', '.join(H36M_TRAIN_SUBJECTS)}; "
        f"test {', '.join(H36M_TEST_SUBJECTS)}): pass --unknown-subject-split train|test to keep it, or --subjects "
        "to choose the subjects"
    )


def _check_subjects(
    subjects: Sequence[str] | None, available: Sequence[str], where: str, unknown_subject_split: str | None = None
) -> list[str]:
    if subjects is None:
        unknown = sorted(s for s in available if s not in H36M_TRAIN_SUBJECTS + H36M_TEST_SUBJECTS)
        if unknown and unknown_subject_split is None:
            raise ValueError(
                f"{where}: subject(s) {unknown} are not in the standard Human3.6M split (train "
                f"{', '.join(H36M_TRAIN_SUBJECTS)}; test {', '.join(H36M_TEST_SUBJECTS)}): pass "
                "--unknown-subject-split train|test to keep them, or --subjects to choose"
            )
        return list(available)
    if unknown_subject_split is None:
        unknown = [s for s in subjects if s not in H36M_SUBJECTS]
        if unknown:
            raise ValueError(f"unknown Human3.6M subject(s) {unknown}; expected some of {H36M_SUBJECTS}")
    missing = [s for s in subjects if s not in available]
    if missing:
        raise ValueError(f"{where}: subject(s) {missing} not in the file (found {sorted(available)})")
    return list(subjects)


def _check_in_front(cam_xyz: np.ndarray, where: str, camera: str) -> None:
    """Refuse a camera that puts the person behind it (flipped translation, wrong camera file)."""
    in_front = float((cam_xyz[..., 2] > 0).mean())
    if in_front < MIN_IN_FRONT_FRACTION:
        raise ValueError(
            f"{where}: camera {camera} puts {1 - in_front:.0%} of the joints behind it (expected <= "
            f"{1 - MIN_IN_FRONT_FRACTION:.0%}); wrong camera file, a flipped translation T, or positions not in "
            "world metres?"
        )


#: Camera-to-person distance (m) a Human3.6M-like camera can have: the studio's are 4-6 m away, the virtual
#: cameras of ``--virtual-cameras`` 2.5-6 m. A translation ``T`` in millimetres puts the camera ~5 km away.
CAMERA_DISTANCE_M = (0.3, 100.0)
#: Smallest projected person (px, median over frames of the larger side of the 2D box): a 1.7 m person 100 m
#: from an H36M camera (focal 1145 px) is 19 px; a focal length ``f`` in other units (e.g. / 1000) gives < 1 px.
MIN_PROJECTED_PX = 15.0
#: Smallest head-above-pelvis height (m, 90th percentile over the sequence) of world positions with z up: a
#: standing or sitting person has 0.5-0.7 m at times in every take; y-up positions give ~0.1 m.
MIN_HEAD_ABOVE_PELVIS_M = 0.3


def check_up_axis(world: np.ndarray, where: str) -> None:
    """Refuse ``(frames, 17, 3)`` H36M world positions whose z axis is not up (the head above the pelvis).

    (The feet are no test: H36M's SittingDown has people sitting on the floor, feet 0.19 m below the pelvis.)
    """
    head = float(np.percentile(world[:, 10, 2] - world[:, 0, 2], 90))
    if head < MIN_HEAD_ABOVE_PELVIS_M:
        raise ValueError(
            f"{where}: positions are not z-up (the head is {head:.2f} m above the pelvis along z, expected > "
            f"{MIN_HEAD_ABOVE_PELVIS_M} m): y-up positions? Human3.6M world coordinates have z up"
        )


def check_camera_view(cam_xyz: np.ndarray, uv: np.ndarray, where: str, camera: str) -> None:
    """Refuse a camera that cannot be filming a person: pelvis distance outside :data:`CAMERA_DISTANCE_M`
    (translation ``T`` in other units) or a projected person smaller than :data:`MIN_PROJECTED_PX` (focal ``f``)."""
    distance = float(np.median(np.linalg.norm(cam_xyz[:, 0], axis=-1)))
    lo, hi = CAMERA_DISTANCE_M
    if not lo <= distance <= hi:
        raise ValueError(
            f"{where}: camera {camera} is {distance:,.4g} m from the person (expected {lo}-{hi:g} m): is its "
            "translation `T` in millimetres? cameras.pkl needs metres"
        )
    size = float(np.median(np.ptp(uv, axis=1).max(-1)))
    if size < MIN_PROJECTED_PX:
        raise ValueError(
            f"{where}: camera {camera} projects the person to {size:.3g} px (expected >= {MIN_PROJECTED_PX:g} px): "
            "is its focal length `f` in pixels?"
        )


def _cameras(cameras: str | os.PathLike | dict) -> dict:
    return cameras if isinstance(cameras, dict) else load_mmpose_cameras(cameras)


def _camera(cams: dict, subject: str, cam_id: str, where: str) -> dict:
    cam = cams.get((subject, cam_id))
    if cam is None:
        raise ValueError(f"{where}: camera {(subject, cam_id)} not found in the camera file")
    for key in ("R", "T", "f", "c"):
        if key not in cam:
            raise ValueError(f"{where}: camera {(subject, cam_id)} lacks field `{key}`")
    return cam


def _frames(num: int, max_frames: int | None, stride: int) -> np.ndarray:
    if stride < 1:
        raise ValueError(f"`stride` must be >= 1, got {stride}")
    if max_frames is not None and max_frames < 1:
        raise ValueError(f"`max_frames` must be >= 1, got {max_frames}")
    idx = np.arange(0, num, stride)
    return idx[:max_frames] if max_frames is not None else idx


def load_positions_3d(path: str | os.PathLike) -> dict[str, dict[str, np.ndarray]]:
    """VideoPose3D ``data_3d_h36m.npz`` -> ``{subject: {action: (T, J, 3) float32}}`` (restricted unpickling)."""
    data = load_npz(path, keys=("positions_3d",))["positions_3d"]
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ValueError(
            f"{path}: `positions_3d` must be a dict {{subject: {{action: array}}}}, got {type(data).__name__}"
        )
    return data


def load_positions_2d(path: str | os.PathLike) -> tuple[dict, dict]:
    """VideoPose3D ``data_2d_h36m_*.npz`` -> (``{subject: {action: [per-camera (T, J, 2|3)]}}``, metadata dict)."""
    raw = load_npz(path, keys=("positions_2d",))
    meta = raw.get("metadata", {})
    meta = meta if isinstance(meta, dict) else {}
    data = raw["positions_2d"]
    if not isinstance(data, dict):
        raise ValueError(f"{path}: `positions_2d` must be a dict, got {type(data).__name__}")
    return data, meta


def _detections_to_h36m(kps: Any, layout: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    kps = np.asarray(kps, dtype=np.float32)
    if kps.ndim != 3 or kps.shape[-1] not in (2, 3):
        raise ValueError(f"{where}: detections must have shape (T, J, 2|3), got {kps.shape}")
    if kps.shape[-1] == 2:
        kps = np.concatenate([kps, np.ones(kps.shape[:2] + (1,), np.float32)], -1)
    if kps.shape[1] == 32:
        kps = h36m32_to_17(kps)
    elif layout.lower().startswith("coco"):
        kps = coco_to_h36m(kps, confidence_channel=2)
    elif kps.shape[1] != NUM_JOINTS:
        raise ValueError(f"{where}: detections with {kps.shape[1]} joints in layout {layout!r} are not supported")
    return kps[..., :2], kps[..., 2]


def frames_in_view(joints_cam: np.ndarray, uv: np.ndarray, width: float, height: float) -> np.ndarray:
    """``(T,)`` bool: every joint in front of the camera (z > 0) and projected inside the image ``[0, w) x [0, h)``.

    Frames failing it are kept in the table with ``valid = False``: windows are not centred on them and never contain
    them (:class:`~auglift_hf.data.windows.PoseWindowDataset` pads the neighbouring valid runs at their ends), so they
    are excluded from training and evaluation.
    """
    inside = (uv[..., 0] >= 0) & (uv[..., 0] < width) & (uv[..., 1] >= 0) & (uv[..., 1] < height)
    return (joints_cam[..., 2] > 0).all(-1) & inside.all(-1)


def read_h36m_positions_3d(
    positions_3d: str | os.PathLike | dict,
    cameras: str | os.PathLike | dict,
    *,
    subjects: Sequence[str] | None = None,
    detections: str | os.PathLike | None = None,
    max_frames: int | None = None,
    stride: int = 1,
    fps: float = 50.0,
    unknown_subject_split: str | None = None,
) -> list[SequenceRecord]:
    """VideoPose3D-format world motion + cameras -> one record per (subject, action, camera).

    Args:
        positions_3d: path of ``data_3d_h36m.npz`` or the loaded ``{subject: {action: (T, 32|17, 3)}}`` dict.
        cameras: MMPose ``cameras.pkl`` path or its loaded dict.
        subjects: subjects to convert (default: all of S1, S5, S6, S7, S8, S9, S11 in the file).
        detections: optional VideoPose3D ``data_2d_*.npz`` for the ``detected2d`` config.
        max_frames: keep at most this many frames per sequence (after ``stride``).
        stride: keep every ``stride``-th frame.
        fps: frame rate of ``positions_3d`` (50 for the original files, 25 for the shared ``fk25`` file).
        unknown_subject_split: split of subjects outside S1/5/6/7/8 (train) and S9/11 (test); ``None`` refuses them.

    Raises ``ValueError`` when a camera puts the person behind it (:data:`MIN_IN_FRONT_FRACTION`) and, through
    :func:`~auglift_hf.data.schema.check_plausible` at write time, when the positions are not in metres.
    """
    where = os.fspath(positions_3d) if not isinstance(positions_3d, dict) else "positions_3d"
    data = positions_3d if isinstance(positions_3d, dict) else load_positions_3d(positions_3d)
    cams = _cameras(cameras)
    cam_where = "cameras" if isinstance(cameras, dict) else os.fspath(cameras)
    dets, meta = load_positions_2d(detections) if detections is not None else (None, {})
    layout = str(meta.get("layout_name", "h36m"))
    records = []
    for subject in _check_subjects(subjects, list(data), where, unknown_subject_split):
        split = h36m_split(subject, unknown_subject_split)
        for action in sorted(data[subject]):
            pos = np.asarray(data[subject][action], dtype=np.float64)
            if pos.ndim != 3 or pos.shape[1] not in (17, 32) or pos.shape[2] != 3:
                raise ValueError(f"{where}: {subject}/{action} must have shape (frames, 32|17, 3), got {pos.shape}")
            if pos.shape[0] == 0:
                raise ValueError(f"{where}: {subject}/{action} is an empty sequence")
            world = h36m32_to_17(pos) if pos.shape[1] == 32 else pos
            if not np.isfinite(world).all():
                bad = int(np.flatnonzero(~np.isfinite(world).all((1, 2)))[0])
                raise ValueError(f"{where}: {subject}/{action} has NaN/inf joints (first at frame {bad})")
            check_person_extent(world, f"{where}: {subject}/{action}")  # world metres, before any camera
            check_up_axis(world, f"{where}: {subject}/{action}")
            for ci, cam_id in enumerate(H36M_CAMERA_IDS):
                cam = _camera(cams, subject, cam_id, where)
                n = world.shape[0]
                det2d = det_sc = None
                if dets is not None:
                    try:
                        det = dets[subject][action][ci]
                    except (KeyError, IndexError, TypeError) as err:
                        raise ValueError(f"{detections}: no detections for {subject}/{action} camera {ci}") from err
                    det2d, det_sc = _detections_to_h36m(det, layout, f"{detections}: {subject}/{action}/{ci}")
                    n = min(n, det2d.shape[0])  # VideoPose3D crops the longer of the two
                frames = _frames(n, max_frames, stride)
                cam_xyz = world_to_camera(world[frames], cam["R"], cam["T"])
                _check_in_front(cam_xyz, f"{cam_where}: {subject}/{action}", cam_id)
                uv = project(cam_xyz, cam["f"], cam["c"], cam.get("k"), cam.get("p"))
                check_camera_view(cam_xyz, uv, f"{cam_where}: {subject}/{action}", cam_id)
                records.append(
                    SequenceRecord(
                        dataset=DATASET, subject=subject, action=action, camera=cam_id,
                        keypoints_2d=uv, keypoints_3d=cam_xyz, focal=cam["f"], center=cam["c"],
                        image_size=(cam.get("w", 1000), cam.get("h", 1002)), fps=fps / stride, split=split,
                        frame_index=frames, valid=frames_in_view(cam_xyz, uv, cam.get("w", 1000), cam.get("h", 1002)),
                        detected_2d=None if det2d is None else det2d[frames],
                        detected_scores=None if det_sc is None else det_sc[frames], source=where,
                    )
                )  # fmt: skip
    return records


def augment_body_proportions(
    records: list[SequenceRecord], cameras: Any, copies: int = 1, seed: int = 0, limit: float | None = None
) -> list[SequenceRecord]:
    """``copies`` re-proportioned copies of every camera-frame record (the originals are not changed or returned).

    Each (subject, action) gets ``copies`` random bone-length draws (:func:`auglift_hf.simulation.proportions.
    random_bone_ratios`, PoseAug's ``1 +- 0.2`` per symmetric bone group), shared by its cameras (one new person
    seen by all of them); the 3D joints are rescaled about the pelvis (:func:`~auglift_hf.simulation.proportions.
    scale_bone_lengths`) and re-projected with the record's camera, lens distortion included; ``valid`` is
    recomputed with :func:`frames_in_view`. Copy ``k`` is labelled ``"<action> (proportions k)"``.
    """
    import dataclasses

    from ..simulation.proportions import POSEAUG_RATIO_LIMIT, random_bone_ratios, scale_bone_lengths

    if copies < 0:
        raise ValueError(f"`copies` must be >= 0, got {copies}")
    cams = _cameras(cameras)
    takes = {key: i for i, key in enumerate(sorted({(r.subject, r.action) for r in records}))}
    out = []
    for rec in sorted(records, key=lambda r: r.sort_key):
        take = takes[(rec.subject, rec.action)]
        cam = cams.get((rec.subject, rec.camera), {})
        for k in range(1, copies + 1):
            ratios = random_bone_ratios([seed, take, k], limit=POSEAUG_RATIO_LIMIT if limit is None else limit)
            xyz = scale_bone_lengths(np.asarray(rec.keypoints_3d, np.float64), ratios)
            uv = project(xyz, rec.focal, rec.center, cam.get("k"), cam.get("p"))
            valid = frames_in_view(xyz, uv, *rec.image_size)
            if rec.valid is not None:
                valid &= np.asarray(rec.valid, bool)
            out.append(
                dataclasses.replace(
                    rec, action=f"{rec.action} (proportions {k})", keypoints_3d=xyz, keypoints_2d=uv, valid=valid,
                    detected_2d=None, detected_scores=None, depth=None,
                    source=f"{rec.source} + body proportions (seed {seed}, copy {k})",
                )
            )  # fmt: skip
    return out


def body_proportions_description(copies: int, seed: int) -> str:
    """What :func:`augment_body_proportions` did, for a dataset card."""
    return (
        f"{copies} re-proportioned copies of every training take (auglift_hf.data.h36m.augment_body_proportions, seed "
        f"{seed}: bone lengths x uniform 1 +- 0.2 per symmetric bone group, spine-thorax fixed, PoseAug's BL range; one "
        "person per take)"
    )


def augment_viewpoints(
    records: list[SequenceRecord], cameras: Any, copies: int = 1, seed: int = 0, ranges: Any = None
) -> list[SequenceRecord]:
    """``copies`` copies of every camera-frame record seen by random virtual cameras (originals not returned).

    Each record is taken back to world coordinates with its real camera (``cameras[(subject, camera)]``) and
    filmed by ``copies`` static virtual cameras (:func:`auglift_hf.simulation.viewpoints.virtual_camera`, the
    documented :data:`~auglift_hf.simulation.viewpoints.VIRTUAL_CAMERAS` ranges unless ``ranges``), one seeded
    draw per (subject, action, camera, copy), seeded by ``seed`` and a CRC-32 of the names (so a record's copies do
    not depend on the other records converted with it): four new viewpoints per H36M take and copy. Pinhole projection (no
    distortion), image ``1000 x 1000``; ``valid`` is recomputed with :func:`frames_in_view` and AND-ed with the
    record's. Copy ``k`` of camera ``c`` is labelled camera ``"<c>-virtual<k>"``.
    """
    import dataclasses

    from ..simulation.viewpoints import virtual_camera

    if copies < 0:
        raise ValueError(f"`copies` must be >= 0, got {copies}")
    cams = _cameras(cameras)
    out = []
    for rec in sorted(records, key=lambda r: r.sort_key):
        real = _camera(cams, rec.subject, rec.camera, "cameras")
        world = camera_to_world(np.asarray(rec.keypoints_3d, np.float64), real["R"], real["T"])
        key = zlib.crc32(f"{rec.subject}/{rec.action}/{rec.camera}".encode())  # stable whatever else is converted
        for k in range(1, copies + 1):
            cam = virtual_camera(world, [seed, key, k], ranges)
            xyz = world_to_camera(world, cam["R"], cam["T"])
            uv = project(xyz, cam["f"], cam["c"])
            valid = frames_in_view(xyz, uv, cam["w"], cam["h"])
            if rec.valid is not None:
                valid &= np.asarray(rec.valid, bool)
            out.append(
                dataclasses.replace(
                    rec, camera=f"{rec.camera}-virtual{k}", keypoints_3d=xyz, keypoints_2d=uv, focal=cam["f"],
                    center=cam["c"], image_size=(cam["w"], cam["h"]), valid=valid, detected_2d=None,
                    detected_scores=None, depth=None, source=f"{rec.source} + virtual camera (seed {seed}, copy {k})",
                )
            )  # fmt: skip
    return out


def viewpoints_description(copies: int, seed: int) -> str:
    """What :func:`augment_viewpoints` did, for a dataset card."""
    from ..simulation.viewpoints import VIRTUAL_CAMERAS

    return (
        f"{copies} virtual-camera copies of every training record (auglift_hf.data.h36m.augment_viewpoints, seed "
        f"{seed}: one static camera per take, camera and copy, aimed at the mean pelvis, random azimuth, ranges "
        f"{VIRTUAL_CAMERAS.to_dict()} (auglift_hf.simulation.viewpoints), pinhole, no distortion)"
    )


def simulate_detector_2d(
    records: list[SequenceRecord],
    cameras: Any,
    seed: int = 0,
    noise_free: bool = False,
    definition: str = "coco",
    preset: str = DEFAULT_DETECTOR_PRESET,
) -> str:
    """Fill ``detected_2d`` / ``detected_scores`` of camera-frame ``records`` in place with detector-definition 2D.

    One seeded draw per record (in sorted order) of :func:`auglift_hf.simulation.simulate_coco_detector` with
    the real camera's distortion; returns the description written to the dataset card. ``noise_free=True`` keeps
    only the definitional part (the COCO-17 landmarks' projections mapped with ``coco_to_h36m``, confidence 1):
    the ground-truth 2D of a ``keypoint_definition: "coco"`` lifter (with ``definition="h36m"``: the exact H36M
    joint projections, confidence 1). ``definition="h36m"`` runs the same error
    process on the H36M joints themselves (:func:`auglift_hf.simulation.simulate_joint_detector`). ``preset`` names
    the detector's noise and landmark offsets (:data:`auglift_hf.simulation.detector2d.COCO_DETECTOR_PRESETS`;
    default ``"movenet-fitted"``, fitted to real MoveNet), and the description names it.
    """
    from ..simulation.detector2d import coco_detector_preset, simulate_coco_detector, simulate_joint_detector

    if definition not in ("coco", "h36m"):
        raise ValueError(f"`definition` must be 'coco' or 'h36m', got {definition!r}")
    noise, offsets = coco_detector_preset(preset)
    named = f"detector preset {preset!r}: "
    cams = _cameras(cameras)
    for i, rec in enumerate(sorted(records, key=lambda r: r.sort_key)):
        cam = dict(cams.get((rec.subject, rec.camera), {}))
        cam.update(f=np.asarray(rec.focal, np.float64).ravel(), c=np.asarray(rec.center, np.float64).ravel())
        if definition == "h36m" and noise_free:
            rec.detected_2d = np.asarray(rec.keypoints_2d, np.float32).copy()
            rec.detected_scores = np.ones(rec.detected_2d.shape[:2], np.float32)
            continue
        if definition == "h36m":
            out = simulate_joint_detector(rec.keypoints_3d, cam, rec.fps, noise, seed=np.random.default_rng([seed, i]))
            rec.detected_2d, rec.detected_scores = out["keypoints_2d"], out["scores"]
            continue
        out = simulate_coco_detector(
            rec.keypoints_3d, cam, rec.fps, noise, offsets, seed=np.random.default_rng([seed, i])
        )
        if noise_free:
            rec.detected_2d = out["definition_2d"]
            rec.detected_scores = np.ones(out["scores"].shape, np.float32)
        else:
            rec.detected_2d, rec.detected_scores = out["keypoints_2d"], out["scores"]
    if definition == "h36m" and noise_free:
        return "noise-free H36M-joint 2D (the exact projections of the H36M-17 joints, confidence 1)"
    if definition == "h36m":
        return (
            f"H36M-joint 2D with detector errors (auglift_hf.simulation.simulate_joint_detector, seed {seed}): "
            f"{named}noise {noise.to_dict()} around the exact H36M-17 projections"
        )
    if noise_free:
        return (
            "noise-free detector-definition 2D (auglift_hf.simulation.simulate_coco_detector's definition_2d): "
            f"{named}COCO-17 landmarks {offsets.to_dict()} mapped to H36M-17 with coco_to_h36m, confidence 1"
        )
    return (
        "detector-definition 2D (auglift_hf.simulation.simulate_coco_detector, seed "
        f"{seed}): {named}COCO-17 landmarks {offsets.to_dict()} with noise {noise.to_dict()},"
        " mapped to H36M-17 with coco_to_h36m"
    )


def parse_imgname(name: str) -> tuple[str, str, str, int]:
    """``'S1/S1_Directions_1.54138969/S1_Directions_1.54138969_000001.jpg'`` -> ``('S1', 'Directions 1', '54138969', 0)``.

    Action underscores become spaces (VideoPose3D spelling); the frame number becomes 0-based.
    """
    m = _IMGNAME.search(os.path.basename(str(name)))
    if m is None:
        raise ValueError(f"cannot parse Human3.6M image name {name!r} (expected S<k>_<Action>.<camera>_<frame>.jpg)")
    return m["subject"], m["action"].replace("_", " "), m["camera"], int(m["frame"]) - 1


def group_rows(keys: list[tuple], frames: np.ndarray) -> list[np.ndarray]:
    """Row indices grouped by ``keys`` (one array per distinct key, sorted by frame, first-seen key order)."""
    groups: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    return [np.asarray(sorted(rows, key=lambda r: frames[r])) for rows in groups.values()]


def read_h36m_mmpose(
    annotations: str | os.PathLike,
    cameras: str | os.PathLike | dict,
    *,
    subjects: Sequence[str] | None = None,
    max_frames: int | None = None,
    stride: int = 1,
    fps: float = 50.0,
    unknown_subject_split: str | None = None,
) -> list[SequenceRecord]:
    """MMPose's preprocessed H36M npz (``imgname, center, scale, part, S``) -> records per (subject, action, camera).

    ``S[..., :3]`` is already camera-frame metres; ``part[..., :2]`` are pixels and ``part[..., 2]`` the visibility,
    stored as the score; ``S[..., 3] == 0`` on every joint marks an invalid frame.
    """
    where = os.fspath(annotations)
    names, part, S = load_mmpose_annotations(annotations)
    cams = _cameras(cameras)
    parsed = [parse_imgname(str(x)) for x in names]
    available = sorted({p[0] for p in parsed})
    _check_subjects(subjects, available, where, unknown_subject_split)
    frames_all = np.array([p[3] for p in parsed])
    records = []
    for rows in group_rows([p[:3] for p in parsed], frames_all):
        subject, action, cam_id, _ = parsed[rows[0]]
        if subjects is not None and subject not in subjects:
            continue
        rows = rows[_frames(len(rows), max_frames, stride)]
        cam = _camera(cams, subject, cam_id, where)
        records.append(
            SequenceRecord(
                dataset=DATASET, subject=subject, action=action, camera=cam_id,
                keypoints_2d=part[rows, :, :2], keypoint_scores=part[rows, :, 2], keypoints_3d=S[rows, :, :3],
                valid=S[rows, :, 3].max(-1) > 0, frame_index=frames_all[rows], focal=cam["f"], center=cam["c"],
                image_size=(cam.get("w", 1000), cam.get("h", 1002)), fps=fps,
                split=h36m_split(subject, unknown_subject_split), source=where,
            )
        )  # fmt: skip
    return records


def convert_h36m(
    out_dir: str | os.PathLike,
    *,
    cameras: str | os.PathLike,
    positions_3d: str | os.PathLike | None = None,
    annotations: str | os.PathLike | None = None,
    detections: str | os.PathLike | None = None,
    subjects: Sequence[str] | None = None,
    max_frames: int | None = None,
    stride: int = 1,
    fps: float | None = None,
    depth_source: Any = None,
    simulate_detector: bool = False,
    detector_seed: int = 0,
    detector_preset: str = DEFAULT_DETECTOR_PRESET,
    body_proportions: int = 0,
    virtual_cameras: int = 0,
    overwrite: bool = False,
    progress: bool = True,
    workers: int = 1,
    depth_cache: str | os.PathLike | None = None,
    unknown_subject_split: str | None = None,
) -> dict[str, dict[str, int]]:
    """Read Human3.6M (``positions_3d`` *or* ``annotations``) and write the Parquet frame table to ``out_dir``.

    ``fps`` defaults to 50 (the capture rate), or 25 when the file name contains ``fk25`` / ``25``-Hz motion.
    ``simulate_detector`` adds the ``detected2d`` config from :func:`simulate_detector_2d` (detector-definition
    COCO-17 2D mapped to H36M-17, realistic noise, seeded by ``detector_seed``); depth descriptors of that config
    are sampled at those keypoints. ``body_proportions = K`` adds K re-proportioned copies of every *training* take
    (:func:`augment_body_proportions`, seeded by ``detector_seed``; ``positions_3d`` input without real
    ``detections`` only, since images and detections cannot follow a changed body). ``virtual_cameras = K`` adds K
    copies of every training record (re-proportioned ones included) seen by random virtual cameras
    (:func:`augment_viewpoints`, seeded by ``detector_seed``; same input restriction).

    ``workers`` / ``depth_cache``: ``depth_source`` simulated in that many processes (byte-identical to one) / kept
    in that folder as it is computed, so an interrupted write resumes
    (:func:`~auglift_hf.data.schema.write_frame_table`).
    """
    from .schema import check_table_output, write_frame_table

    check_table_output(out_dir, overwrite)  # before reading anything: refuse a foreign --out early
    if fps is not None and not (np.isfinite(fps) and fps > 0):
        raise ValueError(f"--fps must be a positive number, got {fps}")
    if max_frames is not None and max_frames < 1:
        raise ValueError(f"--max-frames must be a positive integer, got {max_frames}")
    if (positions_3d is None) == (annotations is None):
        raise ValueError("give exactly one of `positions_3d` (VideoPose3D npz) and `annotations` (MMPose npz)")
    if body_proportions < 0:
        raise ValueError(f"--body-proportions must be >= 0, got {body_proportions}")
    if body_proportions and (positions_3d is None or detections is not None):
        raise ValueError("--body-proportions needs --positions-3d motion without --detections (real images and "
                         "detections cannot follow a re-proportioned body)")  # fmt: skip
    if virtual_cameras < 0:
        raise ValueError(f"--virtual-cameras must be >= 0, got {virtual_cameras}")
    if virtual_cameras and (positions_3d is None or detections is not None):
        raise ValueError("--virtual-cameras needs --positions-3d motion without --detections (real images and "
                         "detections exist for the real cameras only)")  # fmt: skip
    if positions_3d is not None:
        rate = fps or (
            25.0 if re.search(r"fk25|25hz|_25\b", os.path.basename(os.fspath(positions_3d)).lower()) else 50.0
        )
        records = read_h36m_positions_3d(
            positions_3d, cameras, subjects=subjects, detections=detections, max_frames=max_frames, stride=stride,
            fps=rate, unknown_subject_split=unknown_subject_split,
        )  # fmt: skip
        how = f"VideoPose3D-format world motion `{os.path.basename(os.fspath(positions_3d))}` at {rate / stride:g} Hz "
        how += "rendered into the four cameras of `cameras.pkl` (world->camera, projection with distortion)."
    else:
        records = read_h36m_mmpose(
            annotations, cameras, subjects=subjects, max_frames=max_frames, stride=stride, fps=fps or 50.0,
            unknown_subject_split=unknown_subject_split,
        )  # fmt: skip
        how = f"MMPose preprocessed annotations `{os.path.basename(os.fspath(annotations))}` with `cameras.pkl`."
    info = {"how_built": how, "split": "S1, S5, S6, S7, S8 train; S9, S11 test"}
    if body_proportions:
        train = [r for r in records if r.split == "train"]
        records += augment_body_proportions(train, cameras, copies=body_proportions, seed=detector_seed)
        info["body_proportions"] = body_proportions_description(body_proportions, detector_seed)
    if virtual_cameras:
        train = [r for r in records if r.split == "train"]
        records += augment_viewpoints(train, cameras, copies=virtual_cameras, seed=detector_seed)
        info["virtual_cameras"] = viewpoints_description(virtual_cameras, detector_seed)
    if simulate_detector:
        if detections is not None:
            raise ValueError("give at most one of `detections` and `simulate_detector`")
        info["detected2d"] = simulate_detector_2d(records, cameras, seed=detector_seed, preset=detector_preset)
    if unknown_subject_split is not None:
        info["split"] += f"; other subjects {unknown_subject_split}"
    if detections is not None:
        info["detections"] = os.path.basename(os.fspath(detections))
    return write_frame_table(
        records, out_dir, dataset_name=DATASET, depth_source=depth_source, card=info, overwrite=overwrite,
        progress=progress, workers=workers, depth_cache=depth_cache,
    )  # fmt: skip
