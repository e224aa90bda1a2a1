"""Output files that are whole or absent (R-48): written under a temporary name beside the
file, made durable, then renamed over it. A crash or a full disk leaves the old file (or none)
and a temporary one, never a file cut short that a reader would take for the whole. Every file
claimledger writes goes through here, but the run's ``NAME.partial`` files (results.py, which
renames them when complete) and the pseudonym key store's appended salts (a journal, synced
before the pseudonyms go on chain).
"""
from __future__ import annotations

import csv
import errno
import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterable, Iterator

TMP_SUFFIX = ".tmp"


class OutputFailed(RuntimeError):
    """An output file could not be written (a full disk, a read-only directory): one line."""


def failure(path: Path, exc: OSError, resumable: bool = False) -> OutputFailed:
    """The one-line error for ``exc`` raised while writing ``path``: a run's partial output
    (``resumable``) goes on with ``--resume``; any other output is as it was before."""
    reason = "no space left on device" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc)).lower()
    fix = "free space" if exc.errno == errno.ENOSPC else "fix that"
    if resumable:
        return OutputFailed(f"{path}: cannot write ({reason}); nothing is lost: {fix} and run again with --resume")
    return OutputFailed(f"{path}: cannot write ({reason}); the file is as it was before: {fix} and run the command again")


def fsync_dir(directory: Path) -> None:
    """Makes a rename in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some filesystems cannot sync a directory: the rename is still atomic
        pass
    finally:
        os.close(fd)


def publish(tmp: Path, path: Path, durable: bool = True) -> None:
    """Renames the complete ``tmp`` over ``path`` (atomic on one filesystem)."""
    os.replace(tmp, path)
    if durable:
        fsync_dir(path.parent)


@contextmanager
def atomic_output(path: Path, mode: str = "w", newline: str | None = None, copy_existing: bool = False,
                  resumable: bool = False, durable: bool = True, encoding: str | None = None,
                  private: bool = False, exclusive: bool = False, _start_from: Path | None = None) -> Iterator[IO]:
    """A file to write ``path`` through: ``path`` takes its content only when the block ends
    without an error. ``copy_existing`` starts from ``path``'s current content (an append);
    ``resumable``: a failure says to go on with ``--resume``; ``durable``: synced to disk before
    it is renamed (else a crash of the machine, not of the process, may leave the old file);
    ``mode`` ``"wb"`` for bytes, else text in ``encoding``; ``private``: mode 0600 from its
    creation (a secret); ``exclusive``: never replaces a file, raises FileExistsError instead
    (the check and the rename are one step)."""
    path = Path(path)
    if copy_existing:  # two appenders (two reviewers of a run) must not both start from the old file
        with _exclusive(path.with_name(path.name + ".lock")):
            with atomic_output(path, mode, newline, False, resumable, durable, encoding, private,
                               _start_from=path) as fh:
                yield fh
        return
    tmp = path.with_name(path.name + TMP_SUFFIX)
    try:
        if private:  # a temporary file left by a crash may have another mode
            tmp.unlink(missing_ok=True)
        if _start_from is not None and _start_from.exists():
            shutil.copyfile(path, tmp)
        fh = open(tmp, ("a" if _start_from is not None else "w") + mode[1:], newline=newline, encoding=encoding,
                  **({"opener": _private} if private else {}))
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise failure(path, exc, resumable) from None
    try:
        yield fh
        fh.flush()
        if durable:
            os.fsync(fh.fileno())
        fh.close()
        if exclusive:
            _publish_new(tmp, path, durable)
        else:
            publish(tmp, path, durable)
    except BaseException as exc:
        close_quietly(fh)
        tmp.unlink(missing_ok=True)
        if isinstance(exc, FileExistsError) and exclusive:
            raise
        if isinstance(exc, OSError):
            raise failure(path, exc, resumable) from None
        raise


def _private(name: str, flags: int) -> int:
    return os.open(name, flags, 0o600)


def _publish_new(tmp: Path, path: Path, durable: bool) -> None:
    """Gives the complete ``tmp`` the name ``path`` unless a file has it (FileExistsError)."""
    os.link(tmp, path)
    tmp.unlink()
    if durable:
        fsync_dir(path.parent)


@contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def close_quietly(fh: IO) -> None:
    """Closes a file whose last write failed: its close flushes the same bytes and fails the
    same way, which must not hide the first error."""
    try:
        fh.close()
    except OSError:
        pass


def write_text_atomically(path: Path, text: str, resumable: bool = False, durable: bool = True,
                          encoding: str | None = None) -> None:
    with atomic_output(path, resumable=resumable, durable=durable, encoding=encoding) as fh:
        fh.write(text)


def write_bytes_atomically(path: Path, data: bytes, resumable: bool = False) -> None:
    with atomic_output(path, "wb", resumable=resumable) as fh:
        fh.write(data)


def copy_atomically(source: Path, path: Path) -> None:
    """``path`` becomes a copy of ``source`` (an import's reference files, R-48)."""
    with open(source, "rb") as src, atomic_output(path, "wb") as fh:
        shutil.copyfileobj(src, fh)


def write_csv_atomically(path: Path, header: list[str], rows: Iterable) -> None:
    """A CSV file of ``header`` and ``rows`` in UTF-8, LF line ends (as the importers write)."""
    with atomic_output(path, newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
