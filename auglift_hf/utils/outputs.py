"""Output safety shared by every command: an output is never an input, and only files auglift wrote are replaced.

Two rules, one place (used by ``lift``, ``export``, ``evaluate``, ``preprocess``, ``convert`` and
``convert-checkpoint``):

1. **An output path is never an input.** :func:`check_not_input` refuses an output that *is* one of the command's
   input files (same file after resolving links), lies inside a lifter folder (a folder with ``config.json`` and
   ``model.safetensors`` / ``pytorch_model.bin``), or is a folder that holds an input.
2. **Only manifest files are replaced.** Every output folder gets a manifest, :data:`MANIFEST`
   (``.auglift_manifest.json``), listing the files auglift wrote there. Any other file is *foreign* (the
   user's notes, a ``.git`` folder, a README written by hand) and is never deleted or replaced:

   - an existing folder with foreign files is refused (:class:`~auglift_hf.errors.OutputError`, exit 4) unless
     ``overwrite``; with ``overwrite`` the command writes beside them and they are kept;
   - a foreign file at a path the command writes (e.g. the user's ``README.md`` where the dataset card goes) is
     refused even with ``overwrite``;
   - ``overwrite`` replaces manifest files only.

Folders written before the manifest existed are recognised by the caller's ``legacy`` set of the names it
writes (e.g. a frame table's ``README.md``, ``gt2d/``, ``detected2d/``, marker).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

#: Name of the manifest written into every output folder (relative paths of the files auglift wrote there).
MANIFEST = ".auglift_manifest.json"
#: auglift's own temporaries (:mod:`auglift_hf.utils.io`: ``.<name>.<pid>.<random>.tmp``, write tests): never
#: foreign (a live writer's, or a killed one's that the next write removes).
_TEMPORARY = re.compile(r"^\.(.+\.\d+\.\w+\.tmp|write-test-\w+)$")
#: Files named in an error message before "and N more".
_SHOWN = 3


def _error(message: str) -> Exception:
    from ..errors import OutputError

    return OutputError(message)


def _resolved(path: str | os.PathLike) -> Path:
    return Path(os.path.abspath(os.path.realpath(os.fspath(path))))


def is_model_folder(folder: Path) -> bool:
    """A saved lifter / transformers model folder (``config.json`` with weights)."""
    return (folder / "config.json").is_file() and any(
        (folder / name).exists() for name in ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json")
    )


def check_not_input(
    out: str | os.PathLike,
    inputs: Iterable[str | os.PathLike | None] = (),
    *,
    what: str = "--out",
    is_model_output: bool = False,
) -> None:
    """Refuse an output path that is an input, lies inside a model folder, or is a folder that holds an input.

    ``inputs`` are the command's input files and folders (``None`` entries are skipped; Hub ids that are not
    local paths are ignored). ``is_model_output``: the output is itself a model folder (``convert-checkpoint``), so
    only folders *above* it count as model folders. Raises :class:`~auglift_hf.errors.OutputError` naming both
    paths; nothing is written.
    """
    target = _resolved(out)
    for ancestor in list(target.parents) if is_model_output else [target, *target.parents]:
        if ancestor.is_dir() and is_model_folder(ancestor):
            raise _error(f"{what} {out} is inside the model folder {ancestor}; write outputs elsewhere")
    for given in inputs:
        if given is None or not os.path.exists(os.fspath(given)):
            continue
        source = _resolved(given)
        if target == source:
            raise _error(f"{what} {out} is the input {given}; choose another output path (the input is kept)")
        if target in source.parents:
            raise _error(f"{what} {out} would hold the input {given}; choose another output folder")


# ------------------------------------------------------------------------------------------------ manifest


def read_manifest(folder: str | os.PathLike) -> set[str] | None:
    """Relative POSIX paths auglift wrote into ``folder`` (``None``: no manifest, or one that is not ours)."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return set(files)


def _files(folder: Path) -> list[str]:
    """Relative POSIX paths of every file and symlink under ``folder`` (empty folders listed with a trailing /)."""
    out = []
    for root, dirs, files in os.walk(folder):
        rel = Path(root).relative_to(folder)
        for name in files + [d for d in dirs if (Path(root) / d).is_symlink()]:
            out.append((rel / name).as_posix())
        if not dirs and not files and Path(root) != folder:
            out.append(rel.as_posix() + "/")
    return sorted(out)


def _legacy_ours(rel: str, legacy: Iterable[str]) -> bool:
    from fnmatch import fnmatchcase

    top = rel.split("/", 1)[0]
    return any(fnmatchcase(rel, name) or (name.endswith("/") and fnmatchcase(top, name[:-1])) for name in legacy)


