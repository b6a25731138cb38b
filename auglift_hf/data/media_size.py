"""Media frame size vs the size the cameras / annotations were made for (the dataset join).

The ground truth projected into a frame (``keypoints_2d``, the ``image_size`` of the records) is in the pixels of
the full-resolution media the dataset's cameras / annotations describe. A half-resolution clip or down-scaled
JPEGs put every projected keypoint at twice the frame's coordinates: detections would be associated with the
wrong boxes and rows would be ``valid`` with keypoints beyond the frame. Such media are refused, naming the file,
both sizes and where the expected size comes from.
"""

from __future__ import annotations

#: Largest relative difference of a side accepted (a few pixels of crop or padding, e.g. 1000x1000 vs 1000x1002).
SIZE_TOLERANCE = 0.02


def check_media_size(media_size: tuple[int, int], expected: tuple[int, int], media: str, source: str) -> None:
    """Refuse a frame of ``media_size`` ``(w, h)`` px when the records expect ``expected`` ``(w, h)``.

    ``media``: the media file; ``source``: where ``expected`` comes from (cameras file / annotations).
    Raises ``ValueError`` (one line) when a side differs by more than :data:`SIZE_TOLERANCE`.
    """
    (w, h), (ew, eh) = (int(v) for v in media_size), (int(v) for v in expected)
    if abs(w / ew - 1) > SIZE_TOLERANCE or abs(h / eh - 1) > SIZE_TOLERANCE:
        scale = f" (x{w / ew:.3g})" if abs(w / ew - h / eh) < 0.01 else ""
        raise ValueError(
            f"{media}: frames are {w}x{h} px but the ground truth of {source} (cameras / annotations) is for {ew}x{eh} "
            f"px images{scale}: its keypoints would lie outside the frame; use the full-resolution media"
        )
