"""Dataset media fixtures in each dataset's native layout, with a drawn person at known positions.

Every frame shows the annotated person as COCO-17 "markers" (3x3 blobs: green 255, red ``10 * (joint + 1)``) drawn at
the projection of the ground-truth joints **at that frame's own timestamp**, so a row joined to the wrong frame
has 2D keypoints that are off by the person's motion between frames (>= 6 px). The blue channel of the background
encodes the media frame number (``BLUE0 + 10 * number``, robust to JPEG's few grey levels); :class:`FrameCodeDepth` turns it into a constant depth map,
so a row's depth says which frame it was sampled from. Videos are written losslessly with PyAV (``libx264rgb``
``crf 0`` in ``.mp4``, ``ffv1`` in ``.avi``); JPEG image sequences use quality 100 without chroma subsampling, and
the marker backends tolerate the few grey levels JPEG changes.

The fake backends *measure* the pixels: :class:`PeopleMarkerDetector` boxes each horizontally separated group of
markers (score grows with box height, so a bigger decoy outranks the annotated person),
:class:`TolerantMarkerPose` takes marker centroids inside each box.
"""

from __future__ import annotations

import json
import pickle
from fractions import Fraction
from pathlib import Path

import numpy as np

from auglift_hf.camera import project, world_to_camera
from auglift_hf.preprocess.detector import Detections

CAM_IDS = ("54138969", "55011271", "58860488", "60457274")
BLUE0 = 20
#: A standing H36M-17 body (world metres, z up, facing -y); thorax = mean of the shoulders, pelvis = mean of the
#: hips, spine = their mean and head = centre of the eyes, so COCO -> H36M reproduces every joint.
BODY = np.array([
    [0.0, 0, 0.95], [-0.12, 0, 0.95], [-0.13, 0, 0.52], [-0.14, 0, 0.08], [0.12, 0, 0.95], [0.13, 0, 0.52],
    [0.14, 0, 0.08], [0.0, 0, 1.2], [0.0, 0, 1.45], [0.0, 0, 1.58], [0.0, 0, 1.72], [0.2, 0, 1.45],
    [0.32, 0, 1.18], [0.4, 0, 0.92], [-0.2, 0, 1.45], [-0.32, 0, 1.18], [-0.4, 0, 0.92],
])  # fmt: skip
SPEED = 3.0  # m/s along world x: 6 cm per 50 fps frame


def body_world(t: np.ndarray, x0: float = -0.5) -> np.ndarray:
    """``(T, 17, 3)`` world metres of the walking body at times ``t`` seconds."""
    t = np.asarray(t, np.float64).reshape(-1, 1, 1)
    return BODY[None] + np.concatenate([x0 + SPEED * t, 0 * t, 0 * t], -1)


def h36m_to_coco_markers(kp: np.ndarray) -> np.ndarray:
    """H36M-17 2D -> COCO-17 marker positions (eyes / ears placed around the head joint)."""
    coco = np.zeros((17, 2))
    coco[0] = kp[9]
    coco[1], coco[2] = kp[10] + [6, 0], kp[10] - [6, 0]
    coco[3], coco[4] = kp[10] + [12, 0], kp[10] - [12, 0]
    for c, h in zip(range(5, 17), (11, 14, 12, 15, 13, 16, 4, 1, 5, 2, 6, 3)):
        coco[c] = kp[h]
    return coco


def draw(h: int, w: int, frame_number: int, people: list[np.ndarray]) -> np.ndarray:
    """An ``(h, w, 3)`` frame (``frame_number`` <= 23): background blue = frame code, one marker set per COCO-17 person."""
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 2] = BLUE0 + 10 * frame_number
    for coco in people:
        for j, (x, y) in enumerate(np.rint(coco).astype(int)):
            if 1 <= x < w - 1 and 1 <= y < h - 1:
                img[y - 1 : y + 2, x - 1 : x + 2, 0] = 10 * (j + 1)
                img[y - 1 : y + 2, x - 1 : x + 2, 1] = 255
                img[y - 1 : y + 2, x - 1 : x + 2, 2] = 0
    return img


