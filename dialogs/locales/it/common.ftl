start-greeting = Ciao! Sono Ascolto, l'assistente del Comune di Milano per la partecipazione. Qui puoi rispondere alle consultazioni aperte e mandare le tue idee.
start-open-consultations = { $count ->
    [0] Al momento non ci sono consultazioni aperte. Torna a trovarci presto!
    [one] C'è una consultazione aperta:
   *[other] Ci sono { $count } consultazioni aperte:
}
start-consultation-line = • { $title }: { $intro }
start-choose = Tocca una consultazione per cominciare.
help-text = Ecco cosa posso fare:
    /start – le consultazioni aperte
    /idea – manda un'idea
    /follow – le novità di un progetto (/unfollow per smettere)
    /lang – cambia lingua
    /mydata – una copia dei tuoi dati
    /delete – cancella i tuoi dati
    /stop – niente più promemoria né annunci
    /help – questo aiuto
    Puoi sempre scrivermi la tua idea in un messaggio.
command-start = Le consultazioni aperte
command-help = Come funziona
unknown-command = Non conosco questo comando. Scrivi /help per vedere cosa posso fare.
consultation-not-open = Questa consultazione non è più aperta.
