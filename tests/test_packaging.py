"""The workspace's packaging rules, checked on the source tree.

Each library under ``libraries/`` is its own distribution: it ships ``py.typed``, never an
``__init__.py`` in the shared namespace folders, takes its version from the root ``VERSION``,
and depends (in metadata and in its imports) only on the layers below it. Every module
imports on its own in a fresh interpreter (no import cycles), and every Python example in a
library README runs as written.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    tomllib = pytest.importorskip("tomli", reason="tomli reads pyproject.toml on Python 3.10")

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = sorted(p for p in (ROOT / "libraries").iterdir() if (p / "pyproject.toml").is_file())

# distribution -> (import package, workspace distributions it may depend on, third-party
# top-level modules it may import)
LAYERS: dict[str, tuple[str, set[str], set[str]]] = {
    "microsoft-agents-activity": (
        "microsoft_agents.activity",
        set(),
        {"pydantic", "pydantic_core"},
    ),
    "microsoft-agents-hosting-core": (
        "microsoft_agents.hosting.core",
        {"microsoft-agents-activity"},
        # pytest only in the test kit's plugin module, which pytest alone imports
        {"aiohttp", "jwt", "yarl", "multidict", "pydantic", "pydantic_core", "pytest"},
    ),
    "microsoft-agents-authentication-msal": (
        "microsoft_agents.authentication.msal",
        {"microsoft-agents-activity", "microsoft-agents-hosting-core"},
        {"msal", "aiohttp", "jwt", "pydantic", "cryptography"},
    ),
    "microsoft-agents-hosting-aiohttp": (
        "microsoft_agents.hosting.aiohttp",
        {"microsoft-agents-activity", "microsoft-agents-hosting-core"},
        {"aiohttp", "yarl", "multidict", "jwt", "pydantic"},
    ),
    "microsoft-agents-hosting-teams": (
        "microsoft_agents.hosting.teams",
        {"microsoft-agents-activity", "microsoft-agents-hosting-core"},
        {"aiohttp", "pydantic"},
    ),
}
IMPORT_TO_DIST = {package: dist for dist, (package, _, _) in LAYERS.items()}


def _project(library: Path) -> dict[str, Any]:
    project: dict[str, Any] = tomllib.loads((library / "pyproject.toml").read_text())["project"]
    return project


def _requirement_name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower()


def _modules(library: Path) -> list[str]:
    src = library / "src"
    names = []
    for path in sorted(src.rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def test_every_library_is_known() -> None:
    assert {_project(lib)["name"] for lib in LIBRARIES} <= set(LAYERS)
    assert LIBRARIES, "no library found under libraries/"


@pytest.mark.parametrize("library", LIBRARIES, ids=lambda p: p.name)
def test_namespace_folders_have_no_init(library: Path) -> None:
    namespace = library / "src" / "microsoft_agents"
    assert not (namespace / "__init__.py").exists()
    assert not (namespace / "hosting" / "__init__.py").exists()


@pytest.mark.parametrize("library", LIBRARIES, ids=lambda p: p.name)
def test_package_ships_py_typed_and_readme(library: Path) -> None:
    package = LAYERS[str(_project(library)["name"])][0]
    assert (library / "src" / Path(*package.split(".")) / "py.typed").is_file()
    readme = (library / "README.md").read_text()
    assert "pip install" in readme
    assert "```python" in readme


@pytest.mark.parametrize("library", LIBRARIES, ids=lambda p: p.name)
def test_version_comes_from_the_root_version_file(library: Path) -> None:
    """Each library carries the root VERSION as a real file (a link would point outside
    its source distribution); ``scripts/set_version.py`` writes them all."""
    project = _project(library)
    assert project.get("dynamic") == ["version"]
    assert not (library / "VERSION").is_symlink()
    assert (library / "VERSION").read_text() == (ROOT / "VERSION").read_text()
    assert re.fullmatch(r"\d+\.\d+\.\d+([a-z]+\d+)?", (ROOT / "VERSION").read_text().strip())


@pytest.mark.parametrize("library", LIBRARIES, ids=lambda p: p.name)
def test_declared_dependencies_point_down_the_layers(library: Path) -> None:
    project = _project(library)
    dist = str(project["name"])
    _, allowed_workspace, _ = LAYERS[dist]
    declared = {_requirement_name(r) for r in project.get("dependencies", [])}
    workspace = {name for name in declared if name.startswith("microsoft-agents-")}
    upward = workspace - allowed_workspace
    assert not upward, f"{dist} depends on higher or unknown layers {upward}"


@pytest.mark.parametrize("library", LIBRARIES, ids=lambda p: p.name)
def test_workspace_pins_match_the_shared_version(library: Path) -> None:
    """Workspace packages depend on each other at exactly the release in VERSION: a range
    would also admit the original SDK's releases of the same names on PyPI (0.1.2, say)."""
    version = (ROOT / "VERSION").read_text().strip()
    for requirement in _project(library).get("dependencies", []):
        if requirement.startswith("microsoft-agents-"):
            assert requirement.endswith(f"=={version}"), requirement