def decoy_of(coco: np.ndarray, w: int, scale: float = 1.25, gap: float = 90.0) -> np.ndarray:
    """A bigger copy of a person beside it (towards the image centre)."""
    centre = coco.mean(0)
    dx = gap if centre[0] < w / 2 else -gap
    return (coco - centre) * scale + centre + [dx, 0]


def write_video(
    path: Path, frames: list[np.ndarray], fps: int, *, pts: list[int] | None = None, codec: str | None = None,
    time_base: int | None = None, bframes: int | None = None,
) -> Path:  # fmt: skip
    """Lossless RGB video: ``.mp4`` / ``.mkv`` with libx264rgb crf 0, ``.avi`` with ffv1 (``codec`` overrides;
    ``mpeg4`` is lossy yuv420p with B-frames).

    ``pts`` gives each frame's presentation timestamp in units of ``1 / time_base`` s (default ``1 / fps``): a
    start offset (pts from 5), pre-roll before an MP4 edit list (negative pts, which the demuxer marks for
    discarding) or a dropped frame (a gap). ``bframes`` sets the encoder's B-frames.
    """
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    h, w = frames[0].shape[:2]
    codec = codec or ("ffv1" if path.suffix == ".avi" else "libx264rgb")
    with av.open(str(path), "w") as c:
        s = c.add_stream(codec, rate=fps)
        if codec == "ffv1":
            s.pix_fmt = "bgr0"
        elif codec == "libx264rgb":
            s.pix_fmt = "rgb24"
            s.options = {"crf": "0", "preset": "ultrafast" if bframes is None else "medium",
                         **({} if bframes is None else {"bframes": str(bframes)})}  # fmt: skip
        else:
            s.pix_fmt = "yuv420p"
            s.options = {"qscale": "1"}
        if bframes is not None:
            s.codec_context.max_b_frames = bframes
        s.width, s.height = w, h
        for i, f in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(f, format="rgb24")
            if pts is not None:
                frame.pts = int(pts[i])
                frame.time_base = Fraction(1, time_base or fps)
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def write_jpeg(path: Path, img: np.ndarray) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(img).save(path, quality=100, subsampling=0)


