# Messages the outbox sends on its own (reminders) and the facilitator's broadcast progress.
outbox-reminder = Reminder: you have not finished "{ $title }" yet. The consultation closes on { $date } at { $time }. Send /start to pick up where you left off.
outbox-progress = Announcement: sent { $sent } · failed { $failed } · remaining { $remaining }
outbox-progress-done = Done: the announcement reached { $sent } { $sent ->
    [one] person
   *[other] people
}{ $failed ->
    [0] {""}
   *[other] ; { $failed } could not be reached
}.
