"""What a path on disk is, in words, before anything reads it as media or text.

Only regular files are read as media, subtitles or cut sheets: a directory, ``/dev/zero``, a
named pipe or a socket would make a reader fail obscurely, hang, or fill memory, and a user
told "does not exist" about a folder they can see is misled. These checks turn each case into
the words a message needs (``is a directory``, ``is a symbolic link loop``); the stage that
calls them adds the file, line and field.
"""

from __future__ import annotations

import errno
import os
import stat


def file_kind(mode: int) -> str:
    """What a non-regular file is: ``a directory``, ``a named pipe (FIFO)``, ..."""
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((words for test, words in kinds if test(mode)), "not a regular file")


def regular_file_problem(
    path: str | os.PathLike[str], what: str, *, allow_empty: bool = False
) -> str | None:
    """Why ``path`` cannot be read as ``what`` (e.g. "a media file"), or None when it can.

    The answer reads after the file's name: ``is a directory, not a media file``,
    ``does not exist``, ``is a symbolic link loop``, ``is empty (0 bytes)``.
    """
    if "\0" in os.fspath(path):
        # No file system allows it; os.stat would raise ValueError, not OSError.
        return "is not a usable path (it contains a NUL character)"
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return f"is a broken symbolic link (to {os.readlink(path)})"
        return "does not exist"
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "is a symbolic link loop (links that point at each other)"
        if error.errno == errno.ENOTDIR:
            return "does not exist (a folder on its path is a file)"
        if error.errno in (errno.EACCES, errno.EPERM):
            return "cannot be read (permission denied)"
        return f"cannot be read ({error.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return f"is {file_kind(info.st_mode)}, not {what}"
    if not os.access(path, os.R_OK):
        return "cannot be read (permission denied)"
    if info.st_size == 0 and not allow_empty:
        return f"is empty (0 bytes), not {what}"
    return None
