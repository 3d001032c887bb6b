"""Decode an export's bytes: detect the encoding, say which one, never replace a character.

Exports arrive as UTF-8 (with or without a byte-order mark), UTF-16 (Windows tools, with a BOM)
and latin-1 / cp1252 (older EndNote and Excel). A wrong guess that silently swaps characters is
worse than an error, so decoding is always strict and the chosen encoding is returned and logged.
"""

from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path

from scoping.errors import ScopingError

log = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when every other byte of an ASCII-ish sample is NUL."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def detect_encoding(data: bytes) -> str:
    """Name of the codec that decodes ``data`` without error (BOM, UTF-16, UTF-8, cp1252, latin-1).

    cp1252 is preferred to latin-1 because Windows tools write curly quotes and dashes in the
    0x80-0x9F range, which latin-1 would turn into invisible control characters.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    utf16 = _utf16_without_bom(data)
    if utf16:
        return utf16
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def decode_bytes(data: bytes, *, path: str | Path, encoding: str | None = None) -> tuple[str, str]:
    """Text of ``data`` and the encoding used (given, or detected and logged).

    Raises ``ScopingError`` naming the line of the first byte that does not decode.
    """
    chosen = encoding or detect_encoding(data)
    if (
        encoding
        and encoding.replace("_", "-").lower() in ("utf-8", "utf8")
        and data.startswith(codecs.BOM_UTF8)
    ):
        chosen = "utf-8-sig"
    try:
        text = data.decode(chosen)
    except UnicodeDecodeError as error:
        raise ScopingError(
            f"the file is not valid {chosen} (byte 0x{data[error.start]:02x})",
            file=path,
            line=_line_of(data, error.start),
            fix="leave the encoding to detection (no --encoding), or re-save the file as UTF-8.",
        ) from None
    except LookupError:
        raise ScopingError(
            f"unknown encoding '{chosen}'",
            file=path,
            fix="name a Python codec such as utf-8, utf-16, cp1252 or latin-1.",
        ) from None
    if text.startswith("\ufeff"):  # a BOM inside UTF-16/32 text
        text = text[1:]
    if encoding is None:
        if chosen not in ("utf-8", "utf-8-sig"):
            log.warning("%s: not UTF-8; decoded as %s", path, chosen)
        else:
            log.info("%s: encoding %s", path, chosen)
    return text, chosen


# "Ã©" and "â€™" are UTF-8 bytes read as cp1252 and saved again as UTF-8.
_MOJIBAKE = re.compile(
    "[ÃÂ][\u0080-\u00bf]|â€[\u0080-\u00bf™œ˜šž\u201c\u201d\u2019\u2018\u2013\u2014]"
)


def mojibake_line(text: str) -> int | None:
    """Line of the first double-encoded character (``Ã©`` for ``é``), or ``None``."""
    if "Ã" not in text and "Â" not in text and "â€" not in text:
        return None  # substring tests are far faster than the regex on a large export
    m = _MOJIBAKE.search(text)
    return None if m is None else text.count("\n", 0, m.start()) + 1
