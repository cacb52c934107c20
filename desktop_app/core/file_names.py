"""File names made from user data (a project's name, a profile's name) that every system can hold.

Windows is the strictest: no ``< > : " / \\ | ? *`` nor control characters, no trailing dot or space,
and device names (``CON``, ``NUL``, ``COM1`` … with or without an extension) that open a device
instead of a file. A name safe there is safe on macOS and Linux too.
"""

from __future__ import annotations

import re

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
                      | {f"{device}{n}" for device in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")})
MAX_LENGTH = 120


def safe_file_name(text: str, *, fallback: str = "file", max_length: int = MAX_LENGTH) -> str:
    """``text`` as one path component valid on Windows, macOS and Linux: forbidden characters become
    ``-``, trailing dots and spaces go, device names get a leading ``_``; ``fallback`` when nothing is left."""
    name = _FORBIDDEN.sub("-", text).strip()[:max_length].rstrip(". ").lstrip(" ")
    if not name or set(name) <= {".", "-"}:
        return fallback
    if name.split(".", 1)[0].rstrip(" ").upper() in _RESERVED:
        name = "_" + name
    return name
