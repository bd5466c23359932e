"""docs/benchmarks.md: each benchmark rewrites its own section and leaves the rest alone.

A section is the text between `<!-- section:NAME -->` and `<!-- /section:NAME -->`; what lies
outside the markers (the introduction, notes written by hand) is kept as it is.
"""

from pathlib import Path

import config

BENCHMARKS = config.ROOT / "docs" / "benchmarks.md"


def markers(name: str) -> tuple[str, str]:
    return f"<!-- section:{name} -->", f"<!-- /section:{name} -->"


def replace_section(name: str, text: str, path: Path = BENCHMARKS) -> None:
    """Put `text` in section `name`, replacing what it held; a new section goes at the end."""
    begin, end = markers(name)
    block = f"{begin}\n{text.strip()}\n{end}"
    existing = path.read_text() if path.exists() else "# Benchmarks\n"
    if begin in existing and end in existing:
        before, rest = existing.split(begin, 1)
        after = rest.split(end, 1)[1]
        updated = before + block + after
    else:
        updated = existing.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(updated)


def publish(name: str, section: str, *, print_only: bool) -> None:
    """Write a benchmark's section into docs/benchmarks.md, or only print it."""
    if print_only:
        print(section)
        return
    replace_section(name, section)
    print(f"{name}: wrote docs/benchmarks.md", flush=True)
