"""Themes benchmark: quality on every labelled set, then speed and memory by corpus size.

    .venv/bin/python -m bench.themes [--sets NAME,...] [--sizes 1000,10000,100000]
                                     [--backends e5,tfidf] [--skip-quality] [--skip-speed]

Quality: ACC (Hungarian), NMI, ARI with k forced to the true count and with automatic k,
for each shipped backend through the product path (:func:`nlp.pipeline.find_themes`, default
options), beside TF-IDF + NMF run in the same process on the same texts. Texts the product
leaves unassigned ("other", themes under the minimum group size) count as one more cluster.

Speed: texts sampled with replacement from the labelled sets and lightly perturbed (a word
dropped or two swapped). Each size runs in a fresh process so peak memory (max RSS) is its
own. Vectors are "cached": each perturbed text gets its source text's cached vector plus a
little noise, so the figure is the re-clustering cost the product pays once vectors exist;
encoding throughput (texts/s) is measured separately on fresh texts.

Writes bench/results/themes.json and the ``## Themes`` section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.record import replace_section
from bench.themes_baseline import RECIPE_SEEDS, readme_recipe_labels, tfidf_nmf_labels
from bench.themes_data import LabelledSet, load_sets
from nlp.backends import make_encoder
from nlp.cluster import UMAP_MIN, reduce
from nlp.metrics import score
from nlp.pii import scrub
from nlp.pipeline import ThemeOptions, ThemesResult, find_themes
from nlp.vector_cache import FileVectorCache, InMemoryVectorCache, encode_cached, text_hash

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache" / "vectors"
RESULTS_JSON = HERE / "results" / "themes.json"
RESULTS_MD = HERE / "RESULTS.md"


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def predicted(result: ThemesResult, n: int) -> list[int]:
    labels = [-1] * n
    for theme in result.themes:
        for row in theme.members:
            labels[row] = theme.id
    return labels


def quality(sets: list[LabelledSet], backends: list[str]) -> list[dict[str, Any]]:
    cache = FileVectorCache(CACHE)
    rows: list[dict[str, Any]] = []
    for data in sets:
        entry: dict[str, Any] = {"set": data.name, "n": len(data.texts), "labels": data.n_labels}
        start = time.perf_counter()
        # The set's language, as the per-language backends get it (see below).
        baseline = tfidf_nmf_labels(data.texts, data.n_labels, data.lang)
        entry["tfidf_nmf"] = score(data.labels, baseline.tolist()).as_percent()
        entry["tfidf_nmf"]["seconds"] = round(time.perf_counter() - start, 1)
        log(f"{data.name} baseline {entry['tfidf_nmf']}")
        if "e5" in backends:
            entry["e5_recipe"] = recipe(data, cache)
            log(f"{data.name} README recipe {entry['e5_recipe']}")
        for backend in backends:
            for mode, k in (("forced", data.n_labels), ("auto", None)):
                start = time.perf_counter()
                # Per-language backends get the set's language, as staff would pass --lang:
                # keyword-only titles fool any language detector.
                lang = "auto" if backend == "e5" else data.lang
                options = ThemeOptions(backend=backend, k=k, lang=lang)
                result = find_themes(data.texts, options, cache=cache)
                scores = score(data.labels, predicted(result, len(data.texts)))
                figures: dict[str, Any] = dict(scores.as_percent())
                figures.update(
                    k=result.k,
                    unassigned_pct=round(100 * len(result.unassigned) / len(data.texts), 1),
                    seconds=round(time.perf_counter() - start, 1),
                    method=",".join(sorted(set(result.methods.values()))),
                )
                entry[f"{backend}_{mode}"] = figures
                log(f"{data.name} {backend} {mode} {figures}")
        rows.append(entry)
    return rows


def recipe(data: LabelledSet, cache: FileVectorCache) -> dict[str, Any]:
    """The data README's recipe on the same cached e5 vectors: mean and best of three seeds."""
    encoder = make_encoder("e5")
    assert encoder is not None
    scrubbed = [scrub(t or "") for t in data.texts]
    vectors, _ = encode_cached(scrubbed, encoder.encode, cache, f"{encoder.name}:{encoder.model}")
    runs = [
        score(data.labels, readme_recipe_labels(vectors, data.n_labels, seed).tolist())
        for seed in range(RECIPE_SEEDS)
    ]
    figures = [run.as_percent() for run in runs]
    mean = {m: round(float(np.mean([f[m] for f in figures])), 1) for m in ("acc", "nmi", "ari")}
    return {**mean, "best_acc": max(f["acc"] for f in figures), "runs": figures}


