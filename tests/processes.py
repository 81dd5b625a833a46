"""Killing a real child process at a chosen moment, as the OOM killer or a power cut would."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable

import pytest


def kill_when(
    child: subprocess.Popen[bytes] | subprocess.Popen[str], ready: Callable[[], bool], what: str
) -> None:
    """SIGKILL the child as soon as `ready()` holds; fail if it ends or 60 s pass before."""
    try:
        deadline = time.monotonic() + 60
        while not ready():
            if child.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the child ended or hung before {what} (exit {child.returncode})")
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
