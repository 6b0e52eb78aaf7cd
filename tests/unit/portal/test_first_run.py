"""First run: `make run` prints the address it really serves (honouring PORT) and the demo accounts."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from portal.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[3]


def test_demo_accounts_are_listed_with_their_roles_and_the_password(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "accounts"])

    assert result.exit_code == 0, result.output
    assert f"(contraseña: {DEMO_PASSWORD})" in result.output
    assert re.search(r"^  lider\.ed +Líder de economía digital", result.output, re.M)
    assert re.search(r"^  control\.interno +Control interno$", result.output, re.M)


def test_run_script_prints_and_serves_the_same_port() -> None:
    script = (ROOT / "scripts" / "run-dev.sh").read_text()

    assert 'port="${PORT:-5000}"' in script
    assert "http://127.0.0.1:${port}/" in script
    assert '--port "${port}"' in script
    assert "flask demo accounts" in script
    assert "`PORT`" in (ROOT / "README.md").read_text()
