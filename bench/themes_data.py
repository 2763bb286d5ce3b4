"""The labelled data sets in ``../shared/data`` that the themes benchmark scores against."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """``$ASCOLTO_SHARED_DATA`` or ``../shared/data`` beside the repository."""
    env = os.environ.get("ASCOLTO_SHARED_DATA")
    return Path(env) if env else (REPO_ROOT / ".." / "shared" / "data").resolve()


@dataclass(frozen=True)
class LabelledSet:
    name: str
    lang: str
    texts: list[str]
    labels: list[str]

    @property
    def n_labels(self) -> int:
        return len(set(self.labels))


def _sib(root: Path, code: str, lang: str) -> LabelledSet:
    texts: list[str] = []
    labels: list[str] = []
    for part in ("train", "dev", "test"):
        path = root / "sib200" / f"{code}_Latn_{part}.tsv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                texts.append(row["text"])
                labels.append(row["category"])
    return LabelledSet(f"sib200-{lang}", lang, texts, labels)


def _short(root: Path, name: str, label_file: str) -> LabelledSet:
    folder = root / "short-text"
    texts = (folder / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    labels = (folder / label_file).read_text(encoding="utf-8").splitlines()
    n = min(len(texts), len(labels))
    return LabelledSet(name, "en", [t.strip() for t in texts[:n]], [s.strip() for s in labels[:n]])


def load_sets(names: list[str] | None = None) -> list[LabelledSet]:
    """Every labelled set (or those named), in a fixed order; missing folder → empty list."""
    root = shared_data_dir()
    if not root.is_dir():
        return []
    loaders = {
        "sib200-it": lambda: _sib(root, "ita", "it"),
        "sib200-en": lambda: _sib(root, "eng", "en"),
        "StackOverflow": lambda: _short(root, "StackOverflow", "StackOverflow_label.txt"),
        "SearchSnippets": lambda: _short(root, "SearchSnippets", "SearchSnippets_label.txt"),
        "Tweet": lambda: _short(root, "Tweet", "Tweet_LABEL.txt"),
    }
    return [loaders[n]() for n in (names or list(loaders))]
