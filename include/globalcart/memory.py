"""This process's peak memory, step by step (Linux: the kernel's high-water mark, reset on request)."""

from __future__ import annotations

import re
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def reset_peak() -> None:
    """Start a new high-water mark, so the next `peak_mb` covers only what runs from here."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:  # not Linux, or not allowed: peaks then cover the whole process
        pass


def peak_mb() -> float:
    """The resident memory's high-water mark since the process started or `reset_peak` (MB)."""
    try:
        match = re.search(r"^VmHWM:\s+(\d+) kB", _STATUS.read_text(), re.MULTILINE)
    except OSError:
        match = None
    if match is None:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return int(match.group(1)) / 1024
