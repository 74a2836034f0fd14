"""docs/conformance.md must match what scripts/conformance_table.py generates."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "conformance_table.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("conformance_table", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _load_script()


def test_conformance_doc_is_up_to_date(script: ModuleType) -> None:
    try:
        problem = script.check(ROOT)
    except script.ConformanceError as exc:
        pytest.fail(f"scripts/conformance_table.py cannot build the table:\n{exc}")
    if problem:
        pytest.fail(
            "docs/conformance.md is stale; run `python3 scripts/conformance_table.py` "
            f"and commit the result.\n{problem}"
        )


def test_ids_are_matched_as_whole_words(script: ModuleType) -> None:
    assert script.ids_in("test_locale_A3020_kept") == {"A3020"}
    assert script.ids_in("A3020#2, A3021: both") == {"A3020#2", "A3021"}
    assert script.ids_in("XA3020 A30201 A302") == {"A30201"}
    assert script.ids_in("A10100 and C8202.") == {"A10100", "C8202"}


def test_every_applicable_row_must_be_accounted_for(script: ModuleType) -> None:
    spec = (
        "| id | level | binds | SDK? | requirement | checks |\n|---|---|---|---|---|---|\n"
        "| A0001 | MUST | sender | Y | made-up row | - |\n"
    )
    with pytest.raises(script.ConformanceError, match="A0001"):
        script.build(spec, {})


def test_notes_for_rows_that_do_not_exist_are_refused(script: ModuleType) -> None:
    spec = (ROOT / "docs" / "activity-requirements.md").read_text(encoding="utf-8")
    bogus = {**script.NOTES, "A0000": (script.NOT_YET, "nothing")}
    original = script.NOTES
    script.NOTES = bogus
    try:
        with pytest.raises(script.ConformanceError, match="A0000"):
            script.build(spec, script.scan_tests(ROOT / "tests", ROOT))
    finally:
        script.NOTES = original
