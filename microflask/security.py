"""Security helpers with no app state (the role of ``werkzeug.security``).

``safe_join`` joins untrusted path parts under a directory and refuses anything that could escape
it. Password hashing and CSRF tokens come with the sessions work.
"""

from __future__ import annotations

import os
import posixpath
from typing import Optional

_os_alt_seps = [sep for sep in (os.path.sep, os.path.altsep) if sep is not None and sep != "/"]


def safe_join(directory: str, *pathnames: str) -> Optional[str]:
    """``directory`` joined with ``pathnames``, or None if a part is absolute, uses ``..`` to
    climb out, contains a backslash/alternate separator, or a NUL byte."""
    if not directory:
        directory = "."
    parts = [directory]
    for filename in pathnames:
        if filename != "":
            filename = posixpath.normpath(filename)
        if (
            any(sep in filename for sep in _os_alt_seps)
            or "\x00" in filename
            or os.path.isabs(filename)
            or filename.startswith("/")
            or filename == ".."
            or filename.startswith("../")
        ):
            return None
        parts.append(filename)
    return posixpath.join(*parts)
