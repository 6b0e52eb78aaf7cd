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


def test_run_script_serves_prints_and_links_the_port_it_is_given(tmp_path: Path) -> None:
    """The script itself, run with stand-ins for the worker and for flask that record what they get."""
    import os
    import subprocess

    (tmp_path / "scripts").mkdir()
    script = tmp_path / "scripts" / "run-dev.sh"
    script.write_text((ROOT / "scripts" / "run-dev.sh").read_text())
    script.chmod(0o755)
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    # ``flask run`` serves until stopped: its stand-in waits (at most 20 s) for the background worker
    # to have started, as the real server would still be running then, before the script ends
    serving = {
        "celery": "",
        "flask": 'if [ "$1" = run ]; then for i in $(seq 200); do grep -q "^celery" "$log" && break; sleep 0.1; done; fi\n',
    }
    for tool, then in serving.items():
        stand_in = bin_dir / tool
        stand_in.write_text(f'#!/bin/sh\nlog="$(dirname "$0")/calls.log"\necho "{tool} $* | $PUBLIC_BASE_URL" >> "$log"\n{then}')
        stand_in.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if key != "PUBLIC_BASE_URL"} | {"PORT": "8123"}

    result = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=30, check=True)

    assert "Mesa TIC: http://127.0.0.1:8123/" in result.stdout
    calls = (bin_dir / "calls.log").read_text().splitlines()
    assert "flask run --host 127.0.0.1 --port 8123 | http://127.0.0.1:8123" in calls
    assert "flask demo accounts | http://127.0.0.1:8123" in calls
    # the worker writes e-mails too: its links name the same port
    assert any(call.startswith("celery -A portal.worker") and call.endswith("| http://127.0.0.1:8123") for call in calls)