def look_at_R(position: np.ndarray, target: np.ndarray) -> np.ndarray:
    """MMPose-convention R (columns: camera right, down, forward in world coordinates; world z up)."""
    fwd = target - position
    fwd = fwd / np.linalg.norm(fwd)
    right = np.cross(fwd, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    return np.stack([right, np.cross(fwd, right), fwd], 1)


# --------------------------------------------------------------------------------------------------------
# Human3.6M: VideoPose3D 25 Hz motion + cameras.pkl + 50 fps videos S*/Videos/<Action>.<cam>.mp4
# --------------------------------------------------------------------------------------------------------

H36M_SIZE = 256


def h36m_cameras(subjects=("S1", "S9")) -> dict:
    cams = {}
    for s in subjects:
        for i, cid in enumerate(CAM_IDS):
            ang = -np.pi / 2 + (i - 1.5) * 0.35
            pos = np.array([5 * np.cos(ang), 5 * np.sin(ang), 1.0])
            cams[(s, cid)] = {
                "R": look_at_R(pos, np.array([0.0, 0.0, 1.0])), "T": pos.reshape(3, 1),
                "f": np.array([[300.0], [300.0]]), "c": np.array([[128.0], [128.0]]), "k": np.zeros((3, 1)),
                "p": np.zeros((2, 1)), "w": H36M_SIZE, "h": H36M_SIZE, "name": f"camera{i + 1}", "id": cid,
            }  # fmt: skip
    return cams


def project_h36m(world: np.ndarray, cam: dict) -> np.ndarray:
    return project(world_to_camera(world, cam["R"], cam["T"]), cam["f"], cam["c"], cam["k"], cam["p"])


def write_h36m(
    root: Path, gt_frames: int = 7, video_frames: int = 12, cameras: tuple[str, ...] = CAM_IDS[:2],
    decoy_frames: tuple[int, ...] = (2, 6), subjects=("S1", "S9"),
) -> dict:  # fmt: skip
    """``data_3d_h36m_fk25.npz`` (25 Hz, ``gt_frames``), ``cameras.pkl`` and 50 fps videos for ``cameras`` only.

    Video frame ``i`` shows the body at ``t = i / 50``; ``decoy_frames`` (video numbers) add a bigger decoy.
    """
    cams = h36m_cameras(subjects)
    with open(root / "cameras.pkl", "wb") as fh:
        pickle.dump(cams, fh, protocol=2)
    pos = {s: {"Walking 1": body_world(np.arange(gt_frames) / 25.0).astype(np.float32)} for s in subjects}
    np.savez(root / "data_3d_h36m_fk25.npz", positions_3d=pos)
    t = np.arange(video_frames) / 50.0
    for s in subjects:
        for cid in cameras:
            kp = project_h36m(body_world(t), cams[(s, cid)])
            frames = []
            for i in range(video_frames):
                coco = h36m_to_coco_markers(kp[i])
                people = [coco] + ([decoy_of(coco, H36M_SIZE)] if i in decoy_frames else [])
                frames.append(draw(H36M_SIZE, H36M_SIZE, i, people))
            write_video(root / "videos" / s / "Videos" / f"Walking 1.{cid}.mp4", frames, 50)
    return {
        "cameras": root / "cameras.pkl", "positions_3d": root / "data_3d_h36m_fk25.npz", "videos": root / "videos",
        "cams": cams,
    }  # fmt: skip


def write_h36m_takes(
    root: Path, takes: dict[tuple[str, str], tuple[str | None, float, int, float]], npz: str = "data_3d_h36m.npz",
    cameras: tuple[str, ...] = CAM_IDS[:1],
) -> dict:  # fmt: skip
    """A VideoPose3D-style ``npz`` + ``cameras.pkl`` + 50 fps archive videos, one entry per annotation sequence.

    ``takes[(subject, annotation name)] = (archive name or None for no video, annotation rate, rows, x0)``: the
    body walks from ``x0`` m; the archive video ``<subject>/Videos/<archive name>.<cam>.mp4`` films the same take at
    50 fps for as long as the rows last (``rows * 50 / rate`` frames, <= 23).
    """
    subjects = sorted({s for s, _ in takes})
    cams = h36m_cameras(tuple(subjects))
    with open(root / "cameras.pkl", "wb") as fh:
        pickle.dump(cams, fh, protocol=2)
    pos: dict = {}
    for (s, action), (_, rate, rows, x0) in takes.items():
        pos.setdefault(s, {})[action] = body_world(np.arange(rows) / rate, x0).astype(np.float32)
    np.savez(root / npz, positions_3d=pos)
    for (s, _), (archive, rate, rows, x0) in takes.items():
        if archive is None:
            continue
        n = int(round(rows * 50 / rate))
        t = np.arange(n) / 50.0
        for cid in cameras:
            kp = project_h36m(body_world(t, x0), cams[(s, cid)])
            frames = [draw(H36M_SIZE, H36M_SIZE, i, [h36m_to_coco_markers(kp[i])]) for i in range(n)]
            write_video(root / "videos" / s / "Videos" / f"{archive}.{cid}.mp4", frames, 50)
    return {"cameras": root / "cameras.pkl", "positions_3d": root / npz, "videos": root / "videos", "cams": cams}


# --------------------------------------------------------------------------------------------------------
# MPI-INF-3DHP: training annot.mat + imageSequence/video_<cam>.avi, test annot_data.mat + img_%06d.jpg
# --------------------------------------------------------------------------------------------------------


def _to_3dhp17(h36m: np.ndarray) -> np.ndarray:
    from auglift_hf.data.mpi_inf_3dhp import MPI3DHP17_TO_H36M

    out = np.zeros_like(h36m)
    out[..., list(MPI3DHP17_TO_H36M), :] = h36m
    return out


def _to_3dhp28(h36m: np.ndarray) -> np.ndarray:
    from auglift_hf.data.mpi_inf_3dhp import MPI3DHP28_TO_H36M

    out = np.repeat(h36m[..., :1, :], 28, axis=-2)
    out[..., list(MPI3DHP28_TO_H36M), :] = h36m
    return out


def _camera_body(t: np.ndarray, depth: float = 4.0) -> np.ndarray:
    """Camera-frame body (x right, y down, z forward) walking right, ``depth`` metres away."""
    w = body_world(t)
    return np.stack([w[..., 0], 1.0 - w[..., 2], depth + w[..., 1]], -1)


def write_3dhp_train_video(
    root: Path, subject: str = "S1", seq: str = "Seq1", fps: int = 25, frames: int = 6, **video: object
) -> Path:  # fmt: skip
    """``<subject>/<seq>/annot.mat`` (one row per video frame, 14 cameras) + camera 0's ``video_0.avi`` at ``fps``
    (192 x 192); frame ``k`` shows the body at ``t = k / fps``. ``video`` goes to :func:`write_video`."""
    from scipy.io import savemat

    f, c, size = 300.0, 96.0, 192
    d = root / subject / seq
    d.mkdir(parents=True)
    xyz = _camera_body(np.arange(frames) / float(fps))
    uv = f * xyz[..., :2] / xyz[..., 2:] + c
    a2, a3 = np.empty((14, 1), object), np.empty((14, 1), object)
    for cam in range(14):
        a2[cam, 0] = _to_3dhp28(uv).reshape(frames, 56)
        a3[cam, 0] = (_to_3dhp28(xyz) * 1000).reshape(frames, 84)
    savemat(d / "annot.mat", {"annot2": a2, "annot3": a3, "univ_annot3": a3, "cameras": np.arange(14)[None],
                              "frames": np.arange(frames)[:, None]})  # fmt: skip
    K = np.eye(4)
    K[0, 0] = K[1, 1] = f
    K[0, 2] = K[1, 2] = c
    lines = ["Skeletool Camera Calibration File V1.0"]
    for cam in range(14):
        lines += [f"name          {cam}", "  sensor      10 10", f"  size        {size} {size}", "  animated    0",
                  "  intrinsic   " + " ".join(f"{v:g}" for v in K.reshape(-1)),
                  "  extrinsic   " + " ".join(["0"] * 16), "  radial      0"]  # fmt: skip
    (d / "camera.calibration").write_text("\n".join(lines) + "\n")
    images = [draw(size, size, i, [h36m_to_coco_markers(uv[i])]) for i in range(frames)]
    return write_video(d / "imageSequence" / "video_0.avi", images, fps, **video)


def write_3dhp(root: Path, train_frames: int = 6, test_frames: int = 6, invalid_test: tuple[int, ...] = (2,)) -> Path:
    """S1/Seq1 (camera 0 only, 25 fps avi, 192 x 192) and TS5 (1920 x 1080 at 50 fps, JPEG sequence)."""
    import h5py

    write_3dhp_train_video(root, "S1", "Seq1", 25, train_frames)

    ts = root / "TS5"
    ts.mkdir(parents=True)
    ft, ct, (w, h) = 900.0, np.array([960.0, 540.0]), (1920, 1080)
    xyz = _camera_body(np.arange(test_frames) / 50.0)
    uv = ft * xyz[..., :2] / xyz[..., 2:] + ct
    valid = np.ones((test_frames, 1))
    valid[list(invalid_test)] = 0
    with h5py.File(ts / "annot_data.mat", "w") as fh:
        fh["annot2"] = _to_3dhp17(uv)[:, None]
        fh["annot3"] = (_to_3dhp17(xyz) * 1000)[:, None]
        fh["univ_annot3"] = (_to_3dhp17(xyz) * 1000)[:, None]
        fh["valid_frame"] = valid
        fh["activity_annotation"] = np.ones((test_frames, 1))
    for i in range(test_frames):
        write_jpeg(ts / "imageSequence" / f"img_{i + 1:06d}.jpg", draw(h, w, i, [h36m_to_coco_markers(uv[i])]))
    return root


# --------------------------------------------------------------------------------------------------------
# 3DPW: sequenceFiles/<split>/<seq>.pkl + imageFiles/<seq>/image_%05d.jpg (two people)
# --------------------------------------------------------------------------------------------------------


def _smpl_from_h36m(h36m: np.ndarray) -> np.ndarray:
    """SMPL-24 joints whose :func:`auglift_hf.data.pw3d.smpl_to_h36m` is ``h36m`` (head top extrapolated)."""
    from auglift_hf.data.pw3d import SMPL_TO_H36M

    out = np.repeat(h36m[..., :1, :], 24, axis=-2)
    for i, j in enumerate(SMPL_TO_H36M):
        if i != 10:
            out[..., j, :] = h36m[..., i, :]
    return out


def write_3dpw(root: Path, frames: int = 5, invalid: tuple[int, ...] = (3,)) -> Path:
    """``downtown_walk_00``: two actors 1.2 m apart, 1080 x 1920 portrait images at 30 fps.

    Actor 0's ``campose_valid`` is 0 at ``invalid``. World = camera frame (identity ``cam_poses``).
    """
    f, c = 1000.0, np.array([540.0, 960.0])
    t = np.arange(frames) / 30.0
    actors = [_camera_body(t, 5.0) - [0.6, 0, 0], _camera_body(t, 5.0) + [0.7, 0, 0]]
    valid = [np.ones(frames), np.ones(frames)]
    valid[0][list(invalid)] = 0
    data = {
        "sequence": "downtown_walk_00", "genders": ["m", "f"], "betas": [np.zeros(10)] * 2,
        "poses": [np.zeros((frames, 72))] * 2, "trans": [np.zeros((frames, 3))] * 2,
        "jointPositions": [_smpl_from_h36m(a).reshape(frames, 72) for a in actors],
        "cam_poses": np.tile(np.eye(4), (frames, 1, 1)),
        "cam_intrinsics": np.array([[f, 0, c[0]], [0, f, c[1]], [0, 0, 1]]), "campose_valid": valid,
        "img_frame_ids": np.arange(frames),
    }  # fmt: skip
    d = root / "sequenceFiles" / "test"
    d.mkdir(parents=True)
    with open(d / "downtown_walk_00.pkl", "wb") as fh:
        pickle.dump(data, fh, protocol=2)
    from auglift_hf.data.pw3d import smpl_to_h36m

    kps = [f * smpl_to_h36m(_smpl_from_h36m(a))[..., :2] / a[..., 2:] + c for a in actors]
    for i in range(frames):
        people = [h36m_to_coco_markers(k[i]) for k in kps]
        write_jpeg(root / "imageFiles" / "downtown_walk_00" / f"image_{i:05d}.jpg", draw(1920, 1080, i, people))
    return root


# --------------------------------------------------------------------------------------------------------
# Fit3D: train/<s>/joints3d_25/<action>.json, camera_parameters/<cam>/<action>.json, videos/<cam>/<action>.mp4
# --------------------------------------------------------------------------------------------------------


def write_fit3d(
    root: Path, subjects=("s03", "s11"), frames: int = 5, camera: str = "50591643", drop: tuple[int, ...] = ()
) -> Path:  # fmt: skip
    """Two subjects (s11 is the deterministic test subject), one camera, 900 x 900 videos at 50 fps.

    ``drop``: frame numbers the videos lack (a variable-frame-rate recording: the kept frames keep their pts).
    """
    pos = np.array([0.0, -4.0, 1.0])
    R = look_at_R(pos, np.array([0.0, 0.0, 1.0]))
    cam = {"R": R, "T": pos, "f": np.array([700.0, 700.0]), "c": np.array([450.0, 450.0])}
    t = np.arange(frames) / 50.0
    for s in subjects:
        base = root / "train" / s
        (base / "joints3d_25").mkdir(parents=True)
        j = np.concatenate([body_world(t), np.zeros((frames, 8, 3)) + [0, 0, 1.0]], 1)
        (base / "joints3d_25" / "squat.json").write_text(json.dumps({"joints3d_25": j.tolist()}))
        (base / "camera_parameters" / camera).mkdir(parents=True)
        params = {
            "extrinsics": {"R": R.T.tolist(), "T": [pos.tolist()]},
            "intrinsics_w_distortion": {"f": [cam["f"].tolist()], "c": [cam["c"].tolist()], "k": [[0, 0, 0]],
                                        "p": [[0, 0]]},
            "intrinsics_wo_distortion": {"f": cam["f"].tolist(), "c": cam["c"].tolist()},
        }  # fmt: skip
        (base / "camera_parameters" / camera / "squat.json").write_text(json.dumps(params))
        kp = project(world_to_camera(body_world(t), R, pos), cam["f"], cam["c"])
        kept = [i for i in range(frames) if i not in drop]
        video = [draw(900, 900, i, [h36m_to_coco_markers(kp[i])]) for i in kept]
        write_video(base / "videos" / camera / "squat.mp4", video, 50, pts=kept if drop else None)
    return root


# --------------------------------------------------------------------------------------------------------
# fake backends that measure the marker pixels
# --------------------------------------------------------------------------------------------------------


def _marker_mask(im: np.ndarray) -> np.ndarray:
    return im[..., 1] > 200


class PeopleMarkerDetector:
    """One box per horizontally separated marker group (gap > 30 px), padded by 4 px; score = box height / H."""

    checkpoint = "fake-people-marker-detector"

    def __call__(self, images):
        out = []
        for im in images:
            ys, xs = np.nonzero(_marker_mask(im))
            boxes = []
            if len(xs):
                cols = np.unique(xs)
                splits = np.flatnonzero(np.diff(cols) > 30)
                for lo, hi in zip(np.r_[cols[0], cols[splits + 1]], np.r_[cols[splits], cols[-1]]):
                    sel = (xs >= lo) & (xs <= hi)
                    boxes.append([lo - 4, ys[sel].min() - 4, hi + 5, ys[sel].max() + 5])
            b = np.asarray(boxes, np.float32).reshape(-1, 4)
            out.append(Detections(b, np.clip((b[:, 3] - b[:, 1]) / im.shape[0], 0, 1)))
        return out


class TolerantMarkerPose:
    """Keypoint j = centroid of marker pixels with red within 4 of ``10 (j + 1)`` inside the box; score 0.8."""

    checkpoint = "fake-marker-pose"

    def __call__(self, images, boxes):
        out = []
        for im, bxs in zip(images, boxes):
            kps, scs = [], []
            mask = _marker_mask(im)
            red = im[..., 0].astype(np.int32)
            for x1, y1, x2, y2 in np.asarray(bxs).reshape(-1, 4).astype(int):
                x1, y1 = max(x1, 0), max(y1, 0)
                m, r = mask[y1:y2, x1:x2], red[y1:y2, x1:x2]
                kp, sc = np.zeros((17, 2), np.float32), np.zeros(17, np.float32)
                for j in range(17):
                    ys, xs = np.nonzero(m & (np.abs(r - 10 * (j + 1)) <= 4))
                    if len(xs):
                        kp[j] = xs.mean() + x1, ys.mean() + y1
                        sc[j] = 0.8
                kps.append(kp)
                scs.append(sc)
            out.append((np.asarray(kps, np.float32).reshape(-1, 17, 2), np.asarray(scs, np.float32).reshape(-1, 17)))
        return out


def frame_code_depth(frame: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Depth (metres) that :class:`FrameCodeDepth` gives media frame ``frame`` at column ``u``."""
    return 1.0 + np.asarray(frame) / 10.0 + 0.001 * np.asarray(u)


class FrameCodeDepth:
    """Metric depth ``1 + frame number / 10 + 0.001 u`` metres (frame number read from the background blue)."""

    kind = "metric"
    checkpoint = "fake-frame-code-depth"

    def __call__(self, images):
        codes = [np.rint((np.median(im[:4, :4, 2]) - BLUE0) / 10.0) for im in images]
        return [
            np.broadcast_to(frame_code_depth(c, np.arange(im.shape[1])), im.shape[:2]).astype(np.float32)
            for im, c in zip(images, codes)
        ]


def fake_extractor(depth_mode: str = "point"):
    from auglift_hf.preprocess.extractor import XYCDExtractor

    return XYCDExtractor(
        detector=PeopleMarkerDetector(), pose_estimator=TolerantMarkerPose(), depth_estimator=FrameCodeDepth(),
        depth_mode=depth_mode, device="cpu",
    )  # fmt: skip
