# Voto sulle affermazioni: i cittadini votano in chat (/vote); i facilitatori curano le
# affermazioni (/statements, la scheda del tema); lo staff legge l'analisi (/consensus).
command-vote = Vota le affermazioni
vote-agree = 👍 D'accordo
vote-disagree = 👎 In disaccordo
vote-pass = 🤷 Passo
vote-stop = ⏸ Basta per ora
vote-propose = ✍️ Proponi un'affermazione
vote-start = 🗳 Vota le affermazioni
vote-offer = Altri partecipanti hanno scritto brevi affermazioni su questa consultazione. Vuoi dire se sei d'accordo? Basta un tocco per ciascuna, e puoi fermarti quando vuoi.
vote-statement = 🗳 Affermazione { $number } di { $total }

    { $text }

    Sei d'accordo?
vote-recorded = Voto registrato
vote-changed = Voto cambiato: { $choice }
vote-all-done = { $count ->
    [one] ✅ Hai votato l'unica affermazione. Grazie!
   *[other] ✅ Hai votato tutte le { $count } affermazioni. Grazie!
} Ne potrebbero arrivare altre: invia di nuovo /vote più avanti. Puoi anche proporne una tua.
vote-paused = ⏸ In pausa. Invia /vote quando vuoi continuare: riprenderai da dove eri rimasto.
vote-none = Al momento non c'è niente da votare. Può votare chi partecipa a una consultazione che ha delle affermazioni: invia /start per vedere le consultazioni aperte.
vote-choose = Su quale consultazione vuoi votare?
vote-unavailable = Il voto su questa consultazione ora non è disponibile per te.
vote-propose-prompt = Scrivi la tua affermazione in un solo messaggio: una frase breve con cui gli altri possano essere d'accordo o no (al massimo { $max } caratteri). Un facilitatore la legge prima che sia mostrata a qualcuno.
vote-proposed = ✍️ Grazie! La tua affermazione sarà mostrata agli altri quando un facilitatore l'avrà accettata.
vote-refused-not_joined = Per votare, partecipa prima alla consultazione (invia /start) e accetta l'informativa sulla privacy.
vote-refused-closed = Questa consultazione è chiusa: i voti non sono più accettati.
vote-refused-not_found = Quell'affermazione non è più disponibile.
vote-refused-too_short = È troppo breve per un'affermazione (almeno { $min } caratteri). Riscrivila.
vote-refused-too_long = È troppo lunga per un'affermazione (al massimo { $max } caratteri). Scrivine una più breve.

# Staff: /statements e "Crea un'affermazione" nella scheda di un tema.
statements-title = 🗳 Affermazioni di “{ $title }”
statements-pending = { $count ->
    [one] In attesa di revisione (1):
   *[other] In attesa di revisione ({ $count }):
}
statements-accepted = { $count ->
    [one] Mostrata ai cittadini (1):
   *[other] Mostrate ai cittadini ({ $count }):
}
statements-votes = { $count ->
    [one] 1 voto
   *[other] { $count } voti
}
statements-rejected = { $count ->
    [one] 1 affermazione rifiutata (mai mostrata).
   *[other] { $count } affermazioni rifiutate (mai mostrate).
}
statements-empty = Ancora nessuna affermazione. Scrivine una, o creala da un tema (/themes).
statements-accept = ✅ Accetta { $number }
statements-reject = ✖ Rifiuta { $number }
statements-accepted-done = Accettata: i cittadini ora possono votarla.
statements-rejected-done = Rifiutata: non sarà mostrata.
statements-write = ✍️ Scrivi un'affermazione
statements-write-prompt = Invia l'affermazione in un solo messaggio: una frase breve con cui i cittadini possano essere d'accordo o no (al massimo { $max } caratteri).
statements-from-theme = 🗳 Crea un'affermazione
statements-draft = Bozza dal tema:

    { $draft }

    Invia l'affermazione come la vuoi (copia la bozza e modificala; al massimo { $max } caratteri), oppure salva la bozza così com'è.
statements-save-draft = 💾 Salva la bozza così com'è
statements-saved = ✅ Salvata; i cittadini ora possono votarla:
    { $text }
statements-text-only = Invia l'affermazione come testo, per favore.
statements-too-short = È troppo breve per un'affermazione (almeno { $min } caratteri). Inviala di nuovo.
statements-too-long = È troppo lunga (al massimo { $max } caratteri). Inviane una più breve.
statements-closed = La consultazione è chiusa: non accetta nuove affermazioni.
statements-not-found = Quell'affermazione o quel tema non c'è più. Invia /statements per vedere l'elenco attuale.
statements-choose = Di quale consultazione vuoi vedere le affermazioni?
statements-unknown = Non esiste la consultazione “{ $slug }”. Scegline una:
statements-no-consultation = Non ci sono ancora consultazioni.

# Staff: /consensus
consensus-title = 🗳 Voti su “{ $title }”: { $voters } persone hanno votato { $statements } affermazioni; { $grouped } ne hanno votate almeno { $min } e sono nei gruppi di opinione.
consensus-groups = { $count ->
    [one] Un gruppo di opinione:
   *[other] { $count } gruppi di opinione:
}
consensus-group = Gruppo { $letter } ({ $size } persone), si distingue per:
consensus-rep-agree = { $share } d'accordo: { $text }
consensus-rep-disagree = { $share } in disaccordo: { $text }
consensus-no-groups = Non ci sono ancora abbastanza voti per i gruppi di opinione (servono almeno { $min } voti a persona).
consensus-consensus = Consenso tra i gruppi (quota d'accordo in totale):
consensus-majority = Maggioranza (almeno il 60% d'accordo):
consensus-divisive = Divisive (quota d'accordo in totale):
consensus-unavailable = L'analisi dei voti non è disponibile in questa installazione.
consensus-no-votes = Nessuno ha ancora votato le affermazioni di questa consultazione.
consensus-failed = Ci dispiace, l'analisi dei voti su “{ $title }” ({ $voters } persone) non è riuscita in questo momento. I voti sono al sicuro: riprova /consensus tra qualche minuto e, se non funziona ancora, avvisa chi gestisce il bot.
consensus-none = Non ci sono ancora consultazioni.
consensus-choose = Di quale consultazione vuoi vedere i voti?
consensus-unknown = Non esiste la consultazione “{ $slug }”. Scegline una:
