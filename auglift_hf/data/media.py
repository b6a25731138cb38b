"""Where each dataset keeps its images / videos, and which media frame belongs to which ground-truth row.

Every ground-truth row of a :class:`~auglift_hf.data.schema.SequenceRecord` has a **timestamp**
``t = frame_index / gt_rate`` (seconds from the start of its sequence; ``gt_rate`` is the rate at which the
annotation's native frame numbers count). The media frame joined to it is the one whose own timestamp is
nearest to ``t``: for videos the frame's presentation time minus the first decoded frame's
(:class:`~auglift_hf.preprocess.video.VideoReader`'s ``timestamps``, the one definition ``lift`` and
``preprocess`` use too: a start offset, an edit list or an AVI whose pts starts at 1 puts frame 0 at 0 s), for
image sequences ``image_number / media_fps``. Frames are never matched by counting at the nominal rate, so a
variable-frame-rate video with a dropped frame loses that row only, and a 25 Hz table joined to a 50 fps video
takes video frames 0, 2, 4, ... and leaves the odd ones out (counted as ``media frames without ground truth`` in
the dataset card); a row whose timestamp has no media frame within half a media frame period (the median frame
interval of a video) is kept with ``valid=False`` and a reason.

Native layouts (all paths relative to the dataset root given with ``--videos``):

* **Human3.6M** videos ``S<k>/Videos/<Action> <take>.<camera id>.mp4`` at 50 fps (the official archive layout,
  as read by MMPose's ``tools/dataset_converters/preprocess_h36m.py``, which extracts frames from
  ``<subject>/Videos/*.mp4``). Action names of the public converters differ from the archive's (VideoPose3D's
  ``Photo`` / ``WalkDog`` for S1's ``TakingPhoto`` / ``WalkingDog``, takes numbered ``1`` / ``2``): they are
  resolved with :data:`~auglift_hf.data.h36m.H36M_ACTION_ALIASES` and :func:`resolve_h36m_videos`, which also
  decides the annotation rate (25 or 50 Hz) from the frame counts. MMPose's extracted frames (``--images``) are named
  ``S1/S1_Directions_1.54138969/S1_Directions_1.54138969_000001.jpg``, the last number being the 1-based 50 fps
  video frame (``--sample-rate 5`` keeps every 5th frame = 10 fps, ``1`` all of them), and are joined to the
  annotation npz by that name (:func:`images_by_name`).
* **MPI-INF-3DHP** training videos ``S<k>/Seq<k>/imageSequence/video_<camera>.avi``, one ``annot.mat`` row per
  video frame at the sequence's rate in the official toolkit's table (S1/Seq2, S3/Seq1-2, S5/Seq1-2 at 50 fps,
  the others at 25 fps: :data:`~auglift_hf.data.mpi_inf_3dhp.TRAIN_SEQUENCE_FPS`; a container whose measured rate
  contradicts it is refused), test frames ``[mpi_inf_3dhp_test_set/]TS<k>/imageSequence/img_<6-digit 1-based number>.jpg`` (TS1-4 at
  25 fps, TS5-6 at 50 fps, one per ``annot_data.mat`` row; ``valid_frame == 0`` rows are not joined). MMPose's
  extracted 3DHP frames ``S4_Seq2_Cam0_001033.jpg`` / ``TS1_002001.jpg`` are joined by name like H36M's.
* **3DPW** ``imageFiles/<sequence>/image_<5-digit 0-based number>.jpg`` at 30 fps (3DPW ``readme``: the
  ``sequenceFiles`` poses are aligned with the image data, ``img_frame_ids`` index the images).
* **Fit3D** ``train/<subject>/videos/<camera>/<action>.mp4`` at 50 fps, one ``joints3d_25`` frame per video frame
  (``imar_vision_datasets_tools``' ``read_video`` / ``read_data``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

#: Reasons a row has no usable media frame or detection (``invalid_reason`` column; ``""`` = valid).
REASONS: tuple[str, ...] = (
    "",  # valid
    "annotation_invalid",  # the ground truth marks the frame invalid (3DHP valid_frame, 3DPW campose_valid, ...)
    "missing_media",  # no video / image sequence for this sequence (or it cannot be opened)
    "no_media_frame",  # the media has no frame at this row's timestamp
    "timestamp_mismatch",  # the decoded frame's own timestamp is more than half a frame period off
    "unreadable_frame",  # the frame exists but cannot be decoded
    "outside_image",  # the projected ground-truth person does not overlap the image
    "no_detection",  # the detector found nobody in the frame
    "no_match",  # people were detected, none matches the annotated person (IoU / OKS below the threshold)
)
REASON_CODE = {r: i for i, r in enumerate(REASONS)}

H36M_VIDEO_FPS = 50.0
PW3D_FPS = 30.0
FIT3D_FPS = 50.0


@dataclasses.dataclass
class Media:
    """One sequence's media: a video file or a numbered image sequence.

    ``fps`` is the media frame rate (a video's nominal container rate; an image sequence's documented rate);
    ``files`` maps a media frame number (0-based) to an image path; ``timestamps`` ``(num_frames,)`` are a video's
    frame times in seconds (:class:`~auglift_hf.preprocess.video.VideoReader`); ``error`` is set when the media is
    missing.
    """

    kind: str  # "video" | "images"
    path: str
    fps: float
    files: dict[int, str] = dataclasses.field(default_factory=dict)
    num_frames: int = 0
    timestamps: np.ndarray | None = None
    error: str = ""

    @property
    def frame_period(self) -> float:
        """Seconds per frame: a video's median frame interval (robust to a dropped frame), else ``1 / fps``."""
        if self.timestamps is not None and len(self.timestamps) > 1:
            return float(np.median(np.diff(self.timestamps)))
        return 1.0 / self.fps if self.fps > 0 else float("nan")

    @property
    def measured_fps(self) -> float:
        """The rate the frames really have (``1 / frame_period``): a video's own timestamps, not its header."""
        return 1.0 / self.frame_period

    @property
    def duration(self) -> float:
        """Seconds from the first frame to one period past the last."""
        if self.timestamps is not None and len(self.timestamps):
            return float(self.timestamps[-1]) + self.frame_period
        return self.num_frames * self.frame_period

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d.pop("files")
        t = d.pop("timestamps")
        if t is not None:  # the plan records the time line, not every frame's time
            d["timestamps_sha256"] = hashlib.sha256(np.ascontiguousarray(t, np.float64).tobytes()).hexdigest()
        return d


