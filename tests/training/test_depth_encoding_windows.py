"""Training windows use the lifter's depth encoding (issue 24 item 4): a lifter whose contract records AugLift's
codec must be trained on AugLift-encoded depth, since the saved processor feeds it that codec at inference."""

import numpy as np

from auglift_hf import PoseLiftingProcessor
from auglift_hf.contract import InputContract
from auglift_hf.data.schema import ID_COLUMNS
from auglift_hf.data.windows import _codes, column_numpy, load_frame_table
from auglift_hf.features.depth import AUGLIFT_SAMPLING, encode_depth
from auglift_hf.processing_lifting import uses_default_frame_encoding
from auglift_hf.training.data import window_dataset


def test_windows_follow_the_processors_depth_encoding(motion_table):
    channels = ("x", "y", "c", "d")  # the fixture table holds the point depth only
    contract = InputContract.metric(encoding="auglift", **AUGLIFT_SAMPLING).to_dict()
    auglift = PoseLiftingProcessor(input_channels=list(channels), **contract)
    package = PoseLiftingProcessor(input_channels=list(channels), **InputContract.metric().to_dict())
    assert not uses_default_frame_encoding(auglift) and uses_default_frame_encoding(package)
    ds = {
        name: window_dataset(motion_table, channels, window=1, split="train", processor=proc)
        for name, proc in (("auglift", auglift), ("package", package))
    }
    a, p = ds["auglift"].features, ds["package"].features  # (rows, 17, C), rows sorted by sequence and frame
    np.testing.assert_allclose(a[..., :3], p[..., :3], atol=1e-6)  # x, y, c do not depend on the depth codec
    assert not np.allclose(a[..., 3], p[..., 3])
    # the AugLift codec of the table's own descriptors, computed independently of the window code
    table = load_frame_table(motion_table, config="gt2d", split="train")
    order = np.lexsort(
        [column_numpy(table, "frame_index")]
        + [_codes(table, c) for c in reversed(ID_COLUMNS) if c in table.column_names]
    )
    names = ("d", "d_min", "d_max")[: len(channels) - 3]
    desc = np.stack([column_numpy(table, n, (17,))[order] for n in names], -1)
    want = encode_depth(desc, "auglift")
    for i, name in enumerate(names, start=3):
        np.testing.assert_allclose(a[..., i], want[name], atol=1e-5)
