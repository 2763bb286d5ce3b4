"""Fill the benchmark's vector cache: encode every labelled text once (slow; run in background).

.venv/bin/python -m bench.themes_encode [--cache bench/.cache/vectors] [SET...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench.themes_data import load_sets
from nlp.backends import make_encoder
from nlp.vector_cache import FileVectorCache, encode_cached

DEFAULT_CACHE = Path(__file__).resolve().parent / ".cache" / "vectors"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="*")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--backend", default="e5")
    parser.add_argument("--model", default=None)
    parser.add_argument("--scrub", action="store_true", help="encode scrubbed texts")
    args = parser.parse_args()
    encoder = make_encoder(args.backend, args.model)
    assert encoder is not None
    cache = FileVectorCache(args.cache)
    for data in load_sets(args.sets or None):
        texts = data.texts
        if args.scrub:
            from nlp.pii import scrub

            texts = [scrub(t) for t in texts]
        start = time.perf_counter()
        _, encoded = encode_cached(
            texts,
            encoder.encode,
            cache,
            f"{encoder.name}:{encoder.model}",
            batch_size=256,
            progress=lambda d, t, name=data.name: print(  # type: ignore[misc]
                f"\r{name}: {d}/{t}", end="", file=sys.stderr
            ),
        )
        took = time.perf_counter() - start
        print(f"\n{data.name}: encoded {encoded} in {took:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