def video_media(path: str | os.PathLike) -> Media:
    """A video file (``error`` set, never raised, when it is missing or cannot be decoded)."""
    from ..preprocess.video import VideoReader

    path = os.fspath(path)
    if not os.path.isfile(path):
        return Media("video", path, 0.0, error=f"video not found: {path}")
    try:
        reader = VideoReader(path)
    except (ValueError, FileNotFoundError) as err:
        return Media("video", path, 0.0, error=str(err))
    return Media("video", path, reader.fps, num_frames=len(reader), timestamps=reader.timestamps.copy())


def image_sequence_media(folder: str | os.PathLike, pattern: str, first_number: int, fps: float) -> Media:
    """Images in ``folder`` whose names match ``pattern`` (one group = the frame number); frame 0 is the file
    numbered ``first_number``."""
    folder = os.fspath(folder)
    if not os.path.isdir(folder):
        return Media("images", folder, fps, error=f"image folder not found: {folder}")
    regex = re.compile(pattern)
    files = {}
    for name in os.listdir(folder):
        m = regex.fullmatch(name)
        if m:
            files[int(m.group(1)) - first_number] = os.path.join(folder, name)
    if not files:
        return Media("images", folder, fps, error=f"no images matching {pattern!r} in {folder}")
    return Media("images", folder, fps, files=files, num_frames=max(files) + 1)


def index_images(images_root: str | os.PathLike) -> dict[str, str]:
    """``{base name: path}`` of every file under ``images_root`` (walked once; shared by all sequences)."""
    index: dict[str, str] = {}
    for dirpath, _, filenames in os.walk(os.fspath(images_root)):
        for f in filenames:
            index.setdefault(f, os.path.join(dirpath, f))
    return index


