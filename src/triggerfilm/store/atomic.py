"""The one way triggerfilm writes a file, so that a reader never sees half of one.

A file is written under a temporary name *in the target's own folder* (never ``$TMPDIR``, which
may be another file system, where a rename fails with EXDEV), flushed to disk, and renamed into
place; the folder is then fsync'd so the rename itself survives a crash. Ctrl-C, a crash or a
full disk leaves the old file or none, never a torn one, and no stray temporary file.

An existing target keeps its permission bits; a new file gets ``0666 & ~umask`` like any file
a program creates (``mkstemp``'s private 0600 is wrong for shared outputs). Rewriting an existing
text file keeps its UTF-8 byte-order mark and CRLF line endings, so an edit made by triggerfilm
shows only the lines it changed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from ..errors import DISK_FULL_ERRNOS, DiskFullError, TriggerfilmError
from .files import file_kind

_BOM = b"\xef\xbb\xbf"


def _umask() -> int:
    # os.umask can only be read by setting it; set it straight back.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _new_file_mode() -> int:
    return 0o666 & ~_umask()


def _target_mode(path: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return _new_file_mode()


def _check_target(path: Path) -> None:
    """Refuse to write onto something that is not a file, or below something not a folder.

    A rename replaces whatever has the target's name: ``-o /dev/full`` would have swapped a
    device node for a regular file (as root), ``-o some-folder`` would fail obscurely.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except NotADirectoryError:
        raise TriggerfilmError(
            "cannot be written: a folder on its path is a file",
            where=path,
            expected="a path inside a folder",
            hint="Choose another output location",
        ) from None
    except OSError:
        return  # unreadable: writing it will say why
    if not stat.S_ISREG(info.st_mode):
        raise TriggerfilmError(
            f"is {file_kind(info.st_mode)}, not a file triggerfilm can replace",
            where=path,
            expected="the name of a new or existing regular file",
            hint="Choose another output file name",
        )


def _stage_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # some file systems cannot open a folder; the rename is still atomic
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _full_disk_named(target: Path) -> Iterator[None]:
    """A full disk (or quota) while writing ``target`` becomes a DiskFullError naming it: the
    user's to fix, with a clear message, never a traceback."""
    try:
        yield
    except OSError as error:
        if error.errno in DISK_FULL_ERRNOS:
            raise DiskFullError.from_os_error(error, target) from None
        raise


def _publish(staged: Path, path: Path, mode: int) -> None:
    os.chmod(staged, mode)
    os.replace(staged, path)
    _fsync_dir(path.parent)


def write_bytes(path: str | os.PathLike[str], data: bytes, *, parents: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically (see the module notes); return the path.

    ``parents=False`` refuses (FileNotFoundError) to create a missing folder, for outputs
    whose folder the user named.
    """
    target = Path(path)
    _check_target(target)
    with _full_disk_named(target):
        if parents:
            target.parent.mkdir(parents=True, exist_ok=True)
        mode = _target_mode(target)
        staged = _stage_name(target)
        try:
            fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            _publish(staged, target, mode)
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
    return target


def _existing_format(path: Path) -> tuple[bool, bool]:
    """(has a UTF-8 BOM, uses CRLF) for an existing file; (False, False) when there is none."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64 * 1024)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return False, False
    bom = head.startswith(_BOM)
    newline = head.find(b"\n")
    crlf = newline > 0 and head[newline - 1 : newline] == b"\r"
    return bom, crlf


def encode_like(path: str | os.PathLike[str], text: str) -> bytes:
    """``text`` as the UTF-8 bytes a rewrite of ``path`` should hold.

    Keeps the existing file's byte-order mark and CRLF line endings; plain UTF-8 with the
    text's own line endings when there is no such file.
    """
    bom, crlf = _existing_format(Path(path))
    if bom and text.startswith("\ufeff"):
        text = text[1:]
    if crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    data = text.encode("utf-8")
    return _BOM + data if bom else data


def write_text(
    path: str | os.PathLike[str], text: str, *, preserve_format: bool = True, parents: bool = True
) -> Path:
    """Write ``text`` as UTF-8 to ``path`` atomically; return the path.

    With ``preserve_format`` (the default) a rewrite of an existing file keeps its byte-order
    mark and CRLF line endings (see :func:`encode_like`). ``text`` should use ``\\n``.
    """
    _check_target(Path(path))  # before reading it for its format: a FIFO would block
    data = encode_like(path, text) if preserve_format else text.encode("utf-8")
    return write_bytes(path, data, parents=parents)


@contextlib.contextmanager
def staged_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path next to ``path`` for another program (ffmpeg, torch) to write into.

    When the block ends normally the file is fsync'd and renamed onto ``path``; when it raises,
    the temporary file is removed and ``path`` is untouched. The temporary name keeps the
    target's suffix so programs that pick a format from the name still do.
    """
    target = Path(path)
    _check_target(target)
    with _full_disk_named(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = _target_mode(target)
        staged = target.with_name(f".{target.stem}.{secrets.token_hex(4)}.part{target.suffix}")
        try:
            yield staged
            fd = os.open(staged, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            _publish(staged, target, mode)
        finally:
            staged.unlink(missing_ok=True)


def move_into_place(source: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """Rename a finished file that triggerfilm staged itself onto ``path``, fsync'd.

    ``source`` must be on the same file system as ``path`` (a sibling, or a folder under the
    same cache root); it gets the mode a new file would get, or the one ``path`` has.
    """
    target = Path(path)
    _check_target(target)
    with _full_disk_named(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(source, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        _publish(Path(source), target, _target_mode(target))
    return target
