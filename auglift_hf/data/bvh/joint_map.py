"""Named joint maps from BVH skeletons to H36M-17, and their evaluation on forward-kinematics positions.

A map gives, for each of the 17 H36M joints (:data:`auglift_hf.skeleton.H36M_JOINT_NAMES`), how to place it
from the BVH skeleton. JSON form (``auglift convert bvh --joint-map my_rig.json``)::

    {"name": "my-rig",
     "joints": {
        "pelvis": "Hips",                                  # a joint's position
        "thorax": {"mean": ["LeftArm", "RightArm"]},       # the mean of joints
        "spine": {"lerp": ["Hips", "Neck"], "t": 0.5},     # A + t (B - A)
        "head": {"end_site": "Head"},                      # a joint's End Site
        "head": {"extend": ["Neck", "Head"], "by": 0.12},  # B + `by` metres along A -> B
        ...all 17...}}

Names match case-insensitively and without a namespace prefix (``mixamorig:LeftArm`` is ``LeftArm``).

Built-in maps (:data:`BUILTIN_MAPS`; the first whose joints all exist in a file is used, in this order):

* ``auglift``: files written by ``auglift export bvh`` (:mod:`auglift_hf.export.bvh`): joints named after the
  H36M joints themselves.
* ``bandai``: the Bandai Namco Research Motion Dataset skeleton (``joint_Root``, ``Hips``, ``UpperLeg_L``, ...).
  Pelvis = ``Hips``; hips / knees / ankles = ``UpperLeg`` / ``LowerLeg`` / ``Foot``; spine = ``Spine`` (16 cm
  above the hips); thorax = ``Neck`` (the base of the neck, between the shoulders, where H36M's thorax is);
  neck/nose = ``Head`` (the head joint at the top of the neck); head top = 12 cm beyond ``Head`` along
  ``Neck`` -> ``Head`` (its End Site has a zero offset; H36M's neck/nose -> head bone is 11.5 cm for S1);
  shoulders / elbows / wrists = ``UpperArm`` / ``LowerArm`` / ``Hand`` (``Shoulder`` is the clavicle root).
  These are the definitions of ``../shared/data/bandai/bandai_h36m17.npz``.
* ``mixamo``: Mixamo-style rigs (``Hips``, ``Spine``, ``Spine1``, ``Spine2``, ``Neck``, ``Head``,
  ``HeadTop_End``, ``LeftArm``...). Pelvis = ``Hips``; hips / knees / ankles = ``UpLeg`` / ``Leg`` / ``Foot``;
  spine = ``Spine1`` (the middle of Mixamo's three spine joints); thorax = ``Neck``; neck/nose = ``Head``;
  head top = ``HeadTop_End``; shoulders / elbows / wrists = ``Arm`` / ``ForeArm`` / ``Hand``.
* ``cmu``: CMU-style naming (the CMU Graphics Lab database's BVH conversions and LaFAN1: ``Hips``,
  ``LeftUpLeg``, ``LeftLeg``, ``LeftFoot``, ``Neck``, ``Head``, ``LeftArm``, ...). As ``../shared/data/cmu``:
  hips / knees / ankles = ``UpLeg`` / ``Leg`` / ``Foot``; shoulders / elbows / wrists = ``Arm`` / ``ForeArm`` /
  ``Hand``; pelvis = the mean of the two hip joints (CMU's ``Hips`` sits at the hip joints' height); thorax =
  the mean of the shoulders; spine = halfway between pelvis and thorax (CMU's spine joints sit lower than
  H36M's); neck/nose = ``Head`` (the top of the neck); head top = ``Head``'s End Site.

The output is the H36M-17 positions in the file's own units and axes (metres and the z-up world come later,
:mod:`auglift_hf.data.bvh.table`); ``extend`` distances are metres, converted with the file's scale.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from ...skeleton import H36M_JOINT_NAMES
from .reader import BVHMotion

_SIDES = (("r_", "Right", "_R"), ("l_", "Left", "_L"))


def _bandai() -> dict[str, Any]:
    m: dict[str, Any] = {"pelvis": "Hips", "spine": "Spine", "thorax": "Neck", "neck": "Head"}
    m["head"] = {"extend": ["Neck", "Head"], "by": 0.12}
    for h, _, suffix in _SIDES:
        m.update({f"{h}hip": f"UpperLeg{suffix}", f"{h}knee": f"LowerLeg{suffix}", f"{h}ankle": f"Foot{suffix}"})
        m.update({f"{h}shoulder": f"UpperArm{suffix}", f"{h}elbow": f"LowerArm{suffix}", f"{h}wrist": f"Hand{suffix}"})
    return m


def _limbs(m: dict[str, Any]) -> dict[str, Any]:
    for h, side, _ in _SIDES:
        m.update({f"{h}hip": f"{side}UpLeg", f"{h}knee": f"{side}Leg", f"{h}ankle": f"{side}Foot"})
        m.update({f"{h}shoulder": f"{side}Arm", f"{h}elbow": f"{side}ForeArm", f"{h}wrist": f"{side}Hand"})
    return m


def _mixamo() -> dict[str, Any]:
    return _limbs({"pelvis": "Hips", "spine": "Spine1", "thorax": "Neck", "neck": "Head", "head": "HeadTop_End"})


def _cmu() -> dict[str, Any]:
    m = _limbs({"neck": "Head", "head": {"end_site": "Head"}})
    m["pelvis"] = {"mean": ["LeftUpLeg", "RightUpLeg"]}
    m["thorax"] = {"mean": ["LeftArm", "RightArm"]}
    m["spine"] = {"mean": ["LeftUpLeg", "RightUpLeg", "LeftArm", "RightArm"]}  # halfway pelvis -> thorax
    return m


#: Built-in maps, tried in this order (module docstring).
BUILTIN_MAPS: dict[str, dict[str, Any]] = {
    "auglift": {name: name for name in H36M_JOINT_NAMES},
    "bandai": _bandai(),
    "mixamo": _mixamo(),
    "cmu": _cmu(),
}


def _key(name: str) -> str:
    return name.rsplit(":", 1)[-1].lower()


def _references(spec: Any, where: str) -> list[tuple[str, bool]]:
    """``(joint name, is_end_site)`` referenced by one joint spec; ``ValueError`` for a malformed spec."""
    if isinstance(spec, str):
        return [(spec, False)]
    if isinstance(spec, list) and spec and all(isinstance(s, str) for s in spec):
        return [(s, False) for s in spec]
    if isinstance(spec, Mapping):
        mean = spec.get("mean")
        if set(spec) == {"mean"} and isinstance(mean, list) and mean and all(isinstance(s, str) for s in mean):
            return [(s, False) for s in mean]
        if set(spec) == {"end_site"} and isinstance(spec["end_site"], str):
            return [(spec["end_site"], True)]
        for key, param in (("lerp", "t"), ("extend", "by")):
            if set(spec) == {key, param}:
                pair, value = spec[key], spec[param]
                if (
                    isinstance(pair, list) and len(pair) == 2 and all(isinstance(s, str) for s in pair)
                    and isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value)
                ):  # fmt: skip
                    return [(pair[0], False), (pair[1], False)]
    return _bad(spec, where)


def _bad(spec: Any, where: str) -> list:
    raise ValueError(
        f'{where}: joint spec {spec!r} is not one of "Name", {{"mean": [names]}}, {{"end_site": name}}, '
        '{"lerp": [A, B], "t": number}, {"extend": [A, B], "by": metres}'
    )


def check_joint_map(mapping: Any, where: str = "joint map") -> dict[str, Any]:
    """Validate a map ``{h36m joint name: spec}``: all 17 joints, nothing else, well-formed specs."""
    if not isinstance(mapping, Mapping):
        raise ValueError(f"{where}: a joint map must be an object {{h36m joint: spec}}, got {type(mapping).__name__}")
    missing = [n for n in H36M_JOINT_NAMES if n not in mapping]
    extra = [n for n in mapping if n not in H36M_JOINT_NAMES]
    if missing or extra:
        raise ValueError(
            f"{where}: a joint map needs exactly the 17 H36M joints {list(H36M_JOINT_NAMES)}; missing {missing}, "
            f"unknown {extra}"
        )
    for name in H36M_JOINT_NAMES:
        _references(mapping[name], f"{where}: {name}")
    return {n: mapping[n] for n in H36M_JOINT_NAMES}


def load_joint_map(path: str | os.PathLike) -> tuple[str, dict[str, Any]]:
    """A JSON joint map file -> ``(name, map)`` (module docstring for the format)."""
    src = os.fspath(path)
    with open(src, encoding="utf-8") as fh:
        try:
            data = json.load(fh)
        except json.JSONDecodeError as err:
            raise ValueError(f"{src}: not valid JSON ({err})") from None
    if not isinstance(data, Mapping) or "joints" not in data:
        raise ValueError(f'{src}: a joint map file is {{"name": ..., "joints": {{h36m joint: spec}}}}')
    name = data.get("name") or os.path.splitext(os.path.basename(src))[0]
    if not isinstance(name, str):
        raise ValueError(f"{src}: `name` must be a string")
    return name, check_joint_map(data["joints"], src)


def _missing(mapping: Mapping[str, Any], bvh: BVHMotion) -> list[str]:
    names = {_key(n): j for j, n in enumerate(bvh.names)}
    out = []
    for h36m in H36M_JOINT_NAMES:
        for ref, end in _references(mapping[h36m], h36m):
            j = names.get(_key(ref))
            if j is None or (end and j not in bvh.end_sites):
                out.append(f"{ref} (End Site)" if end and j is not None else ref)
    return sorted(set(out))


def choose_joint_map(bvh: BVHMotion, joint_map: str | Mapping[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """The map for ``bvh``: ``joint_map`` (a built-in name, a JSON file path or a map), or the first built-in map
    whose joints all exist in the file. ``ValueError`` naming the file's joints when none fits."""
    if isinstance(joint_map, Mapping):
        name, mapping = "custom", check_joint_map(joint_map)
    elif isinstance(joint_map, str) and joint_map in BUILTIN_MAPS:
        name, mapping = joint_map, BUILTIN_MAPS[joint_map]
    elif joint_map is not None:
        if not os.path.isfile(os.fspath(joint_map)):
            raise FileNotFoundError(
                f"--joint-map {joint_map}: neither a built-in map ({', '.join(BUILTIN_MAPS)}) nor an existing file"
            )
        name, mapping = load_joint_map(joint_map)
    else:
        for name, mapping in BUILTIN_MAPS.items():
            if not _missing(mapping, bvh):
                return name, mapping
        raise ValueError(
            f"{bvh.source}: unknown skeleton (no built-in joint map fits: {', '.join(BUILTIN_MAPS)}); its joints are "
            f"{list(bvh.names)}; pass --joint-map file.json (auglift_hf.data.bvh.joint_map)"
        )
    missing = _missing(mapping, bvh)
    if missing:
        raise ValueError(
            f"{bvh.source}: joint map {name!r} needs {missing}, not in the file; its joints are {list(bvh.names)}"
        )
    return name, mapping


