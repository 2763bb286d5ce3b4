# Statistiche dal vivo per lo staff: /stats <consultazione>. Mai mostrate ai cittadini.
stats-choose = Di quale consultazione vuoi le statistiche?
stats-no-consultations = Non ci sono ancora consultazioni.
stats-unknown = Non trovo la consultazione «{ $slug }». Consultazioni disponibili: { $known }
stats-unknown-none = Non trovo la consultazione «{ $slug }» e non ci sono ancora consultazioni.
stats-working = Calcolo le statistiche di { $slug }…
stats-empty = { $title } ({ $slug }): nessuna risposta finora.
stats-header = Statistiche di { $title } ({ $slug })
stats-participants = Partecipanti: { $count }
stats-started = Hanno iniziato a rispondere: { $count }
stats-completed = Hanno completato: { $count }
stats-rate = Tasso di completamento: { $rate }
stats-rate-none = Tasso di completamento: –
stats-median = Tempo mediano per completare: { $duration }
stats-median-none = Tempo mediano per completare: –
stats-at-summary = Al riepilogo senza inviare: { $count }
stats-withdrawn = Hanno ritirato il consenso: { $count }
stats-answers = Risposte: { $count } in { $days ->
    [one] un giorno
   *[other] { $days } giorni
}
stats-ideas = Idee: { $count }
stats-busiest = Giorno con più attività: { $day } ({ $count })
stats-dropoff-header = Dove ci si ferma di più:
stats-dropoff-line = { $position }. { $question } – { $count ->
    [one] una persona
   *[other] { $count } persone
}
stats-dropoff-none = Nessuno si è fermato a metà.
stats-timezone = Giorni secondo il fuso { $zone }.
stats-chart-daily-title = Attività al giorno
stats-chart-daily-axis = Numero
stats-series-answers = Risposte
stats-series-ideas = Idee
stats-chart-daily-empty = Nessuna attività finora
stats-chart-dropoff-title = Dove si fermano le persone
stats-chart-dropoff-axis = Persone
stats-chart-answered = Hanno risposto
stats-chart-stopped = Si sono fermate qui
stats-chart-dropoff-empty = Nessuna domanda
stats-caption-daily = Attività al giorno di { $slug }: { $summary } in { $days ->
    [one] un giorno
   *[other] { $days } giorni
}; giorno con più attività { $day } ({ $count }).
stats-caption-answers = { $count ->
    [one] una risposta
   *[other] { $count } risposte
}
stats-caption-ideas = { $count ->
    [one] un'idea
   *[other] { $count } idee
}
stats-caption-and = e
stats-caption-dropoff = Abbandoni per domanda di { $slug }: { $summary }.
stats-caption-dropoff-none = Abbandoni per domanda di { $slug }: nessuno; { $completed } su { $started } hanno completato.
stats-duration-hours = { $hours } h { $minutes } min
stats-duration-minutes = { $minutes } min { $seconds } s
stats-duration-seconds = { $seconds } s
