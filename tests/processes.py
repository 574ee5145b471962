"""Stopping a server started as a real process by a test: SIGINT (its Ctrl+C path), then kill if it hangs."""

from __future__ import annotations

import signal
import subprocess


def interrupt(process: subprocess.Popen, timeout: float = 20) -> None:
    """Send Ctrl+C, wait for the exit (kill after ``timeout`` s) and close the pipes."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stdout.close()
    process.stderr.close()
