"""Atomic writes: nothing partial is ever left at the destination path.

Temporary files are created next to the destination (same filesystem, so ``os.replace`` is atomic) and get
the permissions a plain ``open()`` would give them (``0o666`` / ``0o777`` minus the umask), not ``mkstemp``'s
private ``0o600``.

Temporary names carry the writer's process id (``.<name>.<pid>.<random>.tmp``). A writer killed with SIGKILL
cannot clean up, so every later write to the same destination first removes the temporaries of processes that
no longer exist (:func:`remove_stale_temporaries`); a live writer's temporaries are never touched.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def remove_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Remove ``.<name>.<pid>.*.tmp`` (and ``.<name>.old``) siblings of ``path`` left by dead writers; returns them.

    Only temporaries whose process id is not running are removed, so a concurrent live writer is safe.
    """
    path = Path(path)
    if not path.parent.is_dir():
        return []
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.(\d+)\.\w+\.tmp$")
    removed = []
    for sibling in path.parent.iterdir():
        m = pattern.match(sibling.name)
        if m is None or _pid_alive(int(m.group(1))):
            continue
        if sibling.is_dir() and not sibling.is_symlink():
            shutil.rmtree(sibling, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                sibling.unlink()
        removed.append(sibling)
    return removed


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@contextlib.contextmanager
def _named(path: Path) -> Iterator[None]:
    """An ``OSError`` creating the temporary next to ``path`` names ``path`` (not the hidden temp name)."""
    from ..errors import OutputError

    try:
        yield
    except FileNotFoundError:
        raise
    except OSError as err:
        raise OutputError(f"{path}: cannot write there ({err.strerror or err})") from err


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path next to ``path`` for code that writes by file name (safetensors, ONNX, ...).

    On success the temporary file is renamed onto ``path``; on error it is removed and ``path`` is untouched.
    ``suffix`` lets writers that dispatch on the extension (e.g. ``.onnx``) see the right one.
    """
    path = Path(path)
    with _named(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


@contextlib.contextmanager
def atomic_write_file(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None) -> Iterator:
    """Open a temporary file next to ``path``; on success it is renamed onto ``path``, on error removed."""
    with atomic_path(path) as tmp, open(tmp, mode, encoding=encoding) as fh:
        yield fh


@contextlib.contextmanager
def atomic_write_dir(path: str | os.PathLike, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary directory next to ``path``; on success it replaces ``path``, on error it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists (pass overwrite=True to replace it)")
    remove_stale_temporaries(path)
    with _named(path):
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        if path.exists() or path.is_symlink():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent))
            os.rmdir(old)
            os.replace(path, old)
            os.replace(tmp, path)
            _remove(old)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def ensure_writable_dir(path: str | os.PathLike, what: str) -> None:
    """Create folder ``path`` and check that files can be written there, before any long work starts.

    ``what`` names it in the error (e.g. ``"--out"``): :class:`~auglift_hf.errors.OutputError`
    ``"<what> <path>: not writable (...)"``.
    """
    from ..errors import OutputError

    try:
        Path(path).mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as err:
        raise OutputError(f"{what} {path}: not writable ({err.strerror or err})") from err
