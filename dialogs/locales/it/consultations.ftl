# Consultazioni gestite dalla chat (facilitatori e amministratori). Mai mostrati ai cittadini.
cons-not-set = non fissata
cons-status-draft = bozza
cons-status-scheduled = programmata
cons-status-open = aperta
cons-status-closed = chiusa
cons-list-empty = Non ci sono ancora consultazioni. Inviami un file .yaml per crearne una.
cons-list-header = { $count ->
    [one] Una consultazione (orari di { $timezone }):
   *[other] { $count } consultazioni (orari di { $timezone }):
}
cons-list-more = { $count ->
    [one] … e un'altra più vecchia.
   *[other] … e altre { $count } più vecchie.
}
cons-list-line = { $title } ({ $slug })
    { $status } · versione { $version }
    apre: { $opens } · chiude: { $closes }
cons-screen = { $title }
    { $slug } · versione { $version } · { $status }
    Domande: { $questions } · Partecipanti: { $participants }
    Apertura: { $opens }
    Chiusura: { $closes }
    (orari di { $timezone })
cons-button-v = Annulla
cons-button-l = ⬅ Tutte le consultazioni
cons-button-p = 👁 Anteprima
cons-button-o = ▶ Apri ora
cons-button-x = ⏹ Chiudi ora
cons-button-xy = ⏹ Sì, chiudi ora
cons-button-so = 🕘 Fissa l'apertura
cons-button-sc = 🕘 Fissa la chiusura
cons-button-e = ⏩ Proroga
cons-button-pb = 📣 Pubblica
cons-confirm-close = Chiudere adesso «{ $title }»? Da questo momento non si accettano nuove risposte (chi sta rispondendo ha ancora qualche minuto per finire).
cons-ask-o = Quando deve aprire? Apertura attuale: { $opens }. Scegli qui sotto o scrivi una data (ora di { $timezone }).
cons-ask-p = Per pubblicarla serve un'ora di apertura. Scegli qui sotto o scrivi una data (ora di { $timezone }).
cons-ask-c = Quando deve chiudere? Chiusura attuale: { $closes }. Scegli qui sotto o scrivi una data (ora di { $timezone }).
cons-ask-e = Proroga: la chiusura attuale è { $closes }. Scegli di quanto prorogare o scrivi la nuova data di chiusura (ora di { $timezone }). Una consultazione chiusa si riapre fino alla nuova chiusura.
cons-pick-o-now = Adesso
cons-pick-o-t9 = Domani alle 9:00
cons-pick-o-w1 = Tra una settimana, alle 9:00
cons-pick-o-w2 = Tra due settimane, alle 9:00
cons-pick-p-now = Adesso
cons-pick-p-t9 = Domani alle 9:00
cons-pick-p-w1 = Tra una settimana, alle 9:00
cons-pick-p-w2 = Tra due settimane, alle 9:00
cons-pick-c-t23 = Domani alle 23:59
cons-pick-c-w1 = Tra una settimana, alle 23:59
cons-pick-c-w2 = Tra due settimane, alle 23:59
cons-pick-c-w4 = Tra quattro settimane, alle 23:59
cons-pick-e-d1 = Un giorno in più
cons-pick-e-d7 = Una settimana in più
cons-pick-e-d14 = Due settimane in più
cons-typed-examples = Esempi: 12/03 18:00 · 12/03/2027 18:00 · 12/03 · 18:00 · domani 18:00 · 2027-03-12 18:00
cons-typed-unreadable = Non riesco a leggere questa data.
cons-typed-invalid = Questa data non esiste nel calendario (controlla giorno, mese e ora).
cons-typed-nonexistent = Il { $day } alle { $time } non esiste: quella notte gli orologi passano all'ora legale e saltano dalle 2:00 alle 3:00. Scegli un altro orario.
cons-done-opened = Aperta adesso: i cittadini possono rispondere.
cons-done-closed = Chiusa adesso: non si accettano nuove risposte.
cons-done-published = Pubblicata: aprirà il { $opens }.
cons-done-opening-set = Apertura fissata: { $opens }.
cons-done-closing-set = Chiusura fissata: { $closes }.
cons-done-reopened = Riaperta: si può rispondere di nuovo fino al { $closes }.
cons-problem-past = Questa data è già passata: scegline una futura.
cons-problem-closes-before-opens = La chiusura deve venire dopo l'apertura.
cons-problem-opens-after-closes = L'apertura deve venire prima della chiusura.
cons-problem-already-open = È già aperta.
cons-problem-already-closed = È già chiusa.
cons-problem-not-draft = Solo una bozza si può pubblicare: questa è già pubblicata.
cons-problem-needs-opening = Prima fissa l'apertura.
cons-problem-no-closing = Non ha una data di chiusura: fissala con «Fissa la chiusura».
cons-unknown = Questa consultazione non esiste (più). Usa /consultations per l'elenco aggiornato.
cons-stale-button = Questo pulsante non è più valido. Usa /consultations.
cons-preview-usage = Uso: /preview <slug>. Consultazioni: { $slugs }
cons-preview-started = Anteprima di «{ $title }» (versione { $version }): rispondi come un cittadino. Le risposte dell'anteprima non vengono mai contate. /preview di nuovo ricomincia da capo.
preview-finished = Fine dell'anteprima: niente è stato contato. /consultations per tornare alla gestione.
cons-upload-invalid = { $count ->
    [one] Il file { $file } ha un errore: non ho salvato nulla.
   *[other] Il file { $file } ha { $count } errori: non ho salvato nulla.
}
cons-upload-more-errors = { $count ->
    [one] … e un altro errore.
   *[other] … e altri { $count } errori.
}
cons-upload-nothing-stored = Correggi il file e inviamelo di nuovo.
cons-upload-too-big = Il file è troppo grande: al massimo { $kilobytes } KB.
cons-upload-unreadable = Non sono riuscito a scaricare il file. Riprova tra poco.
cons-upload-not-utf8 = Il file non è testo UTF-8: salvalo come UTF-8 e inviamelo di nuovo. Non ho salvato nulla.
cons-uploaded-created = Bozza creata (versione { $version }). Nessuno la vede finché non la pubblichi o la apri.
cons-uploaded-new-version = Nuova versione { $version } salvata: chi inizia da ora risponde a questa; le versioni precedenti restano come erano.
cons-uploaded-unchanged = Nessuna modifica: il questionario è uguale alla versione { $version }.
cons-uploaded-closing-past = Attenzione: la data di chiusura del file è già passata. Fissa una nuova chiusura (o usa Proroga).
