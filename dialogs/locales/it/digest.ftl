# Facilitatori: /digest, il riepilogo dei risultati inviato a chi ha partecipato, a consultazione chiusa.
digest-usage = Quale consultazione? Invia /digest seguito dal suo nome. Consultazioni chiuse: { $slugs }
digest-none-closed = Nessuna consultazione è ancora chiusa. Il riepilogo dei risultati si invia quando una consultazione è terminata.
digest-unknown = Non esiste la consultazione «{ $slug }». Invia /digest senza nome per vedere quelle chiuse.
digest-not-closed = «{ $slug }» non è ancora chiusa, quindi non ci sono risultati finali da inviare. Il riepilogo si può inviare quando sarà chiusa.
digest-already-published = Nota: i risultati di questa consultazione sono già stati pubblicati una volta; un nuovo riepilogo raggiungerebbe di nuovo tutti.
digest-draft-intro = Questa è la parte «Avete detto», preparata dai temi pubblicati e dai numeri:
digest-write-italian = Ora scrivi «Cosa succede adesso» in italiano (al massimo { $limit } caratteri): cosa farà l'amministrazione con questi risultati, e quando.
digest-write-english = Ora «Cosa succede adesso» in inglese (al massimo { $limit } caratteri), oppure tocca il pulsante per inviare a tutti il testo italiano.
digest-button-same = Italiano per tutti
digest-button-send = ✅ Invia
digest-button-edit = ✏️ Modifica
digest-button-cancel = ✖️ Annulla
digest-cancelled = Riepilogo annullato; non è stato inviato nulla.
digest-nothing-in-progress = Non c'è nessun riepilogo in preparazione. Ricomincia con /digest.
digest-too-long = Il messaggio completo sarebbe di { $length } caratteri; Telegram ne consente al massimo { $limit }. Accorcia «Cosa succede adesso»; la bozza è conservata.
digest-preview-summary = Riepilogo dei risultati di «{ $title }»: { $count ->
    [one] una persona
   *[other] { $count } persone
} che hanno partecipato e non hanno inviato /stop.
digest-preview-languages = In italiano: { $it } · in inglese: { $en }
digest-preview-quiet = È fascia di silenzio: i messaggi partiranno alle { $time }.
digest-preview-nobody = Non lo riceverebbe nessuno: nessun partecipante è raggiungibile.
digest-queued = Riepilogo in coda per { $count ->
    [one] una persona
   *[other] { $count } persone
}.
digest-already-queued = Questo riepilogo era già in coda; non è stato aggiunto nulla.
digest-message = 📣 { $title }: i risultati

    Avete detto ({ $participants ->
        [one] ha partecipato una persona
       *[other] hanno partecipato { $participants } persone
    }, { $completed } hanno completato il questionario):
    { $themes }

    Cosa succede adesso:
    { $next }

    Grazie per aver partecipato!
digest-theme-line = • { $label } ({ $share }% delle risposte scritte)
digest-no-themes = • Nessun tema era abbastanza grande da essere pubblicato senza rischiare di identificare qualcuno.
# /report e /export: risposte nascoste dalla moderazione (dialogs.analyst.reports).
report-hidden-counted = { $count ->
    [one] Una risposta nascosta dalla moderazione non è citata ma conta nei numeri.
   *[other] { $count } risposte nascoste dalla moderazione non sono citate ma contano nei numeri.
}
report-hidden-excluded = { $count ->
    [one] Una risposta nascosta dalla moderazione è esclusa anche dai numeri.
   *[other] { $count } risposte nascoste dalla moderazione sono escluse anche dai numeri.
}
report-button-exclude-hidden = Di nuovo, senza le risposte nascoste nei numeri
