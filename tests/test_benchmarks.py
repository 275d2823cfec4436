"""Every benchmark script runs from a clone anywhere: it finds this clone's code and the shared
real data by itself, offers --quick and --json, and says in one line when real data is absent.
(The figures themselves are measured by running the scripts, never in tests.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPTS = sorted(p for p in BENCHMARKS.glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_benchmark_offers_quick_and_json_from_any_folder(script, tmp_path):
    done = subprocess.run(
        [sys.executable, str(script), "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "--quick" in done.stdout and "--json" in done.stdout


def test_docstrings_name_no_machine_paths():
    for script in BENCHMARKS.glob("*.py"):
        assert "/work/" not in script.read_text(), script.name


def test_missing_real_data_is_said_in_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "agenda_import.py"), "--quick"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "EVENTDESK_REALDATA": str(tmp_path / "nowhere")},
    )
    assert done.returncode != 0
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "fosdem-2026.xml is missing" in message and str(tmp_path / "nowhere") in message
