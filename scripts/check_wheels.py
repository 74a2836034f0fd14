"""Build every library on its own and prove each wheel installs and imports alone.

For each folder under ``libraries/``: ``hatch build`` there (wheel + sdist), create a clean
virtual environment, install that wheel with the folder of all the built wheels as
``--find-links`` (pip must pick the workspace dependencies from there, at the shared
version), import its package, and build a wheel from its sdist with pip. The environment
must then hold nothing beyond what the package declares (and their own dependencies):
installing a low layer never pulls a higher one, and nothing undeclared sneaks in.

Run by ``.ci/run`` after the tests; needs the bootstrap venv (``python3 scripts/dev.py``
creates it) and access to the package index for the third-party dependencies.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import venv
import zipfile
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # hatch brings tomli into the bootstrap venv on 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ROOT / "libraries"
HATCH = ROOT / ".venv" / "bin" / "hatch"


def _name(requirement: str) -> str:
    for stop in "<>=!~;[ ":
        requirement = requirement.split(stop, 1)[0]
    return requirement.strip().lower().replace("_", "-")


def _import_name(folder: Path) -> str:
    src = folder / "src"
    inits = sorted(
        path.parent
        for path in src.rglob("__init__.py")
        if not any(part.startswith("_") for part in path.relative_to(src).parts[:-1])
    )
    top = min(inits, key=lambda path: len(path.parts))
    return ".".join(top.relative_to(src).parts)


def build(folder: Path, out: Path) -> tuple[Path, Path]:
    """``hatch build`` of one library: its wheel and its sdist."""
    subprocess.run([str(HATCH), "build", "--clean", str(out)], cwd=folder, check=True)
    wheels = sorted(out.glob("*.whl"))
    sdists = sorted(out.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        raise SystemExit(f"{folder.name}: expected one wheel and one sdist in {out}")
    return wheels[0], sdists[0]


def check_sdist(sdist: Path, wheel: Path, python: Path, out: Path) -> None:
    """The sdist builds, with the pip a user has, into a wheel of the same files."""
    subprocess.run(
        [str(python), "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--wheel-dir", str(out), str(sdist)],
        check=True,
    )  # fmt: skip
    [rebuilt] = out.glob("*.whl")

    def files(path: Path) -> set[str]:
        return {name for name in zipfile.ZipFile(path).namelist() if not name.endswith("RECORD")}

    if files(rebuilt) != files(wheel):
        raise SystemExit(
            f"{sdist.name}: the wheel built from it differs: {files(rebuilt) ^ files(wheel)}"
        )


# Imports the package, then reports what is installed and the closure of the package's
# declared requirements (every extra counted, markers ignored: a superset, so anything
# outside it was pulled in by something undeclared).
_PROBE = """
import importlib, importlib.metadata as m, json, re
importlib.import_module({module!r})
norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
seen, todo = set(), [norm({dist!r})]
while todo:
    name = todo.pop()
    if name in seen:
        continue
    seen.add(name)
    try:
        requirements = m.requires(name) or []
    except m.PackageNotFoundError:
        continue
    todo.extend(norm(re.split(r"[<>=!~;\\[ (]", r, maxsplit=1)[0]) for r in requirements)
