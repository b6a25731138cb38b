"""Tracking through re-entry and the choice of the subject (``--person auto``)."""

from __future__ import annotations

import logging

import numpy as np

from auglift_hf.preprocess import tracking
from auglift_hf.preprocess.testing import coco_pose
from auglift_hf.preprocess.tracking import MAX_AGE, assign_tracks, choose_track

IMAGE = (320, 240)  # (w, h)


def _scene(gone: range = range(30, 50), n: int = 80):
    """Rows of a sequence: a subject (box ~96 px tall, walking right at 0.5 px / frame) absent in ``gone`` (it
    walks behind a pillar and comes back where it left), and a small bystander (~29 px tall) standing in the
    corner in every frame. Returns frames, boxes, keypoints (COCO-17 px), scores, is-subject flags."""
    frames, boxes, kps, who = [], [], [], []
    base = coco_pose(0.0) - [60.0, 48.0]  # centred on (0, 0), ~72 px tall
    for f in range(n):
        people = [("bystander", base * 0.3 + [290.0, 40.0])]
        if f not in gone:
            people.insert(0, ("subject", base * 1.2 + [120.0 + 0.5 * f, 130.0]))
        for name, kp in people:
            lo, hi = kp.min(0), kp.max(0)
            pad = 0.1 * (hi - lo)
            frames.append(f)
            boxes.append(np.r_[lo - pad, hi + pad])
            kps.append(kp)
            who.append(name == "subject")
    r = len(frames)
    return np.array(frames), np.array(boxes), np.array(kps), np.full((r, 17), 0.9), np.array(who)


def test_reentering_subject_is_one_track_and_wins_over_a_small_bystander_seen_throughout(caplog):
    """Gone for 20 frames (> MAX_AGE): the greedy IoU tracker gave it a new id, and the longest track (the
    bystander, 80 frames against 30 + 30) was lifted (failed before: the bystander won)."""
    frames, boxes, kps, ks, subject = _scene()
    assert len(range(30, 50)) > MAX_AGE
    tracks = assign_tracks(frames, boxes, np.ones(len(frames), bool))  # position and size only
    with caplog.at_level(logging.WARNING, logger="auglift_hf.preprocess.tracking"):
        chosen = choose_track(tracks, boxes, np.full(len(tracks), 0.9), IMAGE)
    assert chosen != tracks[~subject][0], "the bystander was chosen"
    assert (tracks[subject] == chosen).all()  # both appearances: one person, lifted whole
    assert set(tracks[subject].tolist()).isdisjoint(tracks[~subject].tolist())
    assert f"lifting track {chosen} (60 frames" in caplog.text and tracking.SUBJECT_RULE in caplog.text
    assert f"runner-up track {tracks[~subject][0]} (80 frames" in caplog.text
    with_pose = assign_tracks(frames, boxes, np.ones(len(frames), bool), keypoints=kps, keypoint_scores=ks)
    np.testing.assert_array_equal(with_pose, tracks)  # the pose agrees: same answer


def test_area_rule_prefers_the_subject_even_when_the_fragments_stay_apart():
    """Without re-association (``link=False``) the area x frames rule still does not pick the bystander."""
    frames, boxes, kps, ks, subject = _scene()
    tracks = assign_tracks(frames, boxes, np.ones(len(frames), bool), link=False)
    assert len(set(tracks[subject].tolist())) == 2
    ranked = tracking.rank_tracks(tracks, boxes, np.ones(len(tracks)), IMAGE)
    assert ranked[0]["track"] in set(tracks[subject].tolist()) and ranked[-1]["track"] == tracks[~subject][0]
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) / (IMAGE[0] * IMAGE[1])
    by = ranked[-1]
    assert by["frames"] == 80 and np.isclose(by["mean_box_area"], area[~subject].mean())
    assert np.isclose(by["area_x_frames"], area[~subject].sum())


def test_people_seen_together_are_never_joined_and_far_or_resized_reentries_stay_apart():
    frames, boxes, kps, ks, subject = _scene()
    tracks = assign_tracks(frames, boxes, np.ones(len(frames), bool), keypoints=kps, keypoint_scores=ks)
    assert len(set(tracks.tolist())) == 2
    # the second appearance 3 box heights to the right (came back elsewhere): not the same person by position
    moved = boxes.copy()
    late = subject & (frames >= 50)
    moved[late] += [300.0, 0.0, 300.0, 0.0]
    far = assign_tracks(frames, moved, np.ones(len(frames), bool), keypoints=kps + (late[:, None, None] * [300, 0]))
    assert len(set(far.tolist())) == 3
    # twice the size: a different person (or the camera zoomed); kept apart
    big = boxes.copy()
    c = (big[late, :2] + big[late, 2:]) / 2
    big[late] = np.c_[c - (big[late, 2:] - big[late, :2]), c + (big[late, 2:] - big[late, :2])]
    assert len(set(assign_tracks(frames, big, np.ones(len(frames), bool)).tolist())) == 3
    # away longer than LINK_MAX_GAP frames: a new person as far as an appearance-free tracker can tell
    gap = tracking.LINK_MAX_GAP
    frames, boxes, kps, ks, subject = _scene(gone=range(30, 31 + gap), n=60 + gap)
    assert len(set(assign_tracks(frames, boxes, np.ones(len(frames), bool)).tolist())) == 3
    frames, boxes, kps, ks, subject = _scene(gone=range(30, 29 + gap), n=60 + gap)
    assert len(set(assign_tracks(frames, boxes, np.ones(len(frames), bool)).tolist())) == 2


def test_pose_disagreement_blocks_a_link():
    """Same place and size but a different pose (lying instead of standing): not continued."""
    frames, boxes, kps, ks, subject = _scene()
    late = subject & (frames >= 50)
    lying = kps.copy()
    centre = kps[late].mean(1, keepdims=True)
    lying[late] = (kps[late] - centre)[..., ::-1] + centre  # the pose rotated by 90 degrees in its box
    tracks = assign_tracks(frames, boxes, np.ones(len(frames), bool), keypoints=lying, keypoint_scores=ks)
    assert len(set(tracks[subject].tolist())) == 2


def test_link_tracklets_renumbers_by_first_appearance_and_keeps_invalid_rows():
    frames = np.array([0, 0, 1, 30, 31, 31])
    boxes = np.array([[0, 0, 10, 40], [100, 0, 110, 40], [0, 0, 10, 40], [1, 0, 11, 40], [1, 0, 11, 40], [0] * 4])
    tracks = np.array([5, 2, 5, 7, 7, -1])
    out = tracking.link_tracklets(tracks, frames, boxes)
    assert out.tolist() == [0, 1, 0, 0, 0, -1]