def images_by_name(
    images_root: str | os.PathLike, names: list[str], fps: float, index: dict[str, str] | None = None
) -> Media:
    """Frames given by annotation image names (MMPose's ``imgname``), looked up as ``images_root/<name>`` or, for a
    flat folder, by base name (``index`` from :func:`index_images`, built here when not given). ``files`` maps the
    0-based frame number parsed from the name (``..._000001.jpg`` -> 0) to the path."""
    root = Path(images_root)
    if not root.is_dir():
        return Media("images", os.fspath(root), fps, error=f"image folder not found: {root}")
    files = {}
    for name in names:
        m = re.search(r"_(\d+)\.\w+$", os.path.basename(name))
        if m is None:
            continue
        path = root / name
        if path.is_file():
            files[int(m.group(1)) - 1] = os.fspath(path)
            continue
        if index is None:
            index = index_images(root)
        if os.path.basename(name) in index:
            files[int(m.group(1)) - 1] = index[os.path.basename(name)]
    media = Media("images", os.fspath(root), fps, files=files, num_frames=max(files) + 1 if files else 0)
    if not files:
        media.error = f"none of the {len(names)} annotated images found under {root}"
    return media


# --------------------------------------------------------------------------------------------------------
# per-dataset layouts
# --------------------------------------------------------------------------------------------------------


def h36m_video_path(root: str | os.PathLike, subject: str, action: str, camera: str) -> Path:
    """``<root>/<subject>/Videos/<action>.<camera>.mp4`` (action with its take number, e.g. ``"Walking 1"``)."""
    return Path(root) / subject / "Videos" / f"{action}.{camera}.mp4"


#: Rates a Human3.6M annotation file can have: the 50 Hz capture, or every 2nd frame (the ``fk25`` file, AugLift's).
H36M_ANNOTATION_RATES: tuple[float, ...] = (50.0, 25.0)
#: Annotation rows at a rate "span" a video when the durations agree within 2 % or two annotation frames (the
#: archive's pose files and videos differ by a few frames; 25 vs 50 Hz differ by a factor 2).
DURATION_TOLERANCE = 0.02


def durations_agree(rows: int, rate: float, media: Media) -> bool:
    """Whether ``rows`` annotation frames at ``rate`` Hz last as long as ``media`` (:data:`DURATION_TOLERANCE`)."""
    d = rows / float(rate)
    return abs(d - media.duration) <= max(DURATION_TOLERANCE * media.duration, 2.0 / float(rate))


def h36m_archive_names(root: str | os.PathLike, subject: str) -> dict[str, dict[str, Path]]:
    """``{archive sequence name: {camera id: video path}}`` of ``<root>/<subject>/Videos/<name>.<camera>.mp4``."""
    out: dict[str, dict[str, Path]] = {}
    folder = Path(root) / subject / "Videos"
    if folder.is_dir():
        for f in sorted(folder.iterdir()):
            m = re.fullmatch(r"(?P<name>.+)\.(?P<camera>\d+)\.mp4", f.name)
            if m and f.is_file():
                out.setdefault(m["name"], {})[m["camera"]] = f
    return out


@dataclasses.dataclass
class H36MVideos:
    """Which archive video each annotation sequence joins (:func:`resolve_h36m_videos`).

    ``rate``: the annotation rate the frame counts give (Hz); ``names``: ``{(subject, action): archive name}`` of
    the sequences with a video; ``renamed``: the entries whose archive name is not a spelling of their own
    (a take chosen by frame count); ``unresolved``: ``{(subject, action): why}``; ``evidence``: one line saying
    how the rate was decided.
    """

    rate: float
    names: dict[tuple[str, str], str]
    renamed: dict[tuple[str, str], str]
    unresolved: dict[tuple[str, str], str]
    evidence: str


