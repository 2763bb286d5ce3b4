# Staff: roles, invitations, the staff list. Never shown to citizens.
role-admin = admin
role-facilitator = facilitator
role-analyst = analyst
staff-invite-usage = Usage: /invite facilitator or /invite analyst
staff-invitation-created = One-time invitation as { $role }, valid for { $hours } hours. Send this link to the person only:
    { $link }
staff-invitation-accepted = Welcome to the Ascolto staff: your role is { $role }.
staff-already = You are already staff: your role is { $role }.
staff-invitation-unknown = This invitation link is not valid.
staff-invitation-used = This invitation link has already been used. Ask an admin for a new one.
staff-invitation-expired = This invitation link has expired. Ask an admin for a new one.
staff-list-empty = There are no facilitators or analysts yet. Invite one with /invite.
staff-list-header = { $count ->
    [one] One staff member:
   *[other] { $count } staff members:
}
staff-list-line = • { $name } – { $role }
staff-button-revoke = Revoke { $name }
staff-revoked = { $name } no longer has staff access.
staff-not-found = Nothing changed: this person is not active staff.
staff-whoami = Your role: { $role }.
