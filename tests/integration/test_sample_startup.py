"""How the samples start: the auth sample's refusals, and the settings the index documents.

The auth sample is run as the user runs it (``python app.py``, in a child process) from a
copy in a temporary folder, next to its ``env.TEMPLATE`` and a ``.env`` the test writes:
a ``.env`` the developer keeps next to the real sample then plays no part. Every case is a
configuration that cannot work, so the sample exits before it would serve anything; what
the user must read is one line saying what to fill in, and nothing else (no traceback, no
development-mode warning).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .support import SAMPLES, TIMEOUT

SETTING = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
CLIENT_ID = f"{SETTING}CLIENTID=c0ffee00-1234-4abc-8def-0123456789ab"
CLIENT_SECRET = f"{SETTING}CLIENTSECRET=local-test-secret~4Jq"
TENANT_ID = f"{SETTING}TENANTID=7a1c2e3f-4b5d-4e6f-8a9b-0c1d2e3f4a5b"
TEMPLATE = (SAMPLES / "auth" / "env.TEMPLATE").read_text()
NIL_GUID = "00000000-0000-0000-0000-000000000000"


def run_auth_sample(folder: Path, dotenv: str | None) -> subprocess.CompletedProcess[str]:
    """Run a copy of the auth sample in ``folder`` with ``dotenv`` as its ``.env``."""
    for name in ("app.py", "env.TEMPLATE"):
        shutil.copy(SAMPLES / "auth" / name, folder / name)
    if dotenv is not None:
        (folder / ".env").write_text(dotenv)
    # Only what the .env says: no connection settings, no port from the test's environment.
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CONNECTIONS", "AGENTAPPLICATION")) and name != "PORT"
    }
    return subprocess.run(
        [sys.executable, str(folder / "app.py")],
        capture_output=True,
        text=True,
        env=environment,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.mark.parametrize(
    ("dotenv", "expected"),
    [
        pytest.param(None, "No app registration is configured. Copy ", id="no-env-file"),
        pytest.param(
            TEMPLATE,
            f"{SETTING}CLIENTID still holds the placeholder of env.TEMPLATE ({NIL_GUID})",
            id="template-as-is",
        ),
        pytest.param(
            TEMPLATE.replace(f"CLIENTID={NIL_GUID}", CLIENT_ID.split("__")[-1]).replace(
                f"TENANTID={NIL_GUID}", TENANT_ID.split("__")[-1]
            ),
            f"{SETTING}CLIENTSECRET still holds the placeholder of env.TEMPLATE",
            id="template-secret-left",
        ),
        pytest.param(f"{CLIENT_ID}\n{CLIENT_SECRET}\n", "TENANTID is missing", id="no-tenant-id"),
        pytest.param(f"{CLIENT_ID}\n{TENANT_ID}\n", "CLIENTSECRET is missing", id="no-secret"),
        pytest.param(
            f"{CLIENT_SECRET}\n{TENANT_ID}\n", f"{SETTING}CLIENTID is missing", id="no-client-id"
        ),
        pytest.param(
            f"{CLIENT_ID}\n{CLIENT_SECRET}\n{TENANT_ID}\n{SETTING}AUTHTYPE=Bogus\n",
            "AUTHTYPE 'Bogus' is not a known auth type",
            id="unknown-auth-type",
        ),
    ],
)
def test_auth_sample_refuses_a_configuration_that_cannot_work_in_one_line(
    tmp_path: Path, dotenv: str | None, expected: str
) -> None:
    result = run_auth_sample(tmp_path, dotenv)

    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()  # the refusal alone: no traceback, no other log line
    assert expected in line
    assert "DEVELOPMENT MODE" not in line


def test_the_index_names_the_port_setting_of_every_sample() -> None:
    index = (SAMPLES / "README.md").read_text()
    settings = {
        name
        for source in SAMPLES.glob("*/*.py")
        for name in re.findall(r'os\.environ\.get\("(\w*PORT)"', source.read_text())
    }

    assert settings >= {"PORT", "SKILL_PORT"}
    assert {name for name in settings if f"`{name}`" not in index} == set()
