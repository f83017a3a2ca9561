"""Facts about the machine a run happened on, for the report's header."""

import os
import platform
import resource
import shutil
import subprocess
import sys
from pathlib import Path


def _first_line(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        return "not installed"
    done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def _proc_value(path: str, key: str) -> str:
    try:
        with open(path) as source:
            for line in source:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _os_name() -> str:
    try:
        with open("/etc/os-release") as source:
            for line in source:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def _autogroup_setting() -> str:
    try:
        return "on" if Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1" else "off"
    except OSError:
        return "unknown"


def facts() -> dict[str, str]:
    memory_kib = _proc_value("/proc/meminfo", "MemTotal").split()[0]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "CPU model": _proc_value("/proc/cpuinfo", "model name"),
        "memory": f"{int(memory_kib) / 1024 / 1024:.1f} GiB" if memory_kib.isdigit() else memory_kib,
        "OS / kernel": f"{_os_name()} / {platform.release()}",
        "HAProxy": _first_line(["haproxy", "-v"]).split(" - ")[0],
        "Python": sys.version.split()[0],
        "nginx": _first_line(["nginx", "-v"]),
        "wrk": _first_line(["wrk", "-v"]).split(" Copyright")[0],
        "open files (ulimit -n)": f"{soft} (hard {hard})",
        "scheduler autogroups (kernel.sched_autogroup_enabled)": _autogroup_setting(),
    }


def load_average() -> str:
    """The 1/5/15-minute load averages: other work on the machine shows here."""
    try:
        with open("/proc/loadavg") as source:
            return " / ".join(source.read().split()[:3])
    except OSError:
        return "unknown"
