"""Property tests of the round trip: real payloads, changed the ways channels change them.

The corpus test (test_roundtrip.py) shows the 103 real payloads come back unchanged. Here
hypothesis takes those payloads and adds what newer channels add (keys the models do not
know, at any level, holding any JSON) and puts other text in free-text fields; the result
must still come back unchanged, through a dict and through JSON text. Runs are
derandomized, so a failure is the same on every machine and in CI.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microsoft_agents.activity import Activity

from .conftest import FIXTURES, load_fixture, wire

NAMES = sorted(p.name for p in FIXTURES.glob("*.json"))
FREE_TEXT = frozenset({"text", "name", "summary", "title", "subtitle"})

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _dict_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Where a key may be added: every object, but not a typed map of entities."""
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        if not (path and path[-1] == "entities"):
            found.append(path)
        for key, item in value.items():
            found.extend(_dict_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_dict_paths(item, (*path, index)))
    return found


def _text_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in FREE_TEXT and isinstance(item, str):
                found.append((*path, key))
            found.extend(_text_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_text_paths(item, (*path, index)))
    return found


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


@st.composite
def changed_payloads(draw: st.DrawFn) -> dict[str, Any]:
    payload = copy.deepcopy(load_fixture(draw(st.sampled_from(NAMES))))
    objects = _dict_paths(payload)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        target = _at(payload, draw(st.sampled_from(objects)))
        key = "x" + draw(st.text(min_size=1, max_size=10))
        target[key] = draw(json_values)
    texts = _text_paths(payload)
    if texts:
        *parent, key = draw(st.sampled_from(texts))
        _at(payload, tuple(parent))[key] = draw(st.text(max_size=40))
    return payload


@settings(
    derandomize=True,
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(changed_payloads())
def test_what_channels_add_comes_back_unchanged(payload: dict[str, Any]) -> None:
    """A2005 under change: new keys anywhere, any JSON in them, other text in text fields."""
    activity = Activity.model_validate(payload)
    assert wire(activity) == payload
    from_text = Activity.model_validate_json(json.dumps(payload))
    assert wire(from_text) == payload
    assert Activity.model_validate(wire(activity)) == activity
