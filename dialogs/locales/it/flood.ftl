# Inviato al massimo una volta ogni mezzo minuto a chi manda messaggi più in fretta di quanto possiamo leggerli.
flood-warning = Stai mandando messaggi molto velocemente, quindi ne ho saltato qualcuno. Aspetta qualche secondo e poi continua: nulla di quello che hai già risposto è andato perso.
