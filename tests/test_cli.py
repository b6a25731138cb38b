import pytest

import auglift_hf
from auglift_hf.cli import COMMANDS, main


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert auglift_hf.__version__ in capsys.readouterr().out


def test_info_lists_models_and_joint_order(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    for model_type in auglift_hf.MODEL_TYPES:
        assert model_type in out
    assert "pelvis, r_hip" in out


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "usage: auglift " + command in capsys.readouterr().out


def test_bad_input_is_one_line_naming_the_file(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AUGLIFT_DEBUG", raising=False)
    missing = tmp_path / "nope.npz"
    code = main(
        ["convert", "h36m", "--positions-3d", str(missing), "--cameras", str(missing), "--out", str(tmp_path / "o")]
    )
    err = capsys.readouterr().err
    assert code == 3  # auglift_hf.errors: a named input does not exist
    assert err.startswith("auglift convert") and "error:" in err and "nope.npz" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()