print(json.dumps({{
    "installed": sorted(norm(d.metadata["Name"]) for d in m.distributions()),
    "closure": sorted(seen),
}}))
"""

# The installed versions of the named distributions.
_VERSIONS = """
import importlib.metadata as m, json
print(json.dumps({{name: m.version(name) for name in {names!r}}}))
"""

NAMESPACE_INITS = (
    "microsoft_agents/__init__.py",
    "microsoft_agents/hosting/__init__.py",
    "microsoft_agents/authentication/__init__.py",
)


def inspect_wheel(wheel: Path, module: str) -> None:
    """The wheel ships py.typed and never claims the shared namespace folders."""
    names = set(zipfile.ZipFile(wheel).namelist())
    package_dir = module.replace(".", "/")
    if f"{package_dir}/py.typed" not in names:
        raise SystemExit(f"{wheel.name}: {package_dir}/py.typed is missing")
    clashing = [name for name in NAMESPACE_INITS if name in names]
    if clashing:
        raise SystemExit(f"{wheel.name}: ships namespace __init__ files {clashing}")


def _workspace_closure(dist: str, requirements: dict[str, set[str]]) -> set[str]:
    """The workspace packages ``dist`` needs, directly or through another one."""
    needed: set[str] = set()
    todo = [name for name in requirements[dist] if name in requirements]
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            todo.extend(n for n in requirements[name] if n in requirements)
    return needed


def check(
    folder: Path,
    builds: dict[str, tuple[Path, Path]],
    requirements: dict[str, set[str]],
    workdir: Path,
) -> None:
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    dist = project["name"]
    wheels = {name: wheel for name, (wheel, _) in builds.items()}
    needed = _workspace_closure(dist, requirements)
    env_dir = workdir / f"venv-{dist}"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # As a user installs from a folder of our wheels: pip resolves the workspace
    # dependencies itself. The index also has the original SDK's releases under the same
    # names (0.1.2, 1.9.0, ...); only the exact pins keep pip on the wheels just built.
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    wheelhouse = str(workdir / "wheelhouse")
    subprocess.run([*pip, "--find-links", wheelhouse, str(wheels[dist])], check=True)
    versions = subprocess.run(
        [str(python), "-I", "-c", _VERSIONS.format(names=sorted(needed))],
        check=True, capture_output=True, text=True, cwd=workdir,
    )  # fmt: skip
    expected = (ROOT / "VERSION").read_text().strip()
    strays = {k: v for k, v in json.loads(versions.stdout).items() if v != expected}
    if strays:
        raise SystemExit(f"{dist}: pip installed other releases of workspace packages {strays}")

    module = _import_name(folder)
    inspect_wheel(wheels[dist], module)
    result = subprocess.run(
        [str(python), "-I", "-c", _PROBE.format(module=module, dist=dist)],
        check=True,
        capture_output=True,
        text=True,
        cwd=workdir,
    )
    report = json.loads(result.stdout)
    installed = set(report["installed"]) - {"pip", "setuptools", "wheel"}
    undeclared = installed - set(report["closure"]) - {"pip", "setuptools", "wheel"}
    if undeclared:
        raise SystemExit(f"{dist}: the environment holds undeclared packages {undeclared}")
    workspace_extra = {name for name in installed if name in wheels} - needed - {dist}
    if workspace_extra:
        raise SystemExit(f"{dist}: installing it pulled other workspace packages {workspace_extra}")
    check_sdist(builds[dist][1], wheels[dist], python, workdir / f"sdist-{dist}")
    print(
        f"[wheels] {dist}: imports as {module}; its sdist builds the same wheel; "
        f"environment: {', '.join(sorted(installed))}"
    )


def main() -> int:
    if not HATCH.exists():
        print("[wheels] run `python3 scripts/dev.py test` first (creates .venv)", file=sys.stderr)
        return 2
    folders = sorted(p for p in LIBRARIES.iterdir() if (p / "pyproject.toml").is_file())
    with tempfile.TemporaryDirectory(prefix="agents-wheels-") as tmp:
        workdir = Path(tmp)
        builds: dict[str, tuple[Path, Path]] = {}
        requirements: dict[str, set[str]] = {}
        wheelhouse = workdir / "wheelhouse"
        wheelhouse.mkdir()
        for folder in folders:
            project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
            requirements[project["name"]] = {_name(r) for r in project.get("dependencies", [])}
            builds[project["name"]] = build(folder, workdir / "dist" / folder.name)
            shutil.copy(builds[project["name"]][0], wheelhouse)
        for folder in folders:
            check(folder, builds, requirements, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