def perturb(texts: list[str], n: int, seed: int) -> tuple[list[str], np.ndarray]:
    """``n`` texts drawn with replacement, each lightly changed; returns texts and sources."""
    rng = np.random.default_rng(seed)
    sources = rng.integers(0, len(texts), size=n)
    out: list[str] = []
    for i, source in enumerate(sources):
        words = texts[source].split()
        if len(words) > 3 and i % 2 == 0:
            del words[int(rng.integers(len(words)))]
        elif len(words) > 3:
            a, b = rng.choice(len(words), 2, replace=False)
            words[a], words[b] = words[b], words[a]
        out.append(" ".join(words))
    return out, sources


def pool() -> tuple[list[str], np.ndarray]:
    """Every labelled text whose e5 vector is cached, with those vectors."""
    encoder_ns = None
    texts: list[str] = []
    vectors: list[np.ndarray] = []
    cache = FileVectorCache(CACHE)
    for data in load_sets():
        for folder in CACHE.glob("e5*"):
            encoder_ns = folder.name
        assert encoder_ns is not None, "run bench.themes_encode first"
        found = cache.get_many(encoder_ns, [text_hash(t) for t in data.texts])
        for t in data.texts:
            h = text_hash(t)
            if h in found:
                texts.append(t)
                vectors.append(found[h])
    return texts, np.stack(vectors)


def speed_one(n: int) -> dict[str, Any]:
    """One size, in this process: the product path with every vector already cached."""
    texts, vectors = pool()
    sample, sources = perturb(texts, n, seed=n)
    rng = np.random.default_rng(1)
    noisy = vectors[sources] + rng.normal(scale=0.01, size=(n, vectors.shape[1])).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    del vectors
    encoder = make_encoder("e5")
    assert encoder is not None
    cache = InMemoryVectorCache()
    cache.put_many(
        f"{encoder.name}:{encoder.model}",
        {text_hash(scrub(t)): v for t, v in zip(sample, noisy, strict=True)},
    )
    del noisy
    # numba compiles UMAP on first use (tens of seconds, less with a warm cache): a
    # long-running bot pays it once, so it is timed apart from the clustering.
    start = time.perf_counter()
    warm_up()
    jit = time.perf_counter() - start
    start = time.perf_counter()
    result = find_themes(sample, ThemeOptions(backend="e5"), cache=cache, encoder=encoder)
    total = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    timings = {k: round(v, 2) for k, v in result.timings.items()}
    return {
        "n": n,
        "k": result.k,
        "seconds": round(total, 1),
        "timings": timings,
        "peak_rss_mb": round(peak_mb),
        "umap_warm_up_s": round(jit, 1),
    }


def warm_up() -> None:
    """Run UMAP once on a small random set, so numba's compilation is out of the timing."""
    x = np.random.default_rng(0).normal(size=(UMAP_MIN, 16)).astype(np.float32)
    reduce(x / np.linalg.norm(x, axis=1, keepdims=True))


def speed(sizes: list[int]) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        log(f"speed {n}")
        done = subprocess.run(
            [sys.executable, "-m", "bench.themes", "--speed-one", str(n)],
            capture_output=True,
            text=True,
            cwd=HERE.parent,
            check=False,
        )
        if done.returncode != 0:
            rows.append({"n": n, "error": done.stderr[-500:]})
        else:
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        log(f"speed {n}: {rows[-1]}")
    return rows


