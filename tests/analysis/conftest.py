import pytest


@pytest.fixture(scope="session")
def motion_table_pair(tmp_path_factory):
    """Two small procedural XYCD tables with different seeds (stand-ins for two datasets)."""
    from auglift_hf.training.quickstart import build_table, procedural_records

    root = tmp_path_factory.mktemp("analysis_tables")
    out = []
    for seed, name in ((0, "procA"), (1, "procB")):
        records = procedural_records(num_train=4, num_test=3, num_frames=40, seed=seed, progress=False)
        out.append(build_table(records, root / name, name, seed=seed, progress=False))
    return out