def foreign_files(folder: str | os.PathLike, legacy: Iterable[str] = ()) -> list[str]:
    """Files under ``folder`` auglift did not write: not in its manifest (nor, without a manifest, in ``legacy``:
    glob patterns of file names like ``"matrix.*"`` or whole sub-folders like ``"gt2d/"``)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    ours = read_manifest(folder)
    legacy = tuple(legacy) if ours is None else ()
    ours = ours or set()
    dirs = tuple(f for f in ours if f.endswith("/"))  # a listed folder covers everything under it
    return [
        f
        for f in _files(folder)
        if f != MANIFEST
        and f not in ours
        and not f.startswith(dirs)
        and not _legacy_ours(f, legacy)
        and not _TEMPORARY.match(f.rstrip("/").rsplit("/", 1)[-1])
    ]


def _listing(files: list[str]) -> str:
    shown = ", ".join(files[:_SHOWN])
    return shown + (f" and {len(files) - _SHOWN} more" if len(files) > _SHOWN else "")


def check_output_folder(
    out: str | os.PathLike,
    *,
    overwrite: bool = False,
    writes: Iterable[str] = (),
    legacy: Iterable[str] = (),
    what: str = "--out",
    replace_own: bool = True,
) -> list[str]:
    """Check before any work that ``out`` may receive this command's files; returns the foreign files to keep.

    ``writes``: relative paths the command will write (foreign files there are refused even with ``overwrite``).
    ``replace_own=False``: an earlier output (manifest files) is replaced only with ``overwrite`` either.
    Raises :class:`~auglift_hf.errors.OutputError` naming the path and the foreign files.
    """
    out = Path(out)
    if not (out.exists() or out.is_symlink()):
        return []
    if not out.is_dir():
        raise _error(f"{what} {out} exists and is a file, not a folder; choose another path (it is kept)")
    foreign = foreign_files(out, legacy)
    clash = sorted(set(foreign) & set(writes))
    if clash:
        raise _error(
            f"{what} {out} holds {_listing(clash)}, not written by auglift; it is never replaced "
            "(move it away or choose another folder)"
        )
    if not replace_own and not overwrite and any(out.iterdir()):
        raise _error(f"{what} {out} exists and is not empty (pass --overwrite to replace what auglift wrote there)")
    if foreign and not overwrite:
        raise _error(
            f"{what} {out} holds files auglift did not write ({_listing(foreign)}); choose another folder, or pass "
            "--overwrite to write beside them (they are kept)"
        )
    return foreign


def write_manifest(folder: str | os.PathLike, written_by: str, files: Iterable[str] | None = None) -> Path:
    """Record ``files`` (default: every file now under ``folder``) as written by auglift; returns the manifest."""
    folder = Path(folder)
    listed = sorted(set(_files(folder) if files is None else files) - {MANIFEST})
    path = folder / MANIFEST
    from .io import atomic_write_file

    with atomic_write_file(path, "w", encoding="utf-8") as fh:  # atomic: ranks of one launch may check meanwhile
        fh.write(json.dumps({"written_by": written_by, "files": listed}, indent=1) + "\n")
    return path


def update_manifest(folder: str | os.PathLike, written_by: str, files: Iterable[str]) -> Path:
    """Add ``files`` to ``folder``'s manifest (commands that write in place: ``preprocess``, ``evaluate``)."""
    old = read_manifest(folder) or set()
    return write_manifest(folder, written_by, old | set(files))


def _install(tmp: Path, out: Path, keep: list[str], written_by: str) -> None:
    """Move the files of ``tmp`` into ``out``, replacing manifest files only; foreign files stay in place."""
    new = [f for f in _files(tmp) if f != MANIFEST]
    old = read_manifest(out) or set()
    for rel in new:
        dest = out / rel.rstrip("/")
        if rel.endswith("/"):
            dest.mkdir(parents=True, exist_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp / rel, dest)
    kept = set(keep)
    for rel in sorted(old - set(new) - kept, reverse=True):  # our files the new output no longer has
        path = out / rel.rstrip("/")
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, OSError):
            path.rmdir() if rel.endswith("/") else path.unlink()
    write_manifest(out, written_by, new)
    shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def output_folder(
    out: str | os.PathLike,
    written_by: str,
    *,
    overwrite: bool = False,
    writes: Iterable[str] = (),
    legacy: Iterable[str] = (),
    what: str = "--out",
    replace_own: bool = True,
) -> Iterator[Path]:
    """Yield a temporary folder next to ``out``; on success its files replace ``out``'s manifest files.

    ``out`` without foreign files is swapped atomically (:func:`~auglift_hf.utils.io.atomic_write_dir`); with
    foreign files (allowed by ``overwrite``) the new files are moved in one by one and the foreign ones kept.
    On error nothing at ``out`` changes. The manifest is written into the new folder.
    """
    from .io import atomic_write_dir

    out = Path(out)
    foreign = check_output_folder(
        out, overwrite=overwrite, writes=writes, legacy=legacy, what=what, replace_own=replace_own
    )
    if not foreign:
        with atomic_write_dir(out, overwrite=True) as tmp:
            yield tmp
            write_manifest(tmp, written_by)
        return
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.{os.getpid()}.", suffix=".tmp", dir=out.parent))
    try:
        yield tmp
        clash = sorted(set(foreign) & set(_files(tmp)))
        if clash:
            raise _error(f"{what} {out} holds {_listing(clash)}, not written by auglift; it is never replaced")
        _install(tmp, out, foreign, written_by)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def files_removed_on_failure(out: str | os.PathLike, keep_if: Callable[[Path], bool] | None = None) -> Iterator[Path]:
    """For commands that write into ``out`` in place: on failure, remove what this run created there.

    Files that existed before are left as they are; a folder this run created is removed when left empty.
    ``keep_if(out)`` True after a failure keeps everything (e.g. a training checkpoint to resume from).
    """
    out = Path(out)
    existed = out.exists()
    before = set(_files(out)) if existed else set()
    dirs_before = {Path(r) for r, _, _ in os.walk(out)} if existed else set()
    try:
        yield out
    except BaseException:
        if out.is_dir() and not (keep_if is not None and keep_if(out)):
            for rel in sorted(set(_files(out)) - before, reverse=True):
                path = out / rel.rstrip("/")
                with contextlib.suppress(OSError):
                    path.rmdir() if rel.endswith("/") else path.unlink()
            for root in sorted({Path(r) for r, _, _ in os.walk(out)} - dirs_before, key=lambda p: -len(p.parts)):
                with contextlib.suppress(OSError):
                    os.rmdir(root)  # only succeeds when empty
        raise
