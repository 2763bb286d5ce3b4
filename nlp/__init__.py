"""Themes from free text: scrub, preprocess, vectorise, cluster, label, quote, evaluate.

The package imports only ``surveys`` and libraries; it returns plain results that ``bot``
persists. The entry point most callers want is :func:`nlp.pipeline.find_themes`.
"""
