"""A msgpack decoder for what the Honeycomb Events exporter sends, so the demo's
embedded receiver needs no third-party package (PyPI's msgpack is not a dependency).

Every msgpack type but ext and timestamps (which genops never writes), as the msgpack
specification defines them (https://github.com/msgpack/msgpack/blob/master/spec.md).
Bad input raises ValueError.
"""

from __future__ import annotations

import struct
from typing import Any

# first byte -> (struct format of the length or value, its size) for the sized types
_FIXED = {
    0xCA: (">f", 4),
    0xCB: (">d", 8),
    0xCC: (">B", 1),
    0xCD: (">H", 2),
    0xCE: (">I", 4),
    0xCF: (">Q", 8),
    0xD0: (">b", 1),
    0xD1: (">h", 2),
    0xD2: (">i", 4),
    0xD3: (">q", 8),
}
# first byte -> (kind, size of the length) for str, bin, array and map
_SIZED = {
    0xD9: ("str", 1),
    0xDA: ("str", 2),
    0xDB: ("str", 4),
    0xC4: ("bin", 1),
    0xC5: ("bin", 2),
    0xC6: ("bin", 4),
    0xDC: ("array", 2),
    0xDD: ("array", 4),
    0xDE: ("map", 2),
    0xDF: ("map", 4),
}
_CONSTANTS = {0xC0: None, 0xC2: False, 0xC3: True}
_MAX_DEPTH = 64


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)
        self.pos = 0

    def take(self, n: int) -> memoryview:
        end = self.pos + n
        if end > len(self.data):
            raise ValueError(f"msgpack: truncated at byte {self.pos} (needs {n} more)")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def length(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")

    def value(self, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise ValueError("msgpack: nested too deeply")
        b = self.take(1)[0]
        if b <= 0x7F:
            return b
        if b >= 0xE0:
            return b - 0x100
        if 0xA0 <= b <= 0xBF:
            return self.string(b & 0x1F)
        if 0x90 <= b <= 0x9F:
            return [self.value(depth + 1) for _ in range(b & 0x0F)]
        if 0x80 <= b <= 0x8F:
            return self.mapping(b & 0x0F, depth)
        if b in _CONSTANTS:
            return _CONSTANTS[b]
        if b in _FIXED:
            fmt, size = _FIXED[b]
            return struct.unpack(fmt, self.take(size))[0]
        if b in _SIZED:
            kind, size = _SIZED[b]
            n = self.length(size)
            if kind == "str":
                return self.string(n)
            if kind == "bin":
                return bytes(self.take(n))
            if kind == "array":
                return [self.value(depth + 1) for _ in range(n)]
            return self.mapping(n, depth)
        raise ValueError(f"msgpack: unsupported type byte 0x{b:02x} at byte {self.pos - 1}")

    def string(self, n: int) -> str:
        try:
            return str(self.take(n), "utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"msgpack: a str that is not UTF-8: {e}") from None

    def mapping(self, n: int, depth: int) -> dict[Any, Any]:
        out = {}
        for _ in range(n):
            key = self.value(depth + 1)
            if isinstance(key, (list, dict)):
                raise ValueError(f"msgpack: a map key that is an {type(key).__name__} (unhashable here)")
            out[key] = self.value(depth + 1)
        return out


def unpackb(data: bytes) -> Any:
    """The one msgpack value in data (trailing bytes are an error)."""
    r = _Reader(data)
    v = r.value()
    if r.pos != len(r.data):
        raise ValueError(f"msgpack: {len(r.data) - r.pos} trailing bytes")
    return v


def array_length(data: bytes) -> int:
    """The element count of the msgpack array data starts with, without decoding it."""
    r = _Reader(data)
    b = r.take(1)[0]
    if 0x90 <= b <= 0x9F:
        return b & 0x0F
    if b in (0xDC, 0xDD):
        return r.length(2 if b == 0xDC else 4)
    raise ValueError("msgpack: the body is not an array")
