"""BVH reader (auglift_hf.data.bvh): parsing, forward kinematics, joint maps, units / axes, the table.

Fixtures are BVH files written here in the native text format: Bandai-Namco-, CMU- and Mixamo-style skeletons
(upright rest poses in Y-up centimetres, smooth random joint rotations, several rotation orders).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from auglift_hf.data.bvh import (
    BUILTIN_MAPS,
    apply_joint_map,
    choose_joint_map,
    forward_kinematics,
    parse_bvh,
    read_bvh_world,
    retarget_bone_lengths,
)
from auglift_hf.data.bvh.table import h36m_bone_lengths
from auglift_hf.simulation.proportions import bone_lengths

from .native_formats import make_cameras, write_pickle

BANDAI_SKELETON = [  # name, parent, offset (cm, Y up, T-pose), channels
    ("joint_Root", None, (0, 0, 0)), ("Hips", "joint_Root", (0, 95, 0)), ("Spine", "Hips", (0, 15, 0)),
    ("Chest", "Spine", (0, 10, 0)), ("Neck", "Chest", (0, 16, 0)), ("Head", "Neck", (0, 7, 0)),
    ("Shoulder_L", "Chest", (4, 13, 0)), ("UpperArm_L", "Shoulder_L", (12, 0, 0)),
    ("LowerArm_L", "UpperArm_L", (27, 0, 0)), ("Hand_L", "LowerArm_L", (24, 0, 0)),
    ("Shoulder_R", "Chest", (-4, 13, 0)), ("UpperArm_R", "Shoulder_R", (-12, 0, 0)),
    ("LowerArm_R", "UpperArm_R", (-27, 0, 0)), ("Hand_R", "LowerArm_R", (-24, 0, 0)),
    ("UpperLeg_L", "Hips", (9, -5, 0)), ("LowerLeg_L", "UpperLeg_L", (0, -43, 0)),
    ("Foot_L", "LowerLeg_L", (0, -42, 0)), ("Toes_L", "Foot_L", (0, -6, 12)),
    ("UpperLeg_R", "Hips", (-9, -5, 0)), ("LowerLeg_R", "UpperLeg_R", (0, -43, 0)),
    ("Foot_R", "LowerLeg_R", (0, -42, 0)), ("Toes_R", "Foot_R", (0, -6, 12)),
]  # fmt: skip
_RENAME_CMU = {
    "joint_Root": None, "Chest": "Spine1", "Shoulder_L": "LeftShoulder", "UpperArm_L": "LeftArm",
    "LowerArm_L": "LeftForeArm", "Hand_L": "LeftHand", "Shoulder_R": "RightShoulder", "UpperArm_R": "RightArm",
    "LowerArm_R": "RightForeArm", "Hand_R": "RightHand", "UpperLeg_L": "LeftUpLeg", "LowerLeg_L": "LeftLeg",
    "Foot_L": "LeftFoot", "Toes_L": "LeftToeBase", "UpperLeg_R": "RightUpLeg", "LowerLeg_R": "RightLeg",
    "Foot_R": "RightFoot", "Toes_R": "RightToeBase",
}  # fmt: skip
ORDERS = ("ZXY", "XYZ", "YZX", "ZYX", "XZY", "YXZ")


def skeleton(kind: str) -> list[tuple[str, str | None, tuple]]:
    """``bandai``, ``cmu`` (CMU-style names, no joint_Root) or ``mixamo`` (``mixamorig:`` names, HeadTop_End)."""
    if kind == "bandai":
        return list(BANDAI_SKELETON)
    out = []
    for name, parent, off in BANDAI_SKELETON:
        if name == "joint_Root":
            continue
        parent = None if parent == "joint_Root" else _RENAME_CMU.get(parent, parent)
        out.append((_RENAME_CMU.get(name, name), parent, off))
    if kind == "mixamo":
        out = [(n.replace("Spine1", "Spine2"), p and p.replace("Spine1", "Spine2"), o) for n, p, o in out]
        out.insert(2, ("Spine1", "Spine", (0, 5, 0)))
        out = [(n, "Spine1" if n == "Spine2" else p, o) for n, p, o in out]
        out.insert([n for n, _, _ in out].index("Head") + 1, ("HeadTop_End", "Head", (0, 18, 0)))  # DFS order
        out = [("mixamorig:" + n, p and "mixamorig:" + p, o) for n, p, o in out]
    return out


def make_bvh(kind="bandai", frames=12, seed=0, six_channels=None, scale=1.0, orders=ORDERS, amplitude=20.0):
    """A BVH motion as (hierarchy, motion (F, C), channels per joint): smooth rotations, a walking root."""
    rng = np.random.default_rng(seed)
    skel = skeleton(kind)
    six = kind == "bandai" if six_channels is None else six_channels
    t = np.arange(frames)[:, None] / 30.0
    chans, cols = [], []
    for j, (_name, parent, off) in enumerate(skel):
        order = orders[j % len(orders)]
        rot = [f"{a}rotation" for a in order]
        if parent is None or six:
            chans.append(["Xposition", "Yposition", "Zposition", *rot])
            pos = np.broadcast_to(np.array(off, float) * scale, (frames, 3)).copy()
            if parent is None:
                pos = pos + np.concatenate([40 * t, 0 * t, 10 * t], 1) * scale
            cols.append(pos)
        else:
            chans.append(rot)
        phase = rng.uniform(0, 2 * np.pi, 3)
        cols.append(amplitude * rng.uniform(0.2, 1.0, 3) * np.sin(2 * np.pi * 1.2 * t + phase))
    return skel, chans, np.concatenate(cols, 1)


def bvh_text(skel, chans, motion, scale=1.0, frame_time="0.0333333", end_sites=None) -> str:
    """The native text of a BVH file (tabs, one value per channel, End Sites on leaves)."""
    names = [n for n, _, _ in skel]
    children = {n: [c for c, p, _ in skel if p == n] for n in names}
    ends = end_sites if end_sites is not None else {n: (0.0, 0.0, 0.0) for n in names if not children[n]}
    lines = ["HIERARCHY"]

    def emit(j: int, depth: int) -> None:
        name, parent, off = skel[j]
        pad = "\t" * depth
        lines.append(f"{pad}{'ROOT' if parent is None else 'JOINT'} {name}")
        lines.append(f"{pad}{{")
        lines.append(f"{pad}\tOFFSET " + " ".join(f"{v * scale:.6f}" for v in off))
        lines.append(f"{pad}\tCHANNELS {len(chans[j])} " + " ".join(chans[j]))
        for c in children[name]:
            emit(names.index(c), depth + 1)
        if name in ends:
            lines.extend([f"{pad}\tEnd Site", f"{pad}\t{{", f"{pad}\t\tOFFSET " + " ".join(map(str, ends[name])),
                          f"{pad}\t}}"])  # fmt: skip
        lines.append(f"{pad}}}")

    emit(0, 0)
    lines += ["MOTION", f"Frames:\t{len(motion)}", f"Frame Time:\t{frame_time}"]
    lines += [" ".join(f"{v:.6f}" for v in row) for row in motion]
    return "\n".join(lines) + "\n"


def write_bvh_file(path: Path, kind="bandai", frames=12, seed=0, scale=1.0, **kw) -> Path:
    skel, chans, motion = make_bvh(kind, frames, seed, scale=scale, **kw)
    path.write_text(bvh_text(skel, chans, motion, scale=scale))
    return path


def reference_fk(skel, chans, motion):
    """Independent FK (scipy Euler angles, intrinsic in channel order) of a fixture: (F, J, 3) positions."""
    frames = len(motion)
    names = [n for n, _, _ in skel]
    glob, pos, col = {}, {}, 0
    for (name, parent, off), ch in zip(skel, chans):
        vals = motion[:, col : col + len(ch)]
        col += len(ch)
        trans = np.broadcast_to(np.array(off, float), (frames, 3)).copy()
        rot_axes, rot_vals = "", []
        for k, c in enumerate(ch):
            if c.endswith("position"):
                trans[:, "XYZ".index(c[0])] = vals[:, k]
            else:
                rot_axes += c[0]
                rot_vals.append(vals[:, k])
        local = Rotation.from_euler(rot_axes, np.stack(rot_vals, 1), degrees=True).as_matrix()
        if parent is None:
            glob[name], pos[name] = local, trans
        else:
            glob[name] = glob[parent] @ local
            pos[name] = pos[parent] + np.einsum("fab,fb->fa", glob[parent], trans)
    return np.stack([pos[n] for n in names], 1)


# ------------------------------------------------------------------------------------------------ reader / FK


@pytest.mark.parametrize("kind", ["bandai", "cmu", "mixamo"])
def test_forward_kinematics_matches_an_independent_euler_implementation(tmp_path, kind):
    skel, chans, motion = make_bvh(kind, frames=9, seed=3, amplitude=70.0)  # six rotation orders, large angles
    path = tmp_path / f"{kind}.bvh"
    path.write_text(bvh_text(skel, chans, motion))
    bvh = parse_bvh(path)
    assert bvh.names == tuple(n for n, _, _ in skel)
    assert bvh.num_frames == 9 and bvh.fps == 30.0  # 1 / 0.0333333 snapped
    pos, ends = forward_kinematics(bvh)
    np.testing.assert_allclose(pos, reference_fk(skel, chans, motion), atol=1e-4)  # text precision, cm
    assert ends.shape == (9, len(bvh.end_sites), 3)


def test_position_channels_replace_the_offset_and_end_sites_follow_the_joint(tmp_path):
    skel = [("Root", None, (0, 0, 0)), ("A", "Root", (10, 0, 0))]
    chans = [["Xposition", "Yposition", "Zposition", "Zrotation", "Xrotation", "Yrotation"],
             ["Xposition", "Yposition", "Zposition", "Zrotation", "Xrotation", "Yrotation"]]  # fmt: skip
    motion = np.array([[1.0, 2, 3, 90, 0, 0, 0, 5, 0, 0, 0, 0]])  # A at (0, 5, 0) in Root's frame, not its OFFSET
    path = tmp_path / "m.bvh"
    path.write_text(bvh_text(skel, chans, motion, end_sites={"A": (0.0, 0.0, 2.0)}))
    pos, ends = forward_kinematics(parse_bvh(path))
    np.testing.assert_allclose(pos[0, 1], [1 - 5, 2, 3], atol=1e-9)  # Root turned 90 deg about Z: +y -> -x
    np.testing.assert_allclose(ends[0, 0], [1 - 5, 2, 3 + 2], atol=1e-9)


@pytest.mark.parametrize(
    "mutate, line_of, message",
    [
        (lambda ls, m: ls[: m + 5], lambda ls, m: m + 5, "file ends after 2 of the 12 frames"),  # truncated
        (lambda ls, m: ls[: m + 4] + [ls[m + 4] + " 1.0"] + ls[m + 5 :], lambda ls, m: m + 5, "expected"),
        (lambda ls, m: ls[: m + 6] + [" ".join(ls[m + 6].split()[:-3])] + ls[m + 7 :], lambda ls, m: m + 7,
         "frame 3 has"),
        (lambda ls, m: ls + [ls[-1]], lambda ls, m: len(ls) + 1, r"line\(s\) after the 12 frames"),
        (lambda ls, m: ls[: m + 5] + [ls[m + 5].replace(ls[m + 5].split()[4], "nan", 1)] + ls[m + 6 :],
         lambda ls, m: m + 6, "NaN / inf"),
        (lambda ls, m: ls[: m + 5] + [ls[m + 5].replace(ls[m + 5].split()[4], "1.2.3", 1)] + ls[m + 6 :],
         lambda ls, m: m + 6, "expected a number"),
        (lambda ls, m: ls[:m] + ["MOTION", "Frames: x"] + ls[m + 2 :], lambda ls, m: m + 2, "must be an integer"),
        (lambda ls, m: ls[: m + 2] + ["Frame Time: 0"] + ls[m + 3 :], lambda ls, m: m + 3, "must be > 0"),
        (lambda ls, m: ls[: m - 1] + ls[m:], lambda ls, m: m, "not closed before MOTION"),
        (lambda ls, m: ls[:5] + ["\tCHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation"] + ls[6:],
         lambda ls, m: 6, "CHANNELS 6 lists"),
        (lambda ls, m: ls[:m], lambda ls, m: m, "no MOTION section"),
    ],
)  # fmt: skip
def test_malformed_files_are_refused_with_the_line_number(tmp_path, mutate, line_of, message):
    lines = bvh_text(*make_bvh("bandai")).splitlines()
    m = lines.index("MOTION")
    bad = mutate(lines, m)
    path = tmp_path / "bad.bvh"
    path.write_text("\n".join(bad) + "\n")
    with pytest.raises(ValueError, match=message) as err:
        parse_bvh(path)
    assert f"{path}:{line_of(lines, m)}:" in str(err.value)


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        parse_bvh(tmp_path / "nope.bvh")


# ------------------------------------------------------------------------------------------------ joint maps


@pytest.mark.parametrize("kind", ["bandai", "cmu", "mixamo"])
def test_builtin_maps_are_chosen_by_joint_names_and_place_the_h36m_joints(tmp_path, kind):
    path = write_bvh_file(tmp_path / f"{kind}.bvh", kind)
    bvh = parse_bvh(path)
    name, mapping = choose_joint_map(bvh)
    assert name == kind
    pos, ends = forward_kinematics(bvh)
    h36m = apply_joint_map(mapping, bvh, pos, ends, metre=100.0)
    idx = {n.split(":")[-1]: j for j, n in enumerate(bvh.names)}
    right_hip = "UpperLeg_R" if kind == "bandai" else "RightUpLeg"
    np.testing.assert_allclose(h36m[:, 1], pos[:, idx[right_hip]])
    if kind == "cmu":  # pelvis = mean of the hip joints, thorax = mean of the shoulders, head top = Head's End Site
        np.testing.assert_allclose(h36m[:, 0], (pos[:, idx["LeftUpLeg"]] + pos[:, idx["RightUpLeg"]]) / 2)
        np.testing.assert_allclose(h36m[:, 7], (h36m[:, 0] + h36m[:, 8]) / 2)
        np.testing.assert_allclose(h36m[:, 10], ends[:, sorted(bvh.end_sites).index(idx["Head"])])
    if kind == "bandai":  # head top 12 cm beyond Head along Neck -> Head
        np.testing.assert_allclose(np.linalg.norm(h36m[:, 10] - h36m[:, 9], axis=-1), 12.0, atol=1e-6)


def test_unknown_skeleton_is_refused_naming_its_joints(tmp_path):
    skel = [(n.replace("Head", "Kopf"), p and p.replace("Head", "Kopf"), o) for n, p, o in skeleton("cmu")]
    _, chans, motion = make_bvh("cmu")
    path = tmp_path / "odd.bvh"
    path.write_text(bvh_text(skel, chans, motion))
    with pytest.raises(ValueError, match=r"unknown skeleton .*'Kopf'.*--joint-map"):
        read_bvh_world(path)


def test_json_joint_map_for_other_skeletons_and_malformed_maps(tmp_path):
    skel = [(n.replace("Hips", "Pelvis0"), p and p.replace("Hips", "Pelvis0"), o) for n, p, o in skeleton("cmu")]
    _, chans, motion = make_bvh("cmu")
    path = tmp_path / "odd.bvh"
    path.write_text(bvh_text(skel, chans, motion))
    joints = dict(BUILTIN_MAPS["mixamo"], pelvis="Pelvis0", spine={"lerp": ["Pelvis0", "Neck"], "t": 0.4},
                  head={"end_site": "Head"})  # fmt: skip
    good = tmp_path / "map.json"
    good.write_text(json.dumps({"name": "my-rig", "joints": joints}))
    clip = read_bvh_world(path, joint_map=str(good))
    assert clip.joint_map == "my-rig" and clip.units == "cm"
    np.testing.assert_allclose(clip.joints[:, 7], clip.joints[:, 0] + 0.4 * (clip.joints[:, 8] - clip.joints[:, 0]))
    for broken, message in [
        ({"name": "x", "joints": {k: v for k, v in joints.items() if k != "head"}}, r"missing \['head'\]"),
        ({"name": "x", "joints": dict(joints, spine={"lerp": ["Pelvis0"], "t": 0.4})}, "joint spec"),
        ({"name": "x", "joints": dict(joints, head="NoSuchJoint")}, r"needs \['NoSuchJoint'\]"),
    ]:
        good.write_text(json.dumps(broken))
        with pytest.raises(ValueError, match=message):
            read_bvh_world(path, joint_map=str(good))
    with pytest.raises(FileNotFoundError, match="neither a built-in map"):
        read_bvh_world(path, joint_map=str(tmp_path / "none.json"))


# ------------------------------------------------------------------------------------------------ world frame


def test_world_frame_units_floor_and_frame_rate(tmp_path):
    skel, chans, motion = make_bvh("bandai", frames=30, amplitude=10.0)
    path = tmp_path / "walk.bvh"
    path.write_text(bvh_text(skel, chans, motion))
    clip = read_bvh_world(path)
    assert (clip.units, clip.joint_map, clip.fps, clip.name) == ("cm", "bandai", 30.0, "walk")
    # Y-up cm -> z-up metres: (x, y, z) -> (x, -z, y) / 100, then a constant shift (centring, floor)
    bvh = parse_bvh(path)
    pos, ends = forward_kinematics(bvh)
    raw = apply_joint_map(BUILTIN_MAPS["bandai"], bvh, pos, ends, metre=100.0) / 100.0
    expected = np.stack([raw[..., 0], -raw[..., 2], raw[..., 1]], -1)
    shift = clip.joints - expected
    np.testing.assert_allclose(shift, np.broadcast_to(shift[:1, :1], shift.shape), atol=1e-9)
    np.testing.assert_allclose(clip.joints[:, 0, :2].mean(0), 0.0, atol=1e-9)
    assert np.percentile(clip.joints[:, [3, 6], 2].min(1), 5) == pytest.approx(0.08)
    assert (clip.joints[:, 10, 2] > clip.joints[:, 0, 2] + 0.5).all()  # head above pelvis: z up


def test_units_auto_stated_and_ambiguous(tmp_path):
    metres = read_bvh_world(write_bvh_file(tmp_path / "m.bvh", scale=0.01))
    cm = read_bvh_world(write_bvh_file(tmp_path / "cm.bvh"))
    inch = read_bvh_world(write_bvh_file(tmp_path / "in.bvh", scale=1 / 2.54))
    assert (metres.units, cm.units, inch.units) == ("m", "cm", "inch")
    np.testing.assert_allclose(metres.joints, cm.joints, atol=1e-6)
    np.testing.assert_allclose(inch.joints, cm.joints, atol=1e-6)
    small = write_bvh_file(tmp_path / "small.bvh", scale=0.6)  # 0.85 m as cm, 2.2 m as inches: either
    with pytest.raises(ValueError, match=r"cannot tell the file's units.*--units"):
        read_bvh_world(small)
    assert read_bvh_world(small, units="inch").units == "inch"
    with pytest.raises(ValueError, match="looks like centimetres"):
        read_bvh_world(tmp_path / "cm.bvh", units="m")


def test_up_axis_is_checked(tmp_path):
    skel, chans, motion = make_bvh("cmu")
    z_up = [(n, p, (o[0], -o[2], o[1])) for n, p, o in skel]  # the same rest pose, Z up
    path = tmp_path / "zup.bvh"
    path.write_text(bvh_text(z_up, chans, motion * 0))  # rest pose: no rotation, root at the origin
    with pytest.raises(ValueError, match="--up-axis z"):
        read_bvh_world(path)
    clip = read_bvh_world(path, up_axis="z")
    assert clip.joints[0, 10, 2] > clip.joints[0, 0, 2] + 0.5
    with pytest.raises(ValueError, match="is the file Z-up"):
        read_bvh_world(write_bvh_file(tmp_path / "yup.bvh", "cmu"), up_axis="z")


def test_real_cameras_mark_frames_out_of_view_and_leave_out_blind_cameras(tmp_path):
    from auglift_hf.data.bvh.table import bvh_records
    from auglift_hf.data.h36m import H36M_TRAIN_SUBJECTS

    clip = read_bvh_world(write_bvh_file(tmp_path / "w.bvh", frames=40))
    far = dataclasses.replace(clip, name="far", joints=clip.joints + np.linspace(-6, 6, 40)[:, None, None] * [1, 0, 0])
    cams = make_cameras(subjects=H36M_TRAIN_SUBJECTS)
    for subject in H36M_TRAIN_SUBJECTS:  # the first camera of every subject looks away from the capture volume
        cams[(subject, "54138969")]["R"] = cams[(subject, "54138969")]["R"] * [-1, 1, -1]
    records, lookup, dropped = bvh_records([clip, far], dataset="bvh", cameras=cams, virtual_cameras=1)
    assert dropped == 2  # the blind camera, for both clips
    by_camera = {(r.action, r.camera): r.valid for r in records}
    assert set(by_camera) == {(a, c) for a in ("w", "far") for c in ("55011271", "58860488", "60457274", "virtual1")}
    assert by_camera[("w", "55011271")].all() and by_camera[("far", "virtual1")].all()
    assert 0 < by_camera[("far", "55011271")].mean() < 1  # walking 12 m through a 5 m camera ring
    assert set(lookup[("file bones", "55011271")]) >= {"R", "T", "k", "p"} and lookup[("file bones", "virtual1")] == {}


def test_retarget_onto_h36m_bone_lengths_keeps_bone_directions(tmp_path):
    clip = read_bvh_world(write_bvh_file(tmp_path / "w.bvh", frames=20))
    target = h36m_bone_lengths()
    out = retarget_bone_lengths(clip.joints, target)
    np.testing.assert_allclose(bone_lengths(out), np.broadcast_to(target, (20, 16)), atol=1e-9)
    from auglift_hf.skeleton import H36M_BONES

    child, parent = np.array(H36M_BONES).T
    unit = lambda x: (x[:, child] - x[:, parent]) / bone_lengths(x)[..., None]  # noqa: E731
    np.testing.assert_allclose(unit(out), unit(clip.joints), atol=1e-9)
    assert np.percentile(out[:, [3, 6], 2].min(1), 5) == pytest.approx(0.08)  # still on the floor


# ------------------------------------------------------------------------------------------------ table / CLI


def test_convert_bvh_command_line_builds_the_table(tmp_path, capsys):
    from datasets import load_dataset

    from auglift_hf.cli import main
    from auglift_hf.data.h36m import H36M_TRAIN_SUBJECTS
    from auglift_hf.preprocess.frame_rate import resampled_length

    folder = tmp_path / "mocap"
    (folder / "a").mkdir(parents=True)
    write_bvh_file(folder / "a" / "walk.bvh", frames=31)
    write_bvh_file(folder / "run.bvh", frames=16, seed=1)
    cams = write_pickle(tmp_path / "cameras.pkl", make_cameras(subjects=H36M_TRAIN_SUBJECTS))
    out = tmp_path / "table"
    code = main(["convert", "bvh", str(folder), "--cameras", str(cams), "--virtual-cameras", "1", "--bone-lengths",
                 "h36m", "--body-proportions", "1", "--fps", "25", "--simulate-detector", "--out", str(out),
                 "--no-progress"])  # fmt: skip
    assert code == 0
    frames = resampled_length(31, 30, 25) + resampled_length(16, 30, 25)
    rows = frames * 2 * 5  # two bodies (H36M bones + one re-proportioned copy), 4 real + 1 virtual camera
    assert f"[gt2d] train: {rows:,} rows" in capsys.readouterr().out
    ds = load_dataset(str(out), "gt2d", split="train").with_format("numpy")
    assert set(ds["dataset"]) == {"bandai"} and set(ds["action"]) == {"a/walk", "run"}
    assert set(ds["subject"]) == {"h36m bones", "h36m bones, proportions 1"}
    assert np.all(np.asarray(ds["fps"]) == 25.0)
    k3, k2 = np.asarray(ds["keypoints_3d"]), np.asarray(ds["keypoints_2d"])
    virtual = np.asarray(ds["camera"]) == "virtual1"
    f, c = np.asarray(ds["focal"])[virtual], np.asarray(ds["center"])[virtual]
    np.testing.assert_allclose(
        k2[virtual], k3[virtual, :, :2] / k3[virtual, :, 2:] * f[:, None] + c[:, None], atol=0.05
    )
    h36m = np.asarray(ds["subject"]) == "h36m bones"
    np.testing.assert_allclose(bone_lengths(k3[h36m]).mean(0), h36m_bone_lengths(), atol=1e-5)
    assert load_dataset(str(out), "detected2d", split="train").num_rows == rows
    front = (out / "README.md").read_text().split("---\n")[1]
    assert "license: cc-by-nc-4.0" in front and "research-only" not in front
    assert "CC BY-NC 4.0" in (out / "README.md").read_text()


def test_convert_bvh_refusals_write_nothing(tmp_path, capsys):
    from auglift_hf.cli import main

    good = write_bvh_file(tmp_path / "good.bvh")
    skel, chans, motion = make_bvh("cmu")
    odd = tmp_path / "odd.bvh"
    odd.write_text(bvh_text([(n + "_x", p and p + "_x", o) for n, p, o in skel], chans, motion))
    out = tmp_path / "out"
    cases = [
        ([str(good), str(odd), "--virtual-cameras", "1"], "unknown skeleton"),  # one bad file: no table at all
        ([str(good)], "no cameras"),
        ([str(tmp_path / "missing.bvh"), "--virtual-cameras", "1"], "no such BVH file"),
        ([str(good), "--virtual-cameras", "1", "--positions-3d", "x.npz"], "do not apply to bvh"),
    ]
    for args, message in cases:
        code = main(["convert", "bvh", *args, "--out", str(out), "--no-progress"])
        assert code in (2, 3) and message in capsys.readouterr().err
        assert not out.exists()
    assert main(["convert", "h36m", "a.npz", "--cameras", "c.pkl", "--joint-map", "cmu", "--out", str(out)]) == 2
    assert "--joint-map applies to bvh only" in capsys.readouterr().err


def test_licence_is_stated_or_unknown_for_other_skeletons(tmp_path):
    from auglift_hf.data.bvh import convert_bvh

    path = write_bvh_file(tmp_path / "cmu.bvh", "cmu")
    convert_bvh([path], tmp_path / "t1", virtual_cameras=1, progress=False)
    card = (tmp_path / "t1" / "README.md").read_text()
    assert "license: unknown" in card and "not stated" in card and "dataset: bvh" not in card
    convert_bvh([path], tmp_path / "t2", virtual_cameras=1, license="cc-by-4.0", progress=False)
    assert "license: cc-by-4.0" in (tmp_path / "t2" / "README.md").read_text()


# ------------------------------------------------------------------------------------------------ shared data


def test_shared_bandai_bvh_agree_with_the_h36m17_arrays(shared_data):
    """Every shared Bandai BVH file agrees with ``bandai_h36m17.npz`` to 1 mm on all 17 joints (the map uses the
    npz's joint definitions; the npz is in the BVH's Y-up frame, metres)."""
    folder = shared_data / "bandai" / "bvh"
    files = sorted(folder.glob("*.bvh"))
    assert files, folder
    npz = np.load(shared_data / "bandai" / "bandai_h36m17.npz")
    by_name = {k.rsplit("/", 1)[-1]: k for k in npz.files}
    for path in files:
        bvh = parse_bvh(path)
        name, mapping = choose_joint_map(bvh)
        assert name == "bandai"
        pos, ends = forward_kinematics(bvh)
        mine = apply_joint_map(mapping, bvh, pos, ends, metre=100.0) / 100.0
        ref = npz[by_name[path.name]]
        assert mine.shape == ref.shape
        assert np.linalg.norm(mine - ref, axis=-1).max() < 1e-3, path.name
        clip = read_bvh_world(path)
        assert (clip.units, clip.fps) == ("cm", 30.0)


def test_h36m_bone_lengths_are_those_of_the_shared_h36m_motion(shared_data):
    from auglift_hf.data.h36m import load_positions_3d
    from auglift_hf.skeleton import h36m32_to_17

    motion = load_positions_3d(shared_data / "h36m" / "data_3d_h36m_fk25.npz")
    joints = np.concatenate([h36m32_to_17(np.asarray(a, np.float64)) for s in motion.values() for a in s.values()])
    np.testing.assert_allclose(np.median(bone_lengths(joints), 0), h36m_bone_lengths(), atol=1e-4)
