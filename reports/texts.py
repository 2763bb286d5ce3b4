"""The words of the report and the exports, in Italian and English.

They live here, not in the bot's Fluent catalogue, because ``reports`` may import only
``surveys`` (not ``dialogs``) and the command line renders reports with no bot at all. The
table is small and a test checks that both languages have every key.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("it", "en")

TEXTS: dict[str, dict[str, str]] = {
    "report": {"it": "Rapporto", "en": "Report"},
    "generated": {
        "it": "Generato il {date} ({timezone}).",
        "en": "Generated on {date} ({timezone}).",
    },
    "period": {"it": "Periodo: {opens} – {closes}", "en": "Period: {opens} – {closes}"},
    "open_ended": {"it": "in corso", "en": "ongoing"},
    "not_set": {"it": "non indicata", "en": "not set"},
    "contents": {"it": "Indice", "en": "Contents"},
    "skip": {"it": "Vai al contenuto", "en": "Skip to content"},
    "headline": {"it": "In sintesi", "en": "At a glance"},
    "participants": {"it": "Partecipanti", "en": "Participants"},
    "completed": {"it": "Questionari completati", "en": "Completed surveys"},
    "completion_rate": {"it": "Tasso di completamento", "en": "Completion rate"},
    "ideas": {"it": "Idee inviate", "en": "Ideas sent"},
    "free_texts": {"it": "Testi liberi", "en": "Free texts"},
    "themes": {"it": "Temi", "en": "Themes"},
    "themes_overview": {"it": "Temi emersi", "en": "Themes found"},
    "themes_chart_desc": {
        "it": "Numero di testi per tema, dal più grande: {items}.",
        "en": "Number of texts per theme, largest first: {items}.",
    },
    "no_themes": {
        "it": "Non ci sono ancora temi per questa consultazione.",
        "en": "There are no themes for this consultation yet.",
    },
    "theme": {"it": "Tema", "en": "Theme"},
    "texts": {"it": "Testi", "en": "Texts"},
    "size": {"it": "{count} testi", "en": "{count} texts"},
    "keywords": {"it": "Parole chiave", "en": "Keywords"},
    "quotes": {"it": "Citazioni", "en": "Quotes"},
    "no_quotes": {"it": "Nessuna citazione pubblicabile.", "en": "No quote fit to publish."},
    "by_segment": {"it": "Per {segment}", "en": "By {segment}"},
    "breakdown_caption": {
        "it": "{what} per «{segment}» (celle sotto {min} nascoste)",
        "en": "{what} by “{segment}” (cells under {min} hidden)",
    },
    "suppressed": {"it": "< {min}", "en": "< {min}"},
    "suppressed_note": {
        "it": "«< {min}»: meno di {min} persone, numero non pubblicato.",
        "en": "“< {min}”: fewer than {min} people, number not published.",
    },
    "questions": {"it": "Domande a risposta chiusa", "en": "Closed questions"},
    "answered": {"it": "{count} risposte", "en": "{count} answers"},
    "option": {"it": "Opzione", "en": "Option"},
    "count": {"it": "Numero", "en": "Count"},
    "share": {"it": "Quota", "en": "Share"},
    "counts_people": {"it": "Persone", "en": "People"},
    "counts_mentions": {
        "it": "Scelte (più risposte per persona)",
        "en": "Choices (several per person)",
    },
    "counts_first": {"it": "Messa al primo posto", "en": "Ranked first"},
    "question_chart_desc": {
        "it": "Risposte alla domanda «{question}»: {items}.",
        "en": "Answers to the question “{question}”: {items}.",
    },
    "over_time": {"it": "Partecipazioni nel tempo", "en": "Responses over time"},
    "over_time_desc": {
        "it": "Partecipazioni iniziate per giorno, dal {first} al {last}; massimo {max} il {peak}.",
        "en": "Participations started per day, from {first} to {last}; peak {max} on {peak}.",
    },
    "no_responses": {"it": "Nessuna partecipazione finora.", "en": "No responses yet."},
    "day": {"it": "Giorno", "en": "Day"},
    "started": {"it": "Iniziate", "en": "Started"},
    "method": {"it": "Metodo e privacy", "en": "Method and privacy"},
    "method_themes": {
        "it": "I temi sono stati trovati automaticamente raggruppando {texts} testi liberi "
        "(risposte aperte e idee) con il metodo «{backend}»{model}, in {k} gruppi, il {date}. "
        "Etichette e parole chiave vengono dai testi stessi; lo staff può rinominare, unire, "
        "dividere o nascondere i temi.",
        "en": "Themes were found automatically by clustering {texts} free texts (open answers "
        "and ideas) with the “{backend}” method{model}, into {k} groups, on {date}. Labels and "
        "keywords come from the texts themselves; staff may rename, merge, split or hide themes.",
    },
    "method_model": {"it": " (modello {model})", "en": " (model {model})"},
    "method_no_themes": {
        "it": "Non è ancora stato eseguito il raggruppamento in temi.",
        "en": "The texts have not been clustered into themes yet.",
    },
    "method_min_group": {
        "it": "Nessun tema con meno di {min} persone è pubblicato, e in ogni tabella per "
        "segmento i numeri sotto {min} sono nascosti («< {min}»), insieme a un secondo numero "
        "quando servirebbe a ricavarli dai totali.",
        "en": "No theme with fewer than {min} people is published, and in every table by "
        "segment numbers under {min} are hidden (“< {min}”), along with a second number where "
        "it would let one work them out from the totals.",
    },
    "method_scrubbed": {
        "it": "Prima di essere citati o esportati, i testi sono ripuliti dai dati personali: "
        "indirizzi e-mail, numeri di telefono, IBAN, codici fiscali, link, nomi utente e nomi "
        "propri noti sono sostituiti da segnaposto come [email].",
        "en": "Before they are quoted or exported, texts are scrubbed of personal data: e-mail "
        "addresses, phone numbers, IBANs, tax codes, links, usernames and known first names "
        "are replaced by placeholders such as [email].",
    },
    "method_hidden": {
        "it": "Le prove dello staff e le partecipazioni ritirate o cancellate non sono "
        "conteggiate. Nessun identificativo Telegram, contatto o pseudonimo è incluso.",
        "en": "Staff previews and withdrawn or erased participations are not counted. No "
        "Telegram id, contact or pseudonym is included.",
    },
    "method_hidden_counted": {
        "it": "Risposte e idee nascoste dai facilitatori ({count}): non sono mai citate né "
        "elencate, ma contano nei numeri (partecipanti, grafici, dimensione dei temi).",
        "en": "Answers and ideas hidden by facilitators ({count}): never quoted or listed, but "
        "they count in the numbers (participants, charts, theme sizes).",
    },
    "method_hidden_excluded": {
        "it": "Risposte e idee nascoste dai facilitatori ({count}): escluse da tutto, numeri "
        "compresi, per scelta del facilitatore.",
        "en": "Answers and ideas hidden by facilitators ({count}): left out of everything, "
        "numbers included, as the facilitator chose.",
    },
    "method_offensive": {
        "it": "Le citazioni non riportano testi con linguaggio offensivo (elenco di parole "
        "in italiano e inglese); quei testi contano comunque nei numeri.",
        "en": "Quotes never show texts with offensive language (a word list in Italian and "
        "English); those texts still count in the numbers.",
    },
    # exports
    "sheet_participations": {"it": "Partecipazioni", "en": "Participations"},
    "sheet_free_texts": {"it": "Testi liberi", "en": "Free texts"},
    "sheet_themes": {"it": "Temi", "en": "Themes"},
    "sheet_summaries": {"it": "Riepilogo domande", "en": "Question summaries"},
    "col_number": {"it": "N.", "en": "No."},
    "col_status": {"it": "Stato", "en": "Status"},
    "col_started": {"it": "Iniziata il", "en": "Started on"},
    "col_version": {"it": "Versione", "en": "Version"},
    "col_question": {"it": "Domanda", "en": "Question"},
    "col_text": {"it": "Testo", "en": "Text"},
    "col_source": {"it": "Fonte", "en": "Source"},
    "col_participation": {"it": "Partecipazione N.", "en": "Participation No."},
    "col_label": {"it": "Tema", "en": "Theme"},
    "col_size": {"it": "Testi", "en": "Texts"},
    "col_keywords": {"it": "Parole chiave", "en": "Keywords"},
    "col_quotes": {"it": "Citazioni", "en": "Quotes"},
    "col_answered": {"it": "Risposte", "en": "Answers"},
    "status_submitted": {"it": "completata", "en": "completed"},
    "status_in_progress": {"it": "in corso", "en": "in progress"},
    "source_idea": {"it": "idea", "en": "idea"},
    "no_theme": {"it": "(nessun tema)", "en": "(no theme)"},
    "yes": {"it": "sì", "en": "yes"},
    "no": {"it": "no", "en": "no"},
    "pin": {"it": "posizione sulla mappa", "en": "map location"},
}


def normalise(language: str | None) -> str:
    return language if language in LANGUAGES else "it"


def text(key: str, language: str, **params: object) -> str:
    """The report's text ``key`` in ``language`` (Italian for anything else)."""
    entry = TEXTS[key]
    template = entry.get(language, entry["it"])
    return template.format(**params) if params else template


def localised(value: Mapping[str, str], language: str) -> str:
    """A survey text in ``language``, else Italian, else whatever it has."""
    return value.get(language) or value.get("it") or next(iter(value.values()), "")
