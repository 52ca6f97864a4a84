"""Schemathesis against our own OpenAPI schema on a real uvicorn: no 5xx, no violations.

Runs the schemathesis CLI (bounded by examples and time) as a user would.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from practice_search.config import Settings
from retriever import Retriever
from service import create_app
from tests.service.conftest import LiveServer


def test_api_conforms_to_its_schema(service_settings: Settings, fake_retriever: Retriever) -> None:
    cli = Path(sys.executable).with_name("schemathesis")
    with LiveServer(create_app(service_settings, retriever=fake_retriever)) as server:
        out = subprocess.run(
            [
                str(cli),
                "run",
                f"{server.url}openapi.json",
                "--checks",
                "all",
                "--max-examples",
                "30",
                "--max-time",
                "120",
                "--seed",
                "1",
                "--generation-deterministic",
                "--continue-on-failure",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    report = out.stdout[-6000:] + out.stderr[-2000:]
    assert out.returncode == 0, report
    # every documented operation was exercised, and every generated case passed
    operations = sum(len(ops) for ops in server.app.openapi()["paths"].values())
    tested = re.search(r"Tested: (\d+)", out.stdout)
    assert tested is not None and int(tested.group(1)) == operations, report
    cases = re.search(r"(\d+) generated, (\d+) passed", out.stdout)
    assert cases is not None and cases.group(1) == cases.group(2) != "0", report
