"""What every live benchmark writes beside its figures: the machine, the versions, the command."""

import os
import platform
import shlex
import sys
from importlib.metadata import version
from pathlib import Path


def machine(load_averages: tuple[float, float] | None = None) -> str:
    """The machine, and its one-minute load average: when the run began and when it ended, if
    given (a busy machine's figures are read beside it); else the present one."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "unknown CPU")
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    if load_averages:
        load = f"load average {load_averages[0]:.1f} when the run began, {load_averages[1]:.1f} when it ended"
    else:
        load = f"load average {os.getloadavg()[0]:.1f} when the run began"
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory_kb / 1024 / 1024:.0f} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; {load}"
    )


def versions(*packages: str) -> str:
    return ", ".join(f"{name} {version(name)}" for name in packages)


def command_line() -> str:
    """The command that ran, as typed from the project root."""
    arguments = sys.argv[1:]
    module = "bench" if sys.argv[0].endswith("__main__.py") and Path(sys.argv[0]).parent.name == "bench" else Path(sys.argv[0]).stem
    return shlex.join([".venv/bin/python", "-m", module if module == "bench" else f"bench.{module}", *arguments])


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def verdict(ok: bool) -> str:
    return "" if ok else " ⚠"


def command_block(needs: str) -> list[str]:
    """The lines that end a section: how to run it again, and what must be running."""
    return [f"Command (from the project root; {needs}):", "", "```sh", command_line(), "```"]
