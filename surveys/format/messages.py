"""Validation messages in English and Italian, by error code (``str.format`` templates).

Facilitators read these in the chat in their own language, so both must say exactly what to
change. Field names and values stay as written in the file: they are what the author searches.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # --- the file as a whole ---
    "yaml_syntax": {
        "en": "YAML syntax error: {detail}",
        "it": "errore di sintassi YAML: {detail}",
    },
    "document_not_mapping": {
        "en": "the file must be a mapping of fields (slug: …, title: …, questions: …)",
        "it": "il file deve essere un insieme di campi (slug: …, title: …, questions: …)",
    },
    "empty_document": {
        "en": "the file is empty",
        "it": "il file è vuoto",
    },
    # --- shapes and types ---
    "expected_mapping": {
        "en": "{field} must be a mapping of fields (name: value)",
        "it": "{field} deve essere un insieme di campi (nome: valore)",
    },
    "expected_list": {
        "en": "{field} must be a list",
        "it": "{field} deve essere una lista",
    },
    "expected_string": {
        "en": "{field} must be a piece of text",
        "it": "{field} deve essere un testo",
    },
    "expected_integer": {
        "en": "{field} must be a whole number, not {value}",
        "it": "{field} deve essere un numero intero, non {value}",
    },
    "expected_number": {
        "en": "{field} must be a number, not {value}",
        "it": "{field} deve essere un numero, non {value}",
    },
    "expected_boolean": {
        "en": "{field} must be true or false, not {value}",
        "it": "{field} deve essere true o false, non {value}",
    },
    "expected_text": {
        "en": '{field} must give the text for each language, e.g. {{it: "…", en: "…"}}',
        "it": '{field} deve dare il testo per ogni lingua, per esempio {{it: "…", en: "…"}}',
    },
    "missing_field": {
        "en": "{field} is required",
        "it": "manca il campo obbligatorio {field}",
    },
    "unknown_field": {
        "en": "unknown field {field}",
        "it": "campo sconosciuto {field}",
    },
    "unknown_field_suggest": {
        "en": "unknown field {field} (did you mean {suggestion}?)",
        "it": "campo sconosciuto {field} (forse intendevi {suggestion}?)",
    },
    "duplicate_field": {
        "en": "{field} is written twice (first on line {first_line}); only the last would count",
        "it": "{field} è scritto due volte (prima alla riga {first_line}); varrebbe solo l'ultimo",
    },
    "field_not_for_type": {
        "en": "{field} does not apply to a {type} question",
        "it": "{field} non si applica a una domanda di tipo {type}",
    },
    # --- consultation fields ---
    "invalid_slug": {
        "en": 'slug "{value}" must be 2–48 characters of a-z, 0-9 and "-", not starting with "-"',
        "it": 'lo slug "{value}" deve avere 2–48 caratteri a-z, 0-9 o "-" (ma non "-" all\'inizio)',
    },
    "slug_reserved_prefix": {
        "en": 'slug "{value}" must not start with "inv-": that prefix marks staff invitations',
        "it": 'lo slug "{value}" non può iniziare con "inv-": prefisso riservato agli inviti staff',
    },
    "invalid_mode": {
        "en": 'mode "{value}" must be survey or listening',
        "it": 'mode "{value}" deve essere survey o listening',
    },
    "no_questions": {
        "en": "a survey needs at least one question (use mode: listening to collect ideas only)",
        "it": "un questionario deve avere almeno una domanda (usa mode: listening per raccogliere"
        " solo idee)",
    },
    "empty_languages": {
        "en": "languages must list at least one language",
        "it": "languages deve indicare almeno una lingua",
    },
    "unsupported_language": {
        "en": 'language "{language}" is not supported (only it and en)',
        "it": 'la lingua "{language}" non è supportata (solo it ed en)',
    },
    "duplicate_language": {
        "en": 'language "{language}" is listed twice',
        "it": 'la lingua "{language}" compare due volte',
    },
    "missing_translation": {
        "en": '{field} is missing its "{language}" version',
        "it": 'manca la versione "{language}" di {field}',
    },
    "invalid_timezone": {
        "en": 'unknown time zone "{value}" (e.g. Europe/Rome)',
        "it": 'fuso orario sconosciuto "{value}" (per esempio Europe/Rome)',
    },
    "invalid_datetime": {
        "en": '{field} "{value}" is not a date and time like 2026-03-02 09:00',
        "it": '{field} "{value}" non è una data con ora come 2026-03-02 09:00',
    },
    "closes_before_opens": {
        "en": "closes_at ({closes_at}) must be after opens_at ({opens_at})",
        "it": "closes_at ({closes_at}) deve essere dopo opens_at ({opens_at})",
    },
    "retention_not_positive": {
        "en": "retention_days must be a positive whole number of days, not {value}",
        "it": "retention_days deve essere un numero intero positivo di giorni, non {value}",
    },
    "value_out_of_bounds": {
        "en": "must be a whole number from {low} to {high}, not {value}",
        "it": "deve essere un numero intero da {low} a {high}, non {value}",
    },
    # --- questions ---
    "invalid_key": {
        "en": 'question key "{value}" must be 1–32 characters of a-z, 0-9 and _',
        "it": 'la chiave di domanda "{value}" deve avere 1–32 caratteri tra a-z, 0-9 e _',
    },
    "duplicate_key": {
        "en": 'question key "{value}" is already used on line {first_line}',
        "it": 'la chiave di domanda "{value}" è già usata alla riga {first_line}',
    },
    "unknown_type": {
        "en": 'unknown question type "{value}" (one of: {allowed})',
        "it": 'tipo di domanda sconosciuto "{value}" (uno tra: {allowed})',
    },
    "invalid_option_value": {
        "en": 'option value "{value}" must be 1–32 characters of a-z, 0-9 and _',
        "it": 'il valore di opzione "{value}" deve avere 1–32 caratteri tra a-z, 0-9 e _',
    },
    "duplicate_option": {
        "en": 'option value "{value}" is already used on line {first_line}',
        "it": 'il valore di opzione "{value}" è già usato alla riga {first_line}',
    },
    "too_few_options": {
        "en": "a {type} question needs at least 2 options, it has {count}",
        "it": "una domanda di tipo {type} richiede almeno 2 opzioni, ne ha {count}",
    },
    "label_too_long": {
        "en": 'label "{label}" ({language}) has {length} characters; a Telegram button fits'
        " {limit}",
        "it": 'l\'etichetta "{label}" ({language}) ha {length} caratteri; un pulsante Telegram ne'
        " contiene {limit}",
    },
    "min_greater_than_max": {
        "en": "min ({min}) is greater than max ({max})",
        "it": "min ({min}) è maggiore di max ({max})",
    },
    "negative_length": {
        "en": "{field} is a length in characters and cannot be negative ({value})",
        "it": "{field} è una lunghezza in caratteri e non può essere negativa ({value})",
    },
    "text_max_too_long": {
        "en": "max ({value}) is above {limit}, the longest message Telegram delivers",
        "it": "max ({value}) supera {limit}, il messaggio più lungo che Telegram consegna",
    },
    "count_out_of_range": {
        "en": "{field} ({value}) must be between 1 and the number of options ({count})",
        "it": "{field} ({value}) deve essere tra 1 e il numero di opzioni ({count})",
    },
    "integer_bound": {
        "en": "{field} ({value}) must be a whole number because integer is true",
        "it": "{field} ({value}) deve essere un numero intero perché integer è true",
    },
    "scale_missing_range": {
        "en": 'a scale needs min and max (0–10 style) or options with values "1", "2", …',
        "it": 'una scala richiede min e max (tipo 0–10) oppure opzioni con valori "1", "2", …',
    },
    "scale_range_empty": {
        "en": "min ({min}) must be less than max ({max})",
        "it": "min ({min}) deve essere minore di max ({max})",
    },
    "scale_range_too_wide": {
        "en": "a scale from {min} to {max} has {points} points; at most 11 fit (max − min ≤ 10)",
        "it": "una scala da {min} a {max} ha {points} punti; al massimo 11 (max − min ≤ 10)",
    },
    "scale_label_value": {
        "en": 'point {position} of a labelled scale must have value "{expected}", not "{value}"',
        "it": 'il punto {position} di una scala con etichette deve avere valore "{expected}",'
        ' non "{value}"',
    },
    "scale_mixed": {
        "en": "{field} does not apply to a labelled scale: its options are its points",
        "it": "{field} non si applica a una scala con etichette: le sue opzioni sono i punti",
    },
    "invalid_location_mode": {
        "en": 'location "{value}" must be pin, districts or both',
        "it": 'location "{value}" deve essere pin, districts o both',
    },
    "options_with_pin": {
        "en": "options (districts) do not apply when location is pin",
        "it": "options (i quartieri) non si applicano quando location è pin",
    },
    # --- show_if ---
    "expected_condition": {
        "en": "show_if must be a condition (question: …, equals: …) or a list of conditions",
        "it": "show_if deve essere una condizione (question: …, equals: …) o una lista di esse",
    },
    "condition_empty": {
        "en": "show_if needs at least one condition",
        "it": "show_if richiede almeno una condizione",
    },
    "condition_no_operator": {
        "en": "a show_if condition needs one of: {allowed}",
        "it": "una condizione show_if richiede uno tra: {allowed}",
    },
    "condition_many_operators": {
        "en": "a show_if condition takes exactly one operator, it has: {operators}",
        "it": "una condizione show_if vuole un solo operatore, ne ha: {operators}",
    },
    "condition_unknown_question": {
        "en": 'show_if refers to question "{question}", which does not exist',
        "it": 'show_if si riferisce alla domanda "{question}", che non esiste',
    },
    "condition_self": {
        "en": "show_if refers to this same question; it can only use earlier answers",
        "it": "show_if si riferisce a questa stessa domanda; può usare solo risposte precedenti",
    },
    "condition_later_question": {
        "en": 'show_if refers to question "{question}" on line {question_line}, which comes later;'
        " it can only use earlier answers",
        "it": 'show_if si riferisce alla domanda "{question}" alla riga {question_line}, che viene'
        " dopo; può usare solo risposte precedenti",
    },
    "condition_flag_not_true": {
        "en": "{operator} can only be true (use the opposite operator instead of false)",
        "it": "{operator} può essere solo true (invece di false usa l'operatore opposto)",
    },
    "condition_operator_type": {
        "en": '{operator} does not fit question "{question}", a {type} question',
        "it": '{operator} non è adatto alla domanda "{question}", di tipo {type}',
    },
    "condition_value_not_option": {
        "en": '{operator}: "{value}" is not an option of question "{question}" ({allowed})',
        "it": '{operator}: "{value}" non è un\'opzione della domanda "{question}" ({allowed})',
    },
    "condition_value_yes_no": {
        "en": '{operator}: question "{question}" is yes/no, so the value is "yes" or "no",'
        ' not "{value}"',
        "it": '{operator}: la domanda "{question}" è sì/no, quindi il valore è "yes" o "no",'
        ' non "{value}"',
    },
    "condition_value_not_number": {
        "en": '{operator}: "{value}" is not a number, and question "{question}" expects one',
        "it": '{operator}: "{value}" non è un numero, e la domanda "{question}" ne attende uno',
    },
    "condition_value_out_of_range": {
        "en": '{operator}: {value} is outside the scale of question "{question}" ({min}–{max})',
        "it": '{operator}: {value} è fuori dalla scala della domanda "{question}" ({min}–{max})',
    },
    "invalid_regex": {
        "en": 'matches: the regular expression "{value}" does not compile ({detail})',
        "it": 'matches: l\'espressione regolare "{value}" non è valida ({detail})',
    },
}
