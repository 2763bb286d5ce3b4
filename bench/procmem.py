"""Memory and loaded libraries of another process, read from Linux's ``/proc``.

No psutil in the project's environment, and none needed: ``/proc/<pid>/status`` has the
resident set now (``VmRSS``) and its peak (``VmHWM``), ``/proc/<pid>/stat`` the parent of
every process (to find a bot's theme job), ``/proc/<pid>/maps`` every file mapped into the
process — each compiled extension a Python import loaded (scikit-learn, numba's llvmlite,
spaCy's cymem/thinc, torch), which is how ``tests/e2e/test_bot_memory.py`` proves from the
outside that the running bot never imported the theme model.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

PROC = Path("/proc")

# Package directories of the theme model's compiled parts (a pure-Python package such as umap
# is caught through what it imports: numba → llvmlite, pynndescent → numba, sklearn).
THEME_MODEL_PACKAGES = ("sklearn", "scipy", "numba", "llvmlite", "spacy", "thinc", "torch")


def available() -> bool:
    return (PROC / "self" / "status").exists()


def status_kb(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` in KiB ({} when the process is gone)."""
    try:
        text = (PROC / str(pid) / "status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return {}
    out: dict[str, int] = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def parent_of(pid: int) -> int | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses; split after the last.
    return int(stat.rsplit(")", 1)[1].split()[1])


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (children, their children, ...)."""
    below: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            parent = parent_of(int(entry.name))
            if parent is not None:
                below.setdefault(parent, []).append(int(entry.name))
    out, todo = [], list(below.get(pid, []))
    while todo:
        child = todo.pop()
        out.append(child)
        todo.extend(below.get(child, []))
    return out


def command_line(pid: int) -> list[str]:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def mapped_packages(pid: int, packages: Iterable[str] = THEME_MODEL_PACKAGES) -> set[str]:
    """Which of ``packages`` have a file (a compiled extension, a shared library) mapped."""
    wanted = set(packages)
    found: set[str] = set()
    for line in (PROC / str(pid) / "maps").read_text().splitlines():
        parts = line.split(None, 5)
        if len(parts) < 6:
            continue
        path_parts = set(Path(parts[5]).parts)
        found |= wanted & path_parts
        # Wheels vendor their libraries next to the package: scipy.libs, numba.libs ...
        found |= {name for name in wanted if f"{name}.libs" in path_parts}
    return found