@pytest.mark.parametrize("library", LIBRARIES, ids=lambda p: p.name)
def test_imports_stay_within_the_layer(library: Path) -> None:
    """No module imports a higher layer or a third-party package its layer does not allow."""
    dist = str(_project(library)["name"])
    own, allowed_workspace, allowed_third_party = LAYERS[dist]
    allowed_packages = {own} | {LAYERS[d][0] for d in allowed_workspace}
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    offending = []
    for path in sorted((library / "src").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".", 1)[0]
                if top == "microsoft_agents":
                    if not any(name == p or name.startswith(p + ".") for p in allowed_packages):
                        offending.append(f"{path.name}: {name}")
                elif top not in stdlib and top not in allowed_third_party:
                    offending.append(f"{path.name}: {name}")
    assert offending == []


def test_each_module_imports_alone() -> None:
    """Every module imported first, in a fresh interpreter, must not hit an import cycle.

    The interpreters run side by side (a few at a time) to keep the suite quick.
    """
    modules = [module for library in LIBRARIES for module in _modules(library)]
    failures: dict[str, str] = {}
    batch = max(2, os.cpu_count() or 2) * 2
    for start in range(0, len(modules), batch):
        running = {
            module: subprocess.Popen(
                [sys.executable, "-c", f"import {module}"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for module in modules[start : start + batch]
        }
        for module, process in running.items():
            _, stderr = process.communicate(timeout=120)
            if process.returncode != 0:
                failures[module] = stderr.strip().splitlines()[-1]
    assert failures == {}


@pytest.mark.parametrize("library", LIBRARIES, ids=lambda p: p.name)
def test_readme_examples_run(library: Path, tmp_path: Path) -> None:
    readme = (library / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    assert blocks
    for number, block in enumerate(blocks):
        script = tmp_path / f"example_{number}.py"
        script.write_text(textwrap.dedent(block))
        result = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=False, cwd=tmp_path
        )
        assert result.returncode == 0, f"README example {number} failed:\n{result.stderr}"


def test_root_readme_quick_start_is_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    assert block is not None
    commands = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    assert [c for c in commands if c] == [
        "python3 scripts/dev.py start",
        "python3 scripts/dev.py test",
    ]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 scripts/dev.py test" in ci


def test_quick_start_sample_runs() -> None:
    sample = ROOT / "test_samples" / "activity_quickstart" / "main.py"
    result = subprocess.run(
        [sys.executable, str(sample)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert '"text": "You said: hello there"' in result.stdout


def test_start_command_serves_the_quickstart(monkeypatch: pytest.MonkeyPatch) -> None:
    """``dev.py start`` runs the samples env's script that starts the echo agent.

    Checked without starting anything: dev.py's hatch bootstrap and its subprocess call are
    replaced, and the command it would run is matched against the root pyproject.toml.
    """
    import importlib.util

    spec = importlib.util.spec_from_file_location("_dev_script", ROOT / "scripts" / "dev.py")
    assert spec is not None
    assert spec.loader is not None
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)

    commands: list[list[str]] = []

    def record(cmd: list[str], env: dict[str, str]) -> int:
        commands.append(cmd)
        return 0

    monkeypatch.setattr(dev, "ensure_hatch", lambda: Path("/hatch"))
    monkeypatch.setattr(dev, "find_interpreters", lambda: {"3.11": Path(sys.executable)})
    monkeypatch.setattr(dev, "run", record)
    assert dev.main(["start"]) == 0
    assert commands == [[str(Path("/hatch")), "run", "samples:quickstart"]]

    env_name, script_name = commands[0][2].split(":", 1)
    workspace = tomllib.loads((ROOT / "pyproject.toml").read_text())
    script = workspace["tool"]["hatch"]["envs"][env_name]["scripts"][script_name]
    assert script.split()[:2] == ["python", "test_samples/quickstart/app.py"]
    app = ROOT / "test_samples" / "quickstart" / "app.py"
    source = app.read_text()
    main_block = source.split('if __name__ == "__main__":', 1)[1]
    assert "start_server(AGENT_APP)" in main_block
    # The samples env installs every library, hosting-aiohttp included.
    members = workspace["tool"]["hatch"]["envs"]["default"]["workspace"]["members"]
    assert members == ["libraries/*"]
    assert workspace["tool"]["hatch"]["envs"][env_name].get("template", "default") == "default"
    assert (ROOT / "libraries" / "microsoft-agents-hosting-aiohttp" / "pyproject.toml").is_file()
