"""Datasets: native readers -> canonical frame table (Parquet / ``datasets``) -> temporal windows for training.

Readers (:mod:`.h36m`, :mod:`.mpi_inf_3dhp`, :mod:`.pw3d`, :mod:`.fit3d`) produce
:class:`SequenceRecord` s in camera coordinates and H36M-17 order; :func:`write_frame_table` writes them as
Parquet shards with a dataset card (:mod:`.schema`, :mod:`.card`); :class:`PoseWindowDataset` serves centred
temporal windows; :class:`MixedWindowDataset` mixes datasets for training.
"""

from .fit3d import convert_fit3d, read_fit3d
from .h36m import H36M_TEST_SUBJECTS, H36M_TRAIN_SUBJECTS, convert_h36m, read_h36m_mmpose, read_h36m_positions_3d
from .mixing import MixedWindowDataset, WeightedDatasetSampler
from .mpi_inf_3dhp import (
    convert_3dhp,
    read_3dhp_mmpose,
    read_3dhp_root,
    read_3dhp_test_sequence,
    read_3dhp_train_sequence,
)
from .pw3d import convert_3dpw, read_3dpw_root, read_3dpw_sequence
from .schema import DETECTED2D_CONFIG, GT2D_CONFIG, SequenceRecord, frame_features, write_frame_table
from .windows import PoseWindowDataset, load_frame_table

__all__ = [
    "DETECTED2D_CONFIG",
    "GT2D_CONFIG",
    "H36M_TEST_SUBJECTS",
    "H36M_TRAIN_SUBJECTS",
    "MixedWindowDataset",
    "PoseWindowDataset",
    "SequenceRecord",
    "WeightedDatasetSampler",
    "convert_3dhp",
    "convert_3dpw",
    "convert_fit3d",
    "convert_h36m",
    "frame_features",
    "load_frame_table",
    "read_3dhp_mmpose",
    "read_3dhp_root",
    "read_3dhp_test_sequence",
    "read_3dhp_train_sequence",
    "read_3dpw_root",
    "read_3dpw_sequence",
    "read_fit3d",
    "read_h36m_mmpose",
    "read_h36m_positions_3d",
    "write_frame_table",
]
