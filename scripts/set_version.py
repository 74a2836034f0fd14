"""Set the one version every package of the workspace is released under.

Usage::

    python3 scripts/set_version.py 0.2.0

Writes the root ``VERSION``, the ``VERSION`` of each library (a real file, not a link, so
that a source distribution carries it) and the exact pins between workspace packages
(``microsoft-agents-hosting-core==0.2.0``). ``tests/test_packaging.py`` checks that they
agree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_VERSION = re.compile(r"\d+\.\d+\.\d+([a-z]+\d+)?")
_PIN = re.compile(r'("microsoft-agents-[a-z-]+)==[^"]+(")')


def set_version(version: str) -> list[Path]:
    """Write ``version`` everywhere it is kept; the files changed."""
    if not _VERSION.fullmatch(version):
        raise SystemExit(f"not a release version: {version!r} (expected e.g. 1.2.3 or 1.2.3rc1)")
    changed = []
    for path in [ROOT / "VERSION", *sorted(ROOT.glob("libraries/*/VERSION"))]:
        if path.read_text() != f"{version}\n":
            path.write_text(f"{version}\n")
            changed.append(path)
    for path in sorted(ROOT.glob("libraries/*/pyproject.toml")):
        text = path.read_text()
        pinned = _PIN.sub(rf"\g<1>=={version}\g<2>", text)
        if pinned != text:
            path.write_text(pinned)
            changed.append(path)
    return changed


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    for path in set_version(argv[0]):
        print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
