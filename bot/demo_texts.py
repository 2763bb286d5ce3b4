"""Texts for synthetic participants: real public sentences when available, a Milan sample else.

``ascolto demo seed`` needs free-text answers and ideas that look like what citizens write, so
that themes and reports have something real to chew on. It draws them from the public data
sets in ``../shared/data`` (or ``ASCOLTO_SHARED_DATA``) when present: English comments written
by people in Pol.is deliberations and Italian sentences of SIB-200 (Flores-200). A fresh
clone has no such folder, so a small built-in sample of plausible Milanese answers about care,
urban gardens, energy, mobility and markets is always there too, and always part of the mix.
"""

from __future__ import annotations

import csv
import os
import random
from collections.abc import Sequence
from pathlib import Path

SAMPLE_TEXTS: dict[str, tuple[str, ...]] = {
    "it": (
        "Servirebbe un'assistenza domiciliare anche la sera e nel fine settimana.",
        "Mia madre vive sola in zona Corvetto e nessuno passa a trovarla.",
        "Un punto salute di quartiere aperto il sabato mattina aiuterebbe molto.",
        "I caregiver familiari hanno bisogno di qualche ora di sollievo ogni settimana.",
        "Più volontari che accompagnano gli anziani alle visite mediche.",
        "Le liste d'attesa per il centro diurno sono troppo lunghe.",
        "Vorrei un orto condiviso nel cortile della scuola di via Padova.",
        "Gli orti urbani di Niguarda sono belli ma manca l'acqua d'estate.",
        "Corsi di compostaggio per i condomini sarebbero utilissimi.",
        "Un mercato contadino settimanale al parco Trotter, con prodotti locali.",
        "Le mense scolastiche dovrebbero usare verdura coltivata nel Parco Sud.",
        "Servono più alberi in piazzale Loreto, d'estate si soffoca.",
        "Pannelli solari sui tetti delle case popolari di San Siro.",
        "Una comunità energetica di quartiere abbasserebbe le bollette.",
        "Isolare i palazzi degli anni sessanta costa troppo per i condomini.",
        "Più stazioni di ricarica per le bici elettriche vicino alla metro.",
        "Il bike sharing non arriva fino alle periferie come Quarto Oggiaro.",
        "Le piste ciclabili di corso Buenos Aires sono pericolose agli incroci.",
        "Il tram 9 passa troppo di rado la sera.",
        "I marciapiedi rotti sono un ostacolo per chi usa la sedia a rotelle.",
        "Il mercato coperto di via Benedetto Marcello andrebbe aperto anche la domenica.",
        "Le bancarelle del mercato del sabato lasciano troppi rifiuti in strada.",
        "Vorrei più banchi di prodotti a chilometro zero nei mercati rionali.",
        "I mercati comunali potrebbero ospitare corsi di cucina per ragazzi.",
        "Un servizio di spesa a domicilio per chi non può uscire di casa.",
        "Luci più forti nei sottopassi, la sera non mi sento sicura.",
        "Spazi per i ragazzi del quartiere, oltre al solito bar.",
        "Più panchine all'ombra lungo il Naviglio Martesana.",
        "Il lampione davanti a casa mia è spento da mesi.",
        "Informazioni sui servizi sociali scritte in modo più semplice, anche in altre lingue.",
    ),
    "en": (
        "Home care should also be available in the evening and at weekends.",
        "My father lives alone near Corvetto and feels isolated.",
        "A neighbourhood health point open on Saturday mornings would help a lot.",
        "Family carers need a few hours of respite every week.",
        "More volunteers to take older people to their medical appointments.",
        "A shared vegetable garden in the school courtyard would teach kids a lot.",
        "The community gardens need water taps that work in summer.",
        "Composting courses for apartment buildings would be really useful.",
        "A weekly farmers' market in Trotter park with local produce.",
        "Solar panels on the roofs of social housing in San Siro.",
        "An energy community in our block could cut our bills.",
        "More charging points for e-bikes near the metro stations.",
        "Bike sharing should reach the outskirts, not only the centre.",
        "Trams are too infrequent late in the evening.",
        "Broken pavements are a real barrier for wheelchair users.",
        "The covered market should also open on Sunday mornings.",
        "More stalls selling local food in the neighbourhood markets.",
        "Brighter lights in the underpasses so people feel safe at night.",
        "More shaded benches along the canals.",
        "Information about social services in plain language and in other languages.",
    ),
}
"""Written for this project: short, plausible answers of Milan's citizens (it, en)."""


def shared_data_dir() -> Path | None:
    """``ASCOLTO_SHARED_DATA``, else ``../shared/data`` beside the project root; None if absent."""
    configured = os.environ.get("ASCOLTO_SHARED_DATA")
    path = (
        Path(configured)
        if configured
        else Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
    return path if path.is_dir() else None


def _polis_comments(data: Path) -> list[str]:
    """English comments people wrote in Pol.is conversations, without moderated-out ones."""
    texts: list[str] = []
    for path in sorted((data / "polis").glob("*/comments.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("moderated", "0").strip() != "-1" and row.get("comment-body"):
                    texts.append(" ".join(row["comment-body"].split()))
    return texts


def _sib200(data: Path, code: str) -> list[str]:
    texts: list[str] = []
    for path in sorted((data / "sib200").glob(f"{code}_*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            texts.extend(
                " ".join(row["text"].split())
                for row in csv.DictReader(handle, delimiter="\t")
                if row.get("text")
            )
    return texts


class TextPool:
    """Pick a text in a language within a length range; real texts first when there are some."""

    def __init__(self, rng: random.Random, data: Path | None = None) -> None:
        self._rng = rng
        self.real: dict[str, list[str]] = {"it": [], "en": []}
        if data is not None:
            self.real["en"] = _polis_comments(data)
            self.real["it"] = _sib200(data, "ita_Latn")

    @property
    def has_real_texts(self) -> bool:
        return any(self.real.values())

    def text(self, language: str, min_length: int = 1, max_length: int = 4000) -> str:
        language = language if language in SAMPLE_TEXTS else "en"
        sample: Sequence[str] = SAMPLE_TEXTS[language]
        real = self.real.get(language) or []
        # About a third from the Milan sample, so that demo themes speak of the city.
        sources = [real, sample] if real and self._rng.random() < 0.67 else [sample, real]
        for source in sources:
            fitting = [
                t
                for t in self._rng.sample(list(source), min(len(source), 40))
                if min_length <= len(t) <= max_length
            ]
            if fitting:
                return self._rng.choice(fitting)
        return _fit(self._rng.choice(sample), min_length, max_length)


def _fit(text: str, min_length: int, max_length: int) -> str:
    """Cut at a word boundary to ``max_length``; repeat to reach ``min_length`` (rarely used)."""
    while len(text) < min_length:
        text = f"{text} {text}"
    if len(text) > max_length:
        cut = text[:max_length]
        text = cut.rsplit(" ", 1)[0] if " " in cut.strip() else cut
    return text.strip()