def resolve_h36m_videos(
    root: str | os.PathLike, lengths: dict[tuple[str, str], int], *, fps: float | None = None, where: str = "",
    partial: bool = False,
) -> H36MVideos:  # fmt: skip
    """Match Human3.6M annotation sequences to the official archive's videos by name **and frame count**.

    Args:
        root: the archive root (``S<k>/Videos/<Action>[ <take>].<camera>.mp4``).
        lengths: ``{(subject, action): native annotation frames}`` (the full sequences, before ``--max-frames``).
        fps: the annotation rate when it is known (``--fps``, or 50 for MMPose's video-frame numbers); ``None``
            decides it from the data.
        where: the annotation file, for messages.
        partial: the annotations name archive videos exactly and may cover part of each (MMPose's ``imgname``,
            ``lengths`` = last annotated frame + 1): a video fits when it lasts at least as long, spellings only.

    Candidates of a sequence are the archive videos of the same action in any spelling
    (:data:`~auglift_hf.data.h36m.H36M_ACTION_ALIASES`); a candidate fits at rate ``R`` when the sequence's rows at
    ``R`` last as long as the video (:func:`durations_agree`). The rate is the one of
    :data:`H36M_ANNOTATION_RATES` at which sequences fit; when some sequences fit only at 25 Hz and others only at
    50 Hz (or ``fps`` fits none while the other rate does) the file contradicts itself and a ``ValueError`` names
    one of each; when none fits at any rate, a ``ValueError`` names a sequence and its video. A sequence joins the
    fitting candidate spelled like itself, else the only fitting take (the ``fk25`` file's ``"Walking 1"`` may be
    the archive's ``"Walking"``); several fitting takes, or two sequences on one video, leave it unresolved.
    ``FileNotFoundError`` when the root holds no video of any sequence.
    """
    from .h36m import action_spellings, same_action, split_action_name

    where = where or "annotations"
    archive: dict[str, dict[str, dict[str, Path]]] = {}
    cands: dict[tuple[str, str], list[str]] = {}
    for subject, action in lengths:
        if subject not in archive:
            archive[subject] = h36m_archive_names(root, subject)
        names = []
        for n in archive[subject]:
            try:
                if same_action(action, n):
                    names.append(n)
            except ValueError:
                continue  # a file that is not an H36M sequence name
        cands[(subject, action)] = names
    if not any(cands.values()):
        raise FileNotFoundError(
            f"{root}: no media found for any sequence (no Human3.6M video <subject>/Videos/<Action>[ <take>].<camera "
            f"id>.mp4 of the {len(lengths)} sequences in {where})"
        )
    medias: dict[tuple[str, str], Media] = {}

    def media(subject: str, name: str) -> Media:
        if (subject, name) not in medias:
            path = next(iter(sorted(archive[subject][name].items())))[1]  # any camera: takes are filmed together
            medias[(subject, name)] = video_media(path)
        return medias[(subject, name)]

    if partial and not fps:
        raise ValueError("resolve_h36m_videos: `partial` annotations need their rate (`fps`)")

    def fits(key: tuple[str, str], name: str, rate: float) -> bool:
        m = media(key[0], name)
        if m.error:
            return False
        if partial:  # covered by the video: the last annotated frame is inside it
            return name in action_spellings(key[1]) and lengths[key] / rate <= m.duration + 2.0 / rate
        return durations_agree(lengths[key], rate, m)

    rates = (float(fps),) if fps else H36M_ANNOTATION_RATES
    fit = {key: {r: [n for n in names if fits(key, n, r)] for r in H36M_ANNOTATION_RATES + rates}
           for key, names in cands.items()}  # fmt: skip

    def show(key: tuple[str, str], rate: float) -> str:
        vids = ", ".join(
            f"'{n}' {media(key[0], n).num_frames:,} frames at {media(key[0], n).measured_fps:g} fps"
            for n in cands[key]
        )
        return f"{'/'.join(key)}: {lengths[key]:,} rows ({lengths[key] / rate:.2f} s at {rate:g} Hz) vs {vids}"

    support = {r: [k for k in fit if fit[k][r]] for r in H36M_ANNOTATION_RATES + rates}
    if fps:
        rate = float(fps)
        others = [r for r in H36M_ANNOTATION_RATES if r != rate and support[r]]
        if not support[rate] and others:
            k = support[others[0]][0]
            raise ValueError(
                f"{where}: the annotation rate {rate:g} Hz contradicts the frame counts, which say {others[0]:g} Hz "
                f"({show(k, rate)})"
            )
        evidence = f"{rate:g} Hz as given; {len(support[rate])} of {len(fit)} sequences' frame counts agree"
    else:
        fitting = [r for r in H36M_ANNOTATION_RATES if support[r]]
        if len(fitting) > 1:
            only = {r: [k for k in support[r] if not any(fit[k][o] for o in fitting if o != r)] for r in fitting}
            if all(only.values()):
                a, b = (only[r][0] for r in fitting)
                raise ValueError(
                    f"{where}: the frame counts contradict each other: {'/'.join(a)} fits its video at {fitting[0]:g} "
                    f"Hz only, {'/'.join(b)} at {fitting[1]:g} Hz only; pass --fps to state the file's rate"
                )
            fitting = [r for r in fitting if only[r]] or fitting[:1]
        if not fitting:
            k = next(k for k in cands if cands[k])
            raise ValueError(
                f"{where}: no sequence's frame count matches its video at {' or '.join(f'{r:g}' for r in H36M_ANNOTATION_RATES)} "
                f"Hz ({show(k, H36M_ANNOTATION_RATES[-1])}); pass --fps"
            )
        rate = fitting[0]
        evidence = (
            f"{rate:g} Hz from the data: {len(support[rate])} of {len(fit)} sequences last as long as their 50 fps "
            f"videos at {rate:g} Hz"
        )
    names, renamed, unresolved = {}, {}, {}
    for key, ok in ((k, v[rate]) for k, v in fit.items()):
        own = [n for n in action_spellings(key[1]) if n in ok]
        if own:
            names[key] = own[0]
        elif len(ok) == 1:
            names[key] = renamed[key] = ok[0]
        elif ok:
            unresolved[key] = f"several takes fit: {show(key, rate)}"
        elif cands[key]:
            unresolved[key] = f"no take of the action fits: {show(key, rate)}"
        else:
            unresolved[key] = f"no video of {split_action_name(key[1])[0]} in {Path(root) / key[0] / 'Videos'}"
    used: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key, n in names.items():
        used.setdefault((key[0], n), []).append(key)
    for (_, n), keys in used.items():
        if len(keys) > 1:  # two sequences on one video: keep the one spelled like it, if any
            keep = [k for k in keys if k not in renamed]
            for k in keys:
                if len(keep) != 1 or k != keep[0]:
                    names.pop(k)
                    renamed.pop(k, None)
                    unresolved[k] = f"'{n}' fits {len(keys)} sequences ({', '.join('/'.join(x) for x in keys)})"
    return H36MVideos(rate, names, renamed, unresolved, evidence)


