# Facilitatori: /ideas, /answers, /blocked (moderazione). Gli autori compaiono solo come #sigla.
moderation-usage = Uso: /{ $command } <consultazione>, per esempio /{ $command } opencare
moderation-no-consultation = Non esiste una consultazione «{ $slug }».
moderation-idea-header = Idee di «{ $slug }» ({ $total } in tutto, dalle più recenti)
moderation-answer-header = Risposte libere di «{ $slug }» ({ $total } in tutto, dalle più recenti)
moderation-page = Pagina { $page } di { $pages }
moderation-empty = Per ora non c'è niente.
moderation-hidden-mark = [nascosta]
moderation-button-hide = 🙈 Nascondi { $number }
moderation-button-show = 👁 Mostra { $number }
moderation-button-block = ⛔ Blocca { $handle }
moderation-hidden = Nascosta: non conta più nei temi e nei rapporti.
moderation-shown = Di nuovo visibile: conta nei temi e nei rapporti.
moderation-not-found = Nessuna modifica: questo elemento non esiste più.
moderation-block-confirm = Bloccare { $handle }? I suoi prossimi messaggi saranno ignorati (potrà comunque scaricare o cancellare i suoi dati). Puoi annullare con /blocked.
moderation-button-block-confirm = Sì, blocca { $handle }
moderation-button-block-keep = No
moderation-block-kept = Nessuno è stato bloccato.
moderation-blocked = { $handle } è bloccato. Per annullare: /blocked.
moderation-already-blocked = { $handle } era già bloccato.
moderation-blocked-none = Nessuno è bloccato.
moderation-blocked-header = { $count ->
    [one] Un partecipante bloccato:
   *[other] { $count } partecipanti bloccati:
}
moderation-blocked-line = • { $handle } – dal { $since }
moderation-button-unblock = Sblocca { $handle }
moderation-unblocked = { $handle } non è più bloccato.
moderation-not-blocked = Nessuna modifica: questo partecipante non è bloccato.
# Quello che legge un cittadino bloccato (al massimo una volta ogni qualche minuto).
blocked-notice = I tuoi messaggi non vengono più elaborati da questo servizio. Puoi comunque scaricare i tuoi dati con /mydata o cancellarli con /delete.
