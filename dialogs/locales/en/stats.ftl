# Live statistics for staff: /stats <consultation>. Never shown to citizens.
stats-choose = Which consultation do you want statistics for?
stats-no-consultations = There are no consultations yet.
stats-unknown = I cannot find the consultation "{ $slug }". Available consultations: { $known }
stats-unknown-none = I cannot find the consultation "{ $slug }", and there are no consultations yet.
stats-working = Working out the statistics of { $slug }…
stats-empty = { $title } ({ $slug }): no answers yet.
stats-header = Statistics of { $title } ({ $slug })
stats-participants = Participants: { $count }
stats-started = Started answering: { $count }
stats-completed = Completed: { $count }
stats-rate = Completion rate: { $rate }
stats-rate-none = Completion rate: –
stats-median = Median time to complete: { $duration }
stats-median-none = Median time to complete: –
stats-at-summary = At the summary without submitting: { $count }
stats-withdrawn = Withdrew consent: { $count }
stats-answers = Answers: { $count } over { $days ->
    [one] one day
   *[other] { $days } days
}
stats-ideas = Ideas: { $count }
stats-busiest = Busiest day: { $day } ({ $count })
stats-dropoff-header = Where people stop most:
stats-dropoff-line = { $position }. { $question } – { $count ->
    [one] one person
   *[other] { $count } people
}
stats-dropoff-none = Nobody stopped halfway.
stats-timezone = Days in the { $zone } time zone.
stats-chart-daily-title = Activity per day
stats-chart-daily-axis = Count
stats-series-answers = Answers
stats-series-ideas = Ideas
stats-chart-daily-empty = No activity yet
stats-chart-dropoff-title = Where people stop
stats-chart-dropoff-axis = People
stats-chart-answered = Answered
stats-chart-stopped = Stopped here
stats-chart-dropoff-empty = No questions
stats-caption-daily = Activity per day in { $slug }: { $summary } over { $days ->
    [one] one day
   *[other] { $days } days
}; busiest day { $day } ({ $count }).
stats-caption-answers = { $count ->
    [one] one answer
   *[other] { $count } answers
}
stats-caption-ideas = { $count ->
    [one] one idea
   *[other] { $count } ideas
}
stats-caption-and = and
stats-caption-dropoff = Drop-off per question in { $slug }: { $summary }.
stats-caption-dropoff-none = Drop-off per question in { $slug }: none; { $completed } of { $started } completed.
stats-duration-hours = { $hours } h { $minutes } min
stats-duration-minutes = { $minutes } min { $seconds } s
stats-duration-seconds = { $seconds } s
