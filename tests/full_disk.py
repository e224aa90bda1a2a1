"""A disk that fills (R-48 tests): an ``open`` to patch into a writer, whose files of one name
take a fixed number of bytes and then raise ENOSPC, as a full disk does."""
import errno
import io


class FillingDisk(io.FileIO):
    """A file on a disk with ``room`` bytes left (shared by every file opened on it)."""

    room = {"bytes": 0}

    def write(self, data) -> int:
        if self.room["bytes"] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        taken = super().write(bytes(data)[:self.room["bytes"]])
        self.room["bytes"] -= taken
        return taken


def filling_open(name: str, room: int):
    """An ``open`` whose files named ``name`` are on a disk with ``room`` bytes left."""
    FillingDisk.room = {"bytes": room}

    def opener(path, mode="r", newline=None, encoding=None, **kwargs):
        if str(path).endswith(name) and ("w" in mode or "a" in mode):
            raw = FillingDisk(path, mode.replace("b", "").replace("t", ""))
            if "b" in mode:
                return io.BufferedWriter(raw)
            return io.TextIOWrapper(io.BufferedWriter(raw), encoding=encoding or "utf-8", newline=newline)
        return open(path, mode, newline=newline, encoding=encoding, **kwargs)

    return opener
