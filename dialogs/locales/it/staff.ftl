# Staff: ruoli, inviti, elenco dello staff. Mai mostrati ai cittadini.
role-admin = amministratore
role-facilitator = facilitatore
role-analyst = analista
staff-invite-usage = Uso: /invite facilitator oppure /invite analyst
staff-invitation-created = Invito monouso come { $role }, valido { $hours } ore. Invia questo link solo alla persona interessata:
    { $link }
staff-invitation-accepted = Benvenuto nello staff di Ascolto: il tuo ruolo è { $role }.
staff-already = Fai già parte dello staff: il tuo ruolo è { $role }.
staff-invitation-unknown = Questo link di invito non è valido.
staff-invitation-used = Questo link di invito è già stato usato. Chiedine uno nuovo a un amministratore.
staff-invitation-expired = Questo link di invito è scaduto. Chiedine uno nuovo a un amministratore.
staff-list-empty = Non ci sono ancora facilitatori o analisti. Invitane uno con /invite.
staff-list-header = { $count ->
    [one] Un membro dello staff:
   *[other] { $count } membri dello staff:
}
staff-list-line = • { $name } – { $role }
staff-button-revoke = Revoca { $name }
staff-revoked = { $name } non ha più accesso come staff.
staff-not-found = Nessuna modifica: questa persona non fa parte dello staff attivo.
staff-whoami = Il tuo ruolo: { $role }.
