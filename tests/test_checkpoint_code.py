"""The remote-code files shipped inside ``checkpoints/*`` must be the package's current model code.

``save_pretrained`` copies ``configuration_*.py`` / ``modeling_*.py`` next to the weights for
``trust_remote_code`` users; if the package's model code changes, the shipped copies must be refreshed
(re-save the folders) or users without ``auglift_hf`` would run different code.
"""

import json
from pathlib import Path

import pytest

import auglift_hf.models

ROOT = Path(__file__).resolve().parents[1]
MODELS = Path(auglift_hf.models.__file__).parent
SHIPPED = sorted(p for p in (ROOT / "checkpoints").glob("*") if (p / "config.json").is_file())


def test_checkpoints_are_shipped():
    names = {p.name for p in SHIPPED}
    assert {"poseformer-xy", "poseformer-xycd"} <= names


@pytest.mark.parametrize("folder", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_code_matches_package(folder: Path):
    config = json.loads((folder / "config.json").read_text())
    auto_map = config.get("auto_map", {})
    assert {"AutoConfig", "AutoModel"} <= set(auto_map), f"{folder.name}: auto_map incomplete: {auto_map}"
    for ref in auto_map.values():
        module = ref.split(".")[0]  # e.g. "modeling_poseformer"
        shipped = folder / f"{module}.py"
        family = module.split("_", 1)[1]
        source = MODELS / family / f"{module}.py"
        assert shipped.is_file(), f"{folder.name}: {shipped.name} missing"
        assert shipped.read_text() == source.read_text(), f"{folder.name}/{shipped.name} differs from {source}"
    assert not list(folder.glob("*.bin")) and not list(folder.glob("*.pkl")), f"{folder.name}: pickle files shipped"
