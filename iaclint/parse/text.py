"""Turn a file's bytes into text, or say precisely why that is not possible."""

from __future__ import annotations

import codecs
import errno
import os
import stat
from pathlib import Path

from iaclint.parse.document import ParseError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(raw: bytes) -> str:
    """Decode a template's bytes: UTF-8 (with or without BOM), or UTF-16/32 with a BOM."""
    encoding = "utf-8"
    for bom, name in _BOMS:
        if raw.startswith(bom):
            encoding = name
            break
    else:
        if b"\x00" in raw[:8192]:
            raise ParseError("binary file (contains NUL bytes), not a text template")
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ParseError(
            f"not valid {encoding.upper()}: byte 0x{raw[exc.start]:02x} at offset {exc.start}",
            line,
            column,
        ) from None


def split_lines(text: str) -> list[str]:
    """Lines as YAML and JSON readers count them (LF, CRLF or CR)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


class FileTooLarge(OSError):
    """A file over the size iaclint reads, refused before its bytes are read. An
    OSError, so that every caller that reports unreadable files reports it too."""

    def __init__(self, size: int, limit: int):
        super().__init__(
            errno.EFBIG, f"{size / 1048576:.1f} MB is over the {limit // 1048576} MB limit"
        )
        self.size = size
        self.limit = limit


def read_head(path: Path, size: int) -> bytes:
    """The first `size` bytes of a regular file (b"" for anything else)."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return b""
        return stream.read(size)


# The largest template or HCL file read. Reading costs about 3 s and 120 MB per MB
# packed with small resources, YAML, JSON or HCL alike, so this keeps the worst file
# a pull request can hand a gate to seconds. (CloudFormation deploys templates of
# up to 1 MB; the largest `.tf` file of the public modules measured is 61 KB.)
MAX_SOURCE_BYTES = 2 * 1024 * 1024


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """A regular file's bytes; anything else raises OSError, and a file over `limit`
    bytes (if given) raises FileTooLarge without being read.

    A named pipe, socket or device could block a run forever (a pipe with no
    writer) or never end (`/dev/zero`), so it is refused without being read. The
    size is checked on the open file, and at most `limit` bytes are read, so a
    sparse file of gigabytes, or one growing while it is read, costs nothing.
    """
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(handle, "rb") as stream:
        status = os.fstat(handle)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a pipe, socket or device)")
        if limit is None:
            return stream.read()
        if status.st_size > limit:
            raise FileTooLarge(status.st_size, limit)
        # Asking for `limit + 1` bytes would allocate that much for every file; the
        # size stated is enough unless the file grows while it is read.
        raw = stream.read(status.st_size + 1)
        if len(raw) > status.st_size:
            raw += stream.read(limit + 1 - len(raw))
        if len(raw) > limit:
            raise FileTooLarge(len(raw), limit)
        return raw
