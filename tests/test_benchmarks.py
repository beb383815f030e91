"""The benchmarks still measure what they say: a tiny run of each that needs
no outside tool, checked for its shape only (times are never asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def test_submit_cost_stores_every_answer_and_reports_each_step():
    """Every variant's answers are stored (the benchmark stops on any answer
    that is not), and each of the portal's own steps it claims to leave out
    still exists under the name it replaces."""
    done = subprocess.run(
        [
            sys.executable,
            "benchmarks/submit_cost.py",
            "--db",
            "sqlite",
            "--answers",
            "5",
            "--rounds",
            "1",
            "--desks",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = re.findall(
        r"^\| (portal as it is|without [a-z ]+|all four left out) \| (\d+) \| ([\d.]+) \|$", done.stdout, re.M
    )
    assert [label for label, *_ in rows] == [
        "portal as it is",
        "without span scores",
        "without weights lock",
        "without plausibility",
        "without alert check",
        "all four left out",
    ]
    assert all(int(micros) > 0 for _, micros, _ in rows)
    assert re.search(r"portal /healthz \d+ µs, same-work /get \d+ µs", done.stdout)