def throughput(backends: list[str], count: int = 300) -> dict[str, Any]:
    """Encoding speed on fresh (uncached) texts: short titles and full sentences."""
    sets = {d.name: d for d in load_sets(["StackOverflow", "sib200-it"])}
    result: dict[str, Any] = {}
    for backend in backends:
        encoder = make_encoder(backend)
        if encoder is None:
            continue
        for name, data in sets.items():
            texts = [f"{t} ({i})" for i, t in enumerate(data.texts[:count])]  # never cached
            start = time.perf_counter()
            encode_cached(texts, encoder.encode, None, "none")
            rate = len(texts) / (time.perf_counter() - start)
            result[f"{backend}:{name}"] = round(rate, 1)
            log(f"throughput {backend} {name}: {rate:.1f} texts/s")
    return result


# Issue 5's floors (e5, k forced), taken from the shared data README's best row.
FLOORS: dict[str, dict[str, float]] = {
    "sib200-it": {"acc": 65, "nmi": 50},
    "sib200-en": {"acc": 62},
    "StackOverflow": {"acc": 85},
    "SearchSnippets": {"acc": 77},
    "Tweet": {"nmi": 88},
}


def floors_line(rows: list[dict[str, Any]]) -> str:
    """Each floor against the product (e5, k forced) and the README recipe run here."""
    parts = []
    for row in rows:
        product, recipe = row.get("e5_forced"), row.get("e5_recipe")
        for metric, floor in FLOORS.get(row["set"], {}).items():
            if not product:
                continue
            verdict = "met" if product[metric] >= floor else "MISSED"
            here = f"; recipe here {recipe[metric]}" if recipe else ""
            parts.append(
                f"{row['set']} {metric.upper()} {product[metric]} vs {floor}: {verdict}{here}"
            )
    return "Floors (e5, k forced): " + "; ".join(parts) + "."


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "## Themes",
        "",
        f"Measured {report['date']} on {report['machine']} (`{report['command']}`). "
        "ACC / NMI / ARI in %; product path with default options; unassigned texts count "
        "as one more cluster. Baseline: TF-IDF on lemmas + NMF, same run, same texts, "
        "the set's language given (as to the tfidf backend). README recipe: the "
        "shared data README's best row (e5-small-q + UMAP 5-d + k-means, umap-learn's "
        "defaults), the row the issue's floors come from, run here on the same cached "
        "vectors: mean of three UMAP seeds (the best seed's ACC in brackets). "
        "Clustering: centred vectors, "
        "exact neighbours (among a 10,000-text sample above that size), UMAP (5-d, cosine, "
        "15 neighbours, min_dist 0.1, 200 epochs) + k-means or average linkage on smoothed "
        "vectors, "
        "whichever has the better cosine silhouette; texts outside the sample take their "
        "neighbours' theme; \"other\" = far from the theme's centre and isolated "
        "(nlp/cluster.py). "
        "A partial re-run (`--sets`, `--backends`) replaces only its own cells; the command "
        "above is the latest run's. Other jobs shared the 2 cores during these runs, so "
        "times are upper bounds.",
        "",
        "| set | n | labels | TF-IDF+NMF | README recipe, e5 (best ACC) | e5 forced k "
        "| e5 auto k (k) | tfidf forced k |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def fmt(f: dict[str, Any] | None, with_k: bool = False) -> str:
        if not f:
            return "—"
        text = f"{f['acc']} / {f['nmi']} / {f['ari']}"
        return text + (f" ({f['k']})" if with_k else "")

    def recipe_cell(f: dict[str, Any] | None) -> str:
        return f"{fmt(f)} ({f['best_acc']})" if f else "—"

    for row in report.get("quality", []):
        lines.append(
            f"| {row['set']} | {row['n']} | {row['labels']} | {fmt(row.get('tfidf_nmf'))} | "
            f"{recipe_cell(row.get('e5_recipe'))} | {fmt(row.get('e5_forced'))} | "
            f"{fmt(row.get('e5_auto'), True)} | "
            f"{fmt(row.get('tfidf_forced'))} |"
        )
    if report.get("quality"):
        lines += ["", floors_line(report["quality"])]
    if report.get("speed"):
        lines += [
            "",
            "| texts | themes | total s | vectors (cached) s | clustering s | "
            "preprocess+labels s | peak RSS MB | UMAP JIT warm-up s |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in report["speed"]:
            if "error" in row:
                lines.append(f"| {row['n']} | error | | | | | | |")
                continue
            t = row["timings"]
            other = round(t.get("scrub", 0) + t.get("preprocess", 0) + t.get("label", 0), 1)
            lines.append(
                f"| {row['n']} | {row['k']} | {row['seconds']} | {t.get('vectorise')} | "
                f"{t.get('cluster')} | {other} | {row['peak_rss_mb']} | "
                f"{row.get('umap_warm_up_s', '—')} |"
            )
    if report.get("throughput"):
        lines += [
            "",
            "Encoding throughput (texts/s, fresh texts): "
            + ", ".join(f"{k} {v}" for k, v in report["throughput"].items()),
        ]
    lines += [
        "",
        "UMAP's layout moves with last-bit changes of its input (same seed, the same vectors "
        "re-normalised once more: SearchSnippets 77 vs 83 ACC, SIB-200 Italian 56 vs 61, "
        "2026-11-27), so each figure above is one draw with a spread of a few points. Up to "
        "3,000 texts the k-means of five UMAP seeds are combined (consensus): SIB-200 Italian "
        "moved 55.2 → 56.9 under the same re-normalisation instead of 56 → 61; five single "
        "seeds gave 61.4, 57.1, 55.5, 55.4, 54.6 and their consensus 56.4 — the mean, not more. "
        "The UMAP warm-up (numba compiling, with a warm cache) is paid once per process; "
        "a cold numba cache (new signatures) raised the small sizes' peak RSS to 1.15 GB once.",
        "",
        '"Other" (2026-11-27, same partitions, k forced): the distance-to-centre test '
        "alone put 5.4 % of StackOverflow there (ACC 78.0 vs 80.7 without it) and 1.9 % "
        "of Tweet; far *and* isolated puts 0.0 % and 0.8 % (ACC 80.7, 91.1). Before this "
        "session's changes: StackOverflow 78.7, 10,000 texts clustered in 57 s and 100,000 in "
        "87 s at 1.88 GB (UMAP's NN-descent, numba compiling it in every process, and "
        "scikit-learn's two OpenMP threads waiting on each other on busy cores).",
        "",
        "To re-measure speed on an idle machine: `.venv/bin/python -m bench.themes "
        "--skip-quality` (about 3 minutes; each size in its own process).",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default="")
    parser.add_argument("--backends", default="e5,tfidf")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--speed-one", type=int, default=None)
    args = parser.parse_args()
    if args.speed_one:
        print(json.dumps(speed_one(args.speed_one)))
        return 0
    backends = [b for b in args.backends.split(",") if b]
    report: dict[str, Any] = {
        "name": "themes",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()} {platform.processor() or ''}".strip()
        + f", {len(__import__('os').sched_getaffinity(0))} cores",
        "command": "python -m bench.themes " + " ".join(sys.argv[1:]),
        "python": platform.python_version(),
    }
    if not args.skip_quality:
        sets = load_sets([s for s in args.sets.split(",") if s] or None)
        if not sets:
            log("no labelled data (../shared/data missing)")
            return 1
        report["quality"] = quality(sets, backends)
    if not args.skip_speed:
        report["throughput"] = throughput([b for b in backends if b != "tfidf"])
        report["speed"] = speed([int(s) for s in args.sizes.split(",") if s])
    if RESULTS_JSON.exists():  # keep the parts not re-run this time (read late: runs overlap)
        previous = json.loads(RESULTS_JSON.read_text(encoding="utf-8"))
        for key in ("quality", "speed", "throughput"):
            if key in previous and key not in report:
                report[key] = previous[key]
        if "quality" in previous and (
            args.sets or args.backends != "e5,tfidf"
        ):  # a partial re-run replaces only its sets
            fresh = {row["set"]: row for row in report["quality"]}
            merged = [{**row, **fresh.pop(row["set"], {})} for row in previous["quality"]]
            report["quality"] = merged + list(fresh.values())
    RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_JSON.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    replace_section("## Themes", markdown(report), RESULTS_MD)
    log(f"wrote {RESULTS_JSON} and {RESULTS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
