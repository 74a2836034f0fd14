"""The product string sent as ``User-Agent`` on outbound service calls.

It names this SDK and its version, the Python version and the operating system, e.g.
``agents-sdk-py/0.1.0 python/3.12.4 linux-x86_64/6.8.0``. The version is read from
the installed ``microsoft-agents-hosting-core`` distribution (``unknown`` when it is not
installed, for instance when running from a source tree without an install).
"""

from __future__ import annotations

import functools
import platform
import re

__all__ = ["get_product_info"]

_DIST_NAME = "microsoft-agents-hosting-core"
_UNSAFE = re.compile(r"[\s/()]+")


def _token(value: str) -> str:
    cleaned = _UNSAFE.sub("_", value.strip())
    return cleaned or "unknown"


@functools.lru_cache(maxsize=1)
def get_product_info() -> str:
    """The ``User-Agent`` product string of this SDK (computed once).

    Returns:
        ``agents-sdk-py/<version> python/<x.y.z> <platform>-<arch>/<release>``.
    """
    # importlib.metadata (with zipfile and email) takes ~20 ms to import: only when needed.
    import importlib.metadata

    try:
        version = importlib.metadata.version(_DIST_NAME)
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    system = _token(platform.system().lower())
    arch = _token(platform.machine().lower())
    release = _token(platform.release())
    python = _token(platform.python_version())
    return f"agents-sdk-py/{_token(version)} python/{python} {system}-{arch}/{release}"
