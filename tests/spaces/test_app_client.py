"""gradio_client against a local launch (127.0.0.1, random free port), one test per API endpoint."""

import pytest

gradio_client = pytest.importorskip("gradio_client")


@pytest.fixture(scope="module")
def client(launched, tmp_path_factory):
    # Downloads go to a pytest temp dir, not gradio_client's default (hash-named folders directly under /tmp).
    return gradio_client.Client(launched, verbose=False, download_files=tmp_path_factory.mktemp("client-downloads"))


def test_api_lists_every_endpoint(client):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/lift_keypoints", "/lift_image", "/lift_video", "/show_frame"} <= names


def test_lift_keypoints_then_show_frame(client, keypoints_file):
    out = client.predict(
        gradio_client.handle_file(str(keypoints_file)), "poseformer-xycd", "poseformer-xy", 640, 480,
        api_name="/lift_keypoints",
    )  # fmt: skip
    status, overlay, depth, left, right, files, slider = out
    assert status.startswith("Lifted 6 frame(s)"), status
    assert overlay and depth is None and left and right
    assert sorted(f.rsplit(".", 1)[1] for f in (x if isinstance(x, str) else x["path"] for x in files)) == [
        "bvh", "bvh", "json", "json", "npz", "npz"
    ]  # fmt: skip
    assert "frame 0" in str(left)
    overlay2, _, left2, right2 = client.predict(4, api_name="/show_frame")
    assert overlay2 and "frame 4" in str(left2) and "frame 4" in str(right2)


def test_keypoints_without_image_size_are_refused(client, keypoints_file):
    """An AlphaPose file has no image size: the Space asks for it instead of guessing it from the keypoints."""
    status = client.predict(
        gradio_client.handle_file(str(keypoints_file)), "poseformer-xy", None, api_name="/lift_keypoints"
    )[0]
    assert status.startswith("**Error:**") and "image width and height" in status, status


def test_invalid_and_oversize_keypoints(client, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    status = client.predict(gradio_client.handle_file(str(bad)), "poseformer-xy", None, api_name="/lift_keypoints")[0]
    assert status.startswith("**Error:**") and "not valid JSON" in status
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (5 * 1024 * 1024 + 10))
    status = client.predict(gradio_client.handle_file(str(big)), "poseformer-xy", None, api_name="/lift_keypoints")[0]
    assert "limit is 5 MB" in status


def test_lift_image_offline_says_so(client, tmp_path):
    import numpy as np
    from PIL import Image

    path = tmp_path / "person.png"
    Image.fromarray(np.full((64, 48, 3), 200, dtype=np.uint8)).save(path)
    status = client.predict(gradio_client.handle_file(str(path)), "poseformer-xy", None, api_name="/lift_image")[0]
    assert status.startswith("**Error:**")
    assert "not available" in status and "keypoints JSON" in status


def test_lift_video_rejects_invalid(client, tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"not a video")
    try:
        out = client.predict(
            {"video": gradio_client.handle_file(str(path))}, "poseformer-xy", None, api_name="/lift_video"
        )
        status = out[0]
    except Exception as err:  # gradio may refuse the upload itself
        status = f"**Error:** {err}"
    assert status.startswith("**Error:**")
    # still responsive afterwards
    assert client.predict(0, api_name="/show_frame") is not None
