# Facilitatori: /broadcast (annunci) e /broadcasts (il loro avanzamento). Solo staff.
broadcast-choose-audience = A chi va l'annuncio? Scegli i destinatari. L'opzione in basso vale per le consultazioni.
broadcast-no-audiences = Non c'è ancora nessuno a cui scrivere: nessuna consultazione è stata caricata.
broadcast-audience-project = 📣 Chi segue { $project }
broadcast-audience-consultation = 👥 Partecipanti a { $title }
broadcast-unfinished-off = ☐ Solo chi non ha finito
broadcast-unfinished-on = ☑ Solo chi non ha finito
broadcast-write-italian = Scrivi l'annuncio in italiano (al massimo { $limit } caratteri).
broadcast-write-english = Ora la versione inglese (al massimo { $limit } caratteri), oppure tocca il pulsante per mandare a tutti il testo italiano.
broadcast-button-same = Italiano per tutti
broadcast-text-only = Manda l'annuncio come messaggio di testo (foto e file non sono supportati). La bozza resta com'era.
broadcast-text-empty = L'annuncio è vuoto. Scrivi un testo, per favore; la bozza resta com'era.
broadcast-text-too-long = Il testo ha { $length } caratteri; Telegram ne accetta al massimo { $limit }. Accorcialo, per favore; la bozza resta com'era.
broadcast-preview-group-all = Tutti ({ $count ->
    [one] una persona
   *[other] { $count } persone
}) riceveranno:
broadcast-preview-group-it = In italiano ({ $count ->
    [one] una persona
   *[other] { $count } persone
}):
broadcast-preview-group-en = In inglese ({ $count ->
    [one] una persona
   *[other] { $count } persone
}):
broadcast-preview-all = 👥 Partecipanti a { $title }
broadcast-preview-unfinished = 👥 Partecipanti a { $title } che non hanno finito
broadcast-preview-summary = Destinatari: { $audience } – { $count ->
    [one] una persona
   *[other] { $count } persone
}.
broadcast-preview-languages = Per lingua: italiano { $it } · inglese { $en }.
broadcast-preview-quiet = Ora è fascia di silenzio: i messaggi partiranno dalle { $time }.
broadcast-preview-nobody = Al momento non lo riceverebbe nessuno.
broadcast-button-send = ✅ Invia
broadcast-button-edit = ✏️ Modifica
broadcast-button-cancel = ✖️ Annulla
broadcast-cancelled = Annullato: non è stato inviato nulla.
broadcast-nothing-in-progress = Qui non c'è nessun annuncio in preparazione. Ricomincia con /broadcast.
broadcast-queued = In coda per { $count ->
    [one] una persona
   *[other] { $count } persone
}.
broadcast-already-queued = Già in coda: nulla è stato inviato due volte.
broadcasts-none = Non è ancora stato inviato nessun annuncio.
broadcasts-header = { $count ->
    [one] L'ultimo annuncio:
   *[other] Gli ultimi { $count } annunci:
}
broadcasts-line = • { $when } – { $sample }
