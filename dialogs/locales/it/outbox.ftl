# Messages the outbox sends on its own (reminders) and the facilitator's broadcast progress.
outbox-reminder = Promemoria: non hai ancora finito «{ $title }». La consultazione chiude il { $date } alle { $time }. Scrivi /start per riprendere da dove eri rimasto.
outbox-progress = Annuncio: inviati { $sent } · non riusciti { $failed } · da inviare { $remaining }
outbox-progress-done = Fatto: l'annuncio è arrivato a { $sent } { $sent ->
    [one] persona
   *[other] persone
}{ $failed ->
    [0] {""}
   *[other] ; { $failed } non { $failed ->
        [one] raggiungibile
       *[other] raggiungibili
    }
}.