def apply_joint_map(
    mapping: Mapping[str, Any], bvh: BVHMotion, joints: np.ndarray, end_sites: np.ndarray, metre: float
) -> np.ndarray:
    """H36M-17 positions ``(F, 17, 3)`` from forward-kinematics ``joints (F, J, 3)`` and ``end_sites (F, E, 3)``
    (:func:`~auglift_hf.data.bvh.reader.forward_kinematics`), in file units; ``metre`` = file units per metre."""
    names = {_key(n): j for j, n in enumerate(bvh.names)}
    end_index = {j: k for k, j in enumerate(sorted(bvh.end_sites))}
    out = np.empty(joints.shape[:1] + (len(H36M_JOINT_NAMES), 3))

    def at(name: str) -> np.ndarray:
        return joints[:, names[_key(name)]]

    for i, h36m in enumerate(H36M_JOINT_NAMES):
        spec = mapping[h36m]
        if isinstance(spec, str):
            out[:, i] = at(spec)
        elif isinstance(spec, list):
            out[:, i] = np.mean([at(s) for s in spec], axis=0)
        elif "mean" in spec:
            out[:, i] = np.mean([at(s) for s in spec["mean"]], axis=0)
        elif "end_site" in spec:
            out[:, i] = end_sites[:, end_index[names[_key(spec["end_site"])]]]
        elif "lerp" in spec:
            a, b = (at(s) for s in spec["lerp"])
            out[:, i] = a + float(spec["t"]) * (b - a)
        else:
            a, b = (at(s) for s in spec["extend"])
            d = b - a
            out[:, i] = b + float(spec["by"]) * metre * d / np.maximum(np.linalg.norm(d, axis=-1, keepdims=True), 1e-9)
    return out


__all__ = ["BUILTIN_MAPS", "apply_joint_map", "check_joint_map", "choose_joint_map", "load_joint_map"]
