"""What every benchmark records: the machine it ran on, and its own section of RESULTS.md."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path
from typing import Any

RESULTS_MD = Path(__file__).parent / "RESULTS.md"


def machine() -> dict[str, Any]:
    return {
        "node": platform.node(),
        "system": f"{platform.system()} {platform.release()}",
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def replace_section(heading: str, section: str, path: Path = RESULTS_MD) -> None:
    """Put ``section`` (which starts with ``heading``, e.g. ``## Flood``) in place of the
    section of that heading, or at the end; the other benchmarks' sections stay as they are."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
