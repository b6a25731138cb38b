"""Datasets: native readers -> canonical frame table (Parquet / ``datasets``) -> temporal windows for training.

Readers (:mod:`.h36m`, :mod:`.mpi_inf_3dhp`, :mod:`.pw3d`, :mod:`.fit3d`) produce
:class:`SequenceRecord` s in camera coordinates and H36M-17 order; :func:`write_frame_table` writes them as
Parquet shards with a dataset card (:mod:`.schema`, :mod:`.card`); :class:`PoseWindowDataset` serves centred
temporal windows; :class:`MixedWindowDataset` mixes datasets for training.
"""

from ..utils.lazy import lazy_getattr

#: name -> submodule, imported on first access (keeps ``auglift <command> --help`` fast)
_LAZY = {
    "convert_fit3d": "fit3d",
    "read_fit3d": "fit3d",
    "H36M_TEST_SUBJECTS": "h36m",
    "H36M_TRAIN_SUBJECTS": "h36m",
    "convert_h36m": "h36m",
    "read_h36m_mmpose": "h36m",
    "read_h36m_positions_3d": "h36m",
    "MixedWindowDataset": "mixing",
    "WeightedDatasetSampler": "mixing",
    "convert_3dhp": "mpi_inf_3dhp",
    "read_3dhp_mmpose": "mpi_inf_3dhp",
    "read_3dhp_root": "mpi_inf_3dhp",
    "read_3dhp_test_sequence": "mpi_inf_3dhp",
    "read_3dhp_train_sequence": "mpi_inf_3dhp",
    "convert_3dpw": "pw3d",
    "read_3dpw_root": "pw3d",
    "read_3dpw_sequence": "pw3d",
    "DETECTED2D_CONFIG": "schema",
    "GT2D_CONFIG": "schema",
    "SequenceRecord": "schema",
    "frame_features": "schema",
    "write_frame_table": "schema",
    "PoseWindowDataset": "windows",
    "load_frame_table": "windows",
}


__getattr__ = lazy_getattr(__name__, _LAZY)


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
