"""A self-contained HTML page of themes (no scripts, no external assets; prints to PDF)."""

from __future__ import annotations

from html import escape
from typing import Any

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem}.theme{border-top:1px solid #ccc;padding:.8rem 0}
.size{color:#555;font-size:.9rem}.kw{color:#555}blockquote{margin:.4rem 0 .4rem 1rem;
padding-left:.8rem;border-left:3px solid #8ab}"""

TITLES = {
    "it": ("Temi", "risposte", "parole chiave", "Non assegnate", "metodo"),
    "en": ("Themes", "answers", "keywords", "Unassigned", "method"),
}


def render_html(result: dict[str, Any], lang: str = "it") -> str:
    """The themes JSON (DESIGN.md §7) as a page for people, in Italian or English."""
    title, answers, keywords, unassigned, method = TITLES.get(lang, TITLES["en"])
    parts = [
        f"<!doctype html><html lang='{escape(lang)}'><head><meta charset='utf-8'>",
        f"<title>{title}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{title}</h1><p class='size'>{method}: {escape(str(result['backend']))}"
        f"{' / ' + escape(str(result['model'])) if result.get('model') else ''}</p>",
    ]
    for theme in result["themes"]:
        parts.append("<section class='theme'>")
        size = f"<span class='size'>({theme['size']} {answers})</span>"
        parts.append(f"<h2>{escape(theme['label'])} {size}</h2>")
        if theme["keywords"]:
            parts.append(f"<p class='kw'>{keywords}: {escape(', '.join(theme['keywords']))}</p>")
        parts.extend(f"<blockquote>{escape(q['text'])}</blockquote>" for q in theme["quotes"])
        parts.append("</section>")
    parts.append(f"<p class='size'>{unassigned}: {len(result['unassigned'])}</p></body></html>")
    return "\n".join(parts)