def mpi3dhp_media(root: str | os.PathLike, subject: str, sequence: str, camera: str) -> Media:
    """Training ``S*/Seq*/imageSequence/video_<cam>.avi``; test ``TS*/imageSequence/img_%06d.jpg`` (1-based)."""
    from .mpi_inf_3dhp import TEST_FPS

    root = Path(root)
    if subject.startswith("TS"):
        base = root / subject if (root / subject).is_dir() else root / "mpi_inf_3dhp_test_set" / subject
        return image_sequence_media(
            base / "imageSequence", r"img_(\d+)\.(?:jpg|jpeg|png)", 1, TEST_FPS.get(subject, 25.0)
        )
    return video_media(root / subject / sequence / "imageSequence" / f"video_{camera}.avi")


def pw3d_media(root: str | os.PathLike, sequence: str) -> Media:
    """``imageFiles/<sequence>/image_%05d.jpg`` (0-based) at 30 fps."""
    root = Path(root)
    base = root / "imageFiles" if (root / "imageFiles").is_dir() else root
    return image_sequence_media(base / sequence, r"image_(\d+)\.(?:jpg|jpeg|png)", 0, PW3D_FPS)


def fit3d_video_path(root: str | os.PathLike, subject: str, action: str, camera: str) -> Path:
    """``<root>/train/<subject>/videos/<camera>/<action>.mp4``."""
    root = Path(root)
    base = root / "train" if (root / "train").is_dir() else root
    return base / subject / "videos" / camera / f"{action}.mp4"


