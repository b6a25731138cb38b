"""Error kinds of the ``auglift`` command line and their exit codes (one scheme for every subcommand).

| exit | kind | raised as |
| --- | --- | --- |
| 0 | success | |
| 1 | internal error (a bug: please report it; ``AUGLIFT_DEBUG=1`` shows the traceback) | anything else |
| 2 | invalid input: a bad option value, a malformed / truncated / unsafe file, data that cannot be right | ``ValueError``, ``KeyError``, ``pickle.UnpicklingError``, ``EOFError``, ``zipfile.BadZipFile`` |
| 3 | a named input (file, folder, model path) does not exist, or a Hub model id that is not in the local cache while the Hub is out of reach (``HF_HUB_OFFLINE``, ``--local-files-only``, no network) | ``FileNotFoundError`` (``auglift_hf.preprocess._hf.ModelNotAvailableError``) |
| 4 | the output cannot be written: it exists and is not ours to replace, or it is read-only | :class:`OutputError`, ``FileExistsError``, ``PermissionError``, other ``OSError`` |
| 5 | an incompatible model or checkpoint: weights that do not match the config, a foreign ``model_type``, resuming into another model's checkpoint | :class:`IncompatibleModelError` |
| 130 | interrupted (Ctrl-C / SIGINT); nothing is half-written (outputs are written to a temp path, then renamed) | ``KeyboardInterrupt`` |

Every failure is reported on stderr as exactly one line ``auglift <command>: error: <message>``; the message
names the file or the option.
"""

from __future__ import annotations

import os
import pickle
import zipfile

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INVALID_INPUT = 2
EXIT_NOT_FOUND = 3
EXIT_OUTPUT = 4
EXIT_INCOMPATIBLE_MODEL = 5
EXIT_INTERRUPTED = 130


class OutputError(OSError):
    """The output path cannot be written: it holds something the user did not ask to replace, or is read-only."""


class IncompatibleModelError(ValueError):
    """A model folder / checkpoint cannot be used: missing, unexpected or mis-shaped weights, foreign model type."""


def exit_code(err: BaseException) -> int:
    """The exit code of the scheme above for an exception."""
    if isinstance(err, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(err, IncompatibleModelError):
        return EXIT_INCOMPATIBLE_MODEL
    if isinstance(err, FileNotFoundError):
        return EXIT_NOT_FOUND
    if isinstance(err, (OutputError, FileExistsError, PermissionError, IsADirectoryError, NotADirectoryError)):
        return EXIT_OUTPUT
    if isinstance(err, (ValueError, KeyError, pickle.UnpicklingError, EOFError, zipfile.BadZipFile)):
        return EXIT_INVALID_INPUT
    if isinstance(err, OSError):
        return EXIT_OUTPUT
    return EXIT_INTERNAL


def one_line(err: BaseException) -> str:
    """The exception as one line (multi-line messages are joined with ``; ``)."""
    if isinstance(err, KeyboardInterrupt):
        return "interrupted (nothing half-written is left behind)"
    if isinstance(err, KeyError) and err.args:
        message = str(err.args[0])
    elif isinstance(err, OSError) and err.filename is not None and err.strerror:
        message = f"{err.filename}: {err.strerror}"
    else:
        message = str(err) or err.__class__.__name__
    message = "; ".join(part.strip() for part in message.splitlines() if part.strip())
    if exit_code(err) == EXIT_INTERNAL:
        message = f"internal error {err.__class__.__name__}: {message} (AUGLIFT_DEBUG=1 shows the traceback)"
    return message


def debug() -> bool:
    """``AUGLIFT_DEBUG=1``: let exceptions propagate with their traceback."""
    return bool(os.environ.get("AUGLIFT_DEBUG"))
