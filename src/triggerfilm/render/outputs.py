"""The output folder: checked before any encoding, locked while a render writes into it.

A render refuses, before it encodes anything, a folder it cannot write to and output names that
would replace one of its own inputs (a clip called ``film.mp4`` kept in the output folder, the
manifest, an archive's catalogue): sources are never modified. While it writes, a lock file in
the folder names the render holding it (process, host, start time), so a second render into the
same folder stops at once with that name instead of both "succeeding" over each other.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..media.ffmpeg import RenderError
from ..store import load_json_object

LOCK_NAME = ".triggerfilm-render.lock"


class OutputFolderError(RenderError):
    """A problem with the folder a film is written into. Its hint says what to do in words
    any face can use; a face may add how its own user names another folder (the command
    line's ``-o``)."""


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def refuse_overwriting_inputs(out_dir: Path, names: Iterable[str], inputs: Iterable[Path]) -> None:
    """Stop before a render whose output ``names`` in ``out_dir`` would replace an input file."""
    inputs = [Path(p) for p in inputs]
    for name in names:
        target = out_dir / name
        for source in inputs:
            if target.exists() or target.is_symlink():
                clash = _same_file(target, source)
            else:
                clash = target.resolve() == source.resolve()
            if clash:
                raise OutputFolderError(
                    f"the render would write {name} over {source}, which the film uses",
                    where=out_dir,
                    expected="an output folder whose film names are not input files",
                    hint="Render into another folder, or move or rename that file (sources "
                    "are never modified)",
                )


def check_writable(out_dir: Path) -> None:
    """A clear error, before any encoding, when ``out_dir`` cannot be created or written."""
    folder = out_dir
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    if not folder.is_dir():
        raise OutputFolderError(
            f"{folder} is not a folder",
            where=out_dir,
            expected="an output folder (or a place one can be created)",
            hint="Choose another output folder",
        )
    problem = None
    if not os.access(folder, os.W_OK | os.X_OK):
        problem = "cannot be written"
    else:
        # os.access does not see a read-only mount for root, or every ACL: try it.
        probe = folder / f".triggerfilm-write-test-{os.getpid()}"
        try:
            probe.touch()
            probe.unlink()
        except OSError as error:
            problem = error.strerror.lower() if error.strerror else "cannot be written"
    if problem:
        raise OutputFolderError(
            f"the output folder {folder} {'is read-only' if 'read-only' in problem else problem}",
            where=out_dir,
            expected="a folder triggerfilm may write the film into",
            hint="Choose a writable folder, or change the folder's permissions",
        )


def _holder() -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _describe_holder(path: Path) -> str:
    # The holder writes the lock file after locking it: it may be empty or half-written yet.
    holder = load_json_object(path)
    if isinstance(holder, dict) and all(k in holder for k in ("pid", "host", "started")):
        return f"process {holder['pid']} on {holder['host']}, started {holder['started']}"
    return "another process"


def _lock(path: Path) -> int:
    """An exclusive lock on ``path`` held by the returned descriptor, or RenderError."""
    import fcntl

    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise OutputFolderError(
                f"cannot open the render lock: {error.strerror}",
                where=path,
                hint="Another user's render may hold this folder; render into your own folder",
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(fd)
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise OutputFolderError(
                f"another render is using this folder ({_describe_holder(path)})",
                where=path.parent,
                expected="one render at a time per output folder",
                hint="Wait for it to finish, or render into another folder",
            ) from None
        # The holder before us may have removed the file between our open and our lock:
        # then we hold a lock on a file nobody else can see, so start again.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)


@contextlib.contextmanager
def locked_output_folder(out_dir: Path) -> Iterator[Path]:
    """Create ``out_dir`` if needed and hold its render lock for the block.

    If the block fails and the folder was created here and holds nothing, it is removed again,
    so a failed render leaves no empty folder behind.
    """
    check_writable(out_dir)
    # The highest folder this render creates: removed again (when empty) if the render fails.
    created = None
    for folder in (out_dir, *out_dir.parents):
        if folder.exists():
            break
        created = folder
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputFolderError(
            f"cannot create the output folder: {error.strerror}",
            where=out_dir,
            hint="Choose another output folder",
        ) from None
    lock = out_dir / LOCK_NAME
    try:
        fd = _lock(lock)
    except BaseException:
        _remove_created(out_dir, created)
        raise
    ok = False
    try:
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(_holder()).encode("utf-8"))
        try:
            yield out_dir
        except OSError as error:
            raise _plain(error, out_dir) from None
        ok = True
    finally:
        # Unlink while still holding the lock, so no one can lock the old file after us.
        with contextlib.suppress(OSError):
            lock.unlink()
        os.close(fd)
        if not ok:
            _remove_created(out_dir, created)


def _plain(error: OSError, out_dir: Path) -> Exception:
    """A disk-full or read-only error as a message that says so (others unchanged)."""
    where = error.filename or out_dir
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return RenderError(
            "the disk is full",
            where=where,
            expected="free space for the segments and the film",
            hint="Free some disk space (the output folder and the triggerfilm cache), then "
            "re-run the same command",
        )
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return OutputFolderError(
            f"cannot write: {error.strerror}",
            where=where,
            hint="Choose a writable output folder, or change its permissions",
        )
    return error


def _remove_created(out_dir: Path, created: Path | None) -> None:
    """Remove the empty folders from ``out_dir`` up to ``created`` (those this render made)."""
    if created is None:
        return
    for folder in (out_dir, *out_dir.parents):
        try:
            folder.rmdir()  # only ever succeeds on an empty folder
        except OSError:
            return
        if folder == created:
            return