def media_for(dataset: str, root: str | os.PathLike, subject: str, action: str, camera: str) -> Media:
    """The media of one sequence in a dataset root's native layout (see the module docstring)."""
    if dataset == "h36m":
        return video_media(h36m_video_path(root, subject, action, camera))
    if dataset == "mpi_inf_3dhp":
        return mpi3dhp_media(root, subject, action, camera)
    if dataset == "3dpw":
        return pw3d_media(root, subject)
    if dataset == "fit3d":
        return video_media(fit3d_video_path(root, subject, action, camera))
    raise ValueError(f"no media layout for dataset {dataset!r} (expected h36m, mpi_inf_3dhp, 3dpw or fit3d)")


# --------------------------------------------------------------------------------------------------------
# timestamp alignment
# --------------------------------------------------------------------------------------------------------


def gt_timestamps(frame_index: np.ndarray, gt_rate: float) -> np.ndarray:
    """Seconds from the sequence start of ground-truth rows numbered ``frame_index`` at ``gt_rate`` Hz."""
    if not gt_rate > 0:
        raise ValueError(f"ground-truth rate must be positive, got {gt_rate}")
    return np.asarray(frame_index, np.float64) / float(gt_rate)


def align_to_media(times: np.ndarray, media: Media) -> tuple[np.ndarray, np.ndarray]:
    """Media frame numbers at ``times`` (seconds): ``(index (n,) int64, -1 = none; reason code (n,))``.

    A media frame matches when its own timestamp (a video's decoded times, an image's ``number / fps``) is the
    nearest to ``t`` and within half a frame period (:attr:`Media.frame_period`) of it; decoded video frames are
    checked again against their presentation times when they are read (:func:`read_media_frames`).
    """
    times = np.asarray(times, np.float64)
    n = len(times)
    if media.error or not media.fps > 0:
        return np.full(n, -1, np.int64), np.full(n, REASON_CODE["missing_media"], np.int64)
    tol = 0.5 * media.frame_period + 1e-6
    if media.kind == "video" and media.timestamps is not None and len(media.timestamps):
        ts = np.asarray(media.timestamps, np.float64)
        right = np.clip(np.searchsorted(ts, times), 0, len(ts) - 1)
        left = np.clip(right - 1, 0, len(ts) - 1)
        idx = np.where(np.abs(ts[right] - times) < np.abs(ts[left] - times), right, left)
        ok = np.abs(ts[idx] - times) <= tol
    else:
        idx = np.rint(times * media.fps).astype(np.int64)
        ok = (np.abs(idx / media.fps - times) <= tol) & (idx >= 0) & (idx < media.num_frames)
        if media.kind == "images":
            ok &= np.isin(idx, np.fromiter(media.files, np.int64, len(media.files)))
    return np.where(ok, idx, -1), np.where(ok, 0, REASON_CODE["no_media_frame"])


def read_media_frames(media: Media, indices: list[int]) -> Iterator[tuple[int, np.ndarray | None, float, str]]:
    """Decode the (sorted, unique) media frames ``indices``: ``(index, (H, W, 3) uint8 or None, time s, error)``.

    Videos are decoded forward from the key frame before the first index (PyAV seeks); the time is the frame's own
    (:class:`~auglift_hf.preprocess.video.VideoReader`: presentation time minus the first decoded frame's). Never
    raises: a failure becomes the error string.
    """
    from ..preprocess._hf import load_image

    if not indices:
        return
    if media.kind == "images":
        for i in indices:
            try:
                yield i, load_image(media.files[i]), i / media.fps, ""
            except (ValueError, FileNotFoundError, KeyError) as err:
                yield i, None, i / media.fps, str(err)
        return
    from ..preprocess.video import VideoReader

    wanted = set(indices)
    seen: set[int] = set()
    error = ""
    try:
        reader = VideoReader(media.path)
        for i, image, t in reader.iter_frames(min(indices), max(indices) + 1):
            if i in wanted:
                seen.add(i)
                yield i, image, t, ""
    except (ValueError, FileNotFoundError) as err:
        error = str(err)
    for i in sorted(wanted - seen):
        t = float(media.timestamps[i]) if media.timestamps is not None and i < len(media.timestamps) else i / media.fps
        yield i, None, t, error or f"{media.path}: frame {i} could not be decoded"
