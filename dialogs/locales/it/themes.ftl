# Staff: /themes (i temi in chat, con la cura dei temi). Mai mostrato ai cittadini.
themes-choose = Di quale consultazione vuoi vedere i temi?
themes-none = Non ci sono ancora consultazioni.
themes-unknown = Non esiste la consultazione “{ $slug }”. Scegline una:
themes-not-found = Quel tema non c'è più (forse è stato unito o ricalcolato). Invia /themes per vedere quelli attuali.
themes-header = Temi di “{ $title }”
themes-respondents = { $people ->
    [one] Una persona ha scritto qualcosa.
   *[other] { $people } persone hanno scritto qualcosa.
} I temi con meno di { $min } persone non sono mostrati.
themes-line = { $count ->
    [one] una risposta
   *[other] { $count } risposte
} · { $share } di chi ha risposto · +{ $week } questa settimana
themes-more = …e { $count ->
    [one] un altro tema
   *[other] altri { $count } temi
}.
themes-empty = Nessun tema è ancora abbastanza grande da essere mostrato.
themes-hidden = Nascosti dallo staff: { $labels }
themes-unthemed = { $count ->
    [one] Una risposta non è in nessuno dei temi mostrati.
   *[other] { $count } risposte non sono in nessuno dei temi mostrati.
}
themes-no-run = Non ci sono ancora temi per “{ $title }”.
themes-find-now = 🔎 Trova i temi ora
themes-next = Avanti ▸
themes-previous = ◂ Indietro
themes-back = ◂ Tutti i temi
themes-unhide-button = 👁 Mostra: { $label }
themes-already-running = Stiamo già cercando i temi di questa consultazione; il risultato comparirà qui.
themes-progress-start = Cerco i temi… inizio.
themes-progress = Cerco i temi… { $stage } { $percent }%
themes-stage-vectorising = leggo le risposte
themes-stage-clustering = le raggruppo
themes-stage-saving = salvo
themes-stage-assigning = colloco le nuove risposte
themes-stage-other = lavoro
themes-progress-done = Cerco i temi… fatto (100%).
themes-progress-failed = La ricerca dei temi questa volta non è riuscita. Riprova più tardi.
# La scheda di un tema.
themes-card-people = { $people ->
    [one] una persona
   *[other] { $people } persone
}
themes-card-keywords = Parole chiave: { $keywords }
themes-card-hidden = Nascosto dallo staff: fuori da report e riepiloghi.
themes-card-quotes = Risposte { $from }–{ $to } di { $total }:
themes-card-breakdown = Per “{ $question }”:
themes-card-suppressed = < { $min }
themes-card-no-breakdown = Nessuna suddivisione per segmento (nessuna domanda a scelta singola con risposte).
themes-move-button = ↪ Sposta { $number }
themes-rename-button = ✏️ Rinomina
themes-merge-button = 🔗 Unisci a…
themes-split-button = ✂️ Dividi
themes-hide-button = 🙈 Nascondi
themes-unhide-short = 👁 Mostra
themes-cancel-button = Annulla
themes-other-target = Altro (nessun tema)
# Cura dei temi.
themes-rename-prompt = Scrivi il nuovo nome di “{ $label }” (da 1 a 80 caratteri).
themes-split-prompt = Scrivi una parola: le risposte di “{ $label }” che la contengono diventano un nuovo tema con quel nome.
themes-merge-pick = A quale tema vuoi unire “{ $label }”?
themes-merge-none = Non c'è un altro tema a cui unirlo.
themes-move-pick = In quale tema vuoi spostare questa risposta?
    “{ $quote }”
themes-label-length = Il nome deve avere da 1 a 80 caratteri. Scrivilo di nuovo, per favore.
themes-renamed = Rinominato in “{ $label }”.
themes-merged = Unito a “{ $label }”.
themes-split-done = “{ $label }” ora è un tema a sé.
themes-moved = Risposta spostata.
themes-hidden-done = Nascosto: resta fuori da report e riepiloghi.
themes-unhidden-done = Di nuovo visibile.
themes-cancelled = Annullato.
themes-rejected-too_small = Entrambe le parti devono avere almeno { $min } persone. Non è cambiato nulla.
themes-rejected-no_match = Nessuna risposta di questo tema contiene “{ $word }”. Non è cambiato nulla.
themes-rejected-all_match = Tutte le risposte di questo tema contengono “{ $word }”: rinominalo invece. Non è cambiato nulla.
themes-rejected-same_theme = È già lì. Non è cambiato nulla.
themes-rejected-not_member = Quella risposta non è più in questo tema. Non è cambiato nulla.
themes-rejected-other = Non si può fare. Non è cambiato nulla.
themes-text-only = Scrivi il testo come messaggio, per favore.
