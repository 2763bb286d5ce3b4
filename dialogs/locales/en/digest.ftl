# Facilitators: /digest, the results digest sent to every participant after a consultation closes.
digest-usage = Which consultation? Send /digest followed by its name. Closed consultations: { $slugs }
digest-none-closed = No consultation is closed yet. The results digest can be sent once a consultation has ended.
digest-unknown = There is no consultation “{ $slug }”. Send /digest without a name to see the closed ones.
digest-not-closed = “{ $slug }” has not closed yet, so there are no final results to send. The digest can be sent once it has closed.
digest-already-published = Note: the results of this consultation have already been published once; a new digest would reach everyone again.
digest-draft-intro = This is the “You said” part, drafted from the published themes and the numbers:
digest-write-italian = Now write “What happens next” in Italian (at most { $limit } characters): what the administration will do with these results, and when.
digest-write-english = Now “What happens next” in English (at most { $limit } characters), or tap the button to send the Italian text to everyone.
digest-button-same = Italian for everyone
digest-button-send = ✅ Send
digest-button-edit = ✏️ Edit
digest-button-cancel = ✖️ Cancel
digest-cancelled = Digest cancelled; nothing was sent.
digest-nothing-in-progress = There is no digest in progress. Start again with /digest.
digest-too-long = The whole message would be { $length } characters; Telegram allows at most { $limit }. Please shorten “What happens next”; your draft is kept.
digest-preview-summary = Results digest of “{ $title }”: { $count ->
    [one] one person
   *[other] { $count } people
} who took part and did not send /stop.
digest-preview-languages = In Italian: { $it } · in English: { $en }
digest-preview-quiet = It is quiet hours: the messages will start at { $time }.
digest-preview-nobody = Nobody would receive it: no participant can be reached.
digest-queued = Digest queued for { $count ->
    [one] one person
   *[other] { $count } people
}.
digest-already-queued = This digest was already queued; nothing was added.
digest-message = 📣 { $title }: the results

    You said ({ $participants ->
        [one] one person took part
       *[other] { $participants } people took part
    }, { $completed } completed the survey):
    { $themes }

    What happens next:
    { $next }

    Thank you for taking part!
digest-theme-line = • { $label } ({ $share }% of the written answers)
digest-no-themes = • No theme was large enough to be published without identifying anyone.
# /report and /export: answers hidden by moderation (dialogs.analyst.reports).
report-hidden-counted = { $count ->
    [one] One answer hidden by moderation is not quoted but still counts in the numbers.
   *[other] { $count } answers hidden by moderation are not quoted but still count in the numbers.
}
report-hidden-excluded = { $count ->
    [one] One answer hidden by moderation is left out of the numbers too.
   *[other] { $count } answers hidden by moderation are left out of the numbers too.
}
report-button-exclude-hidden = Again, without the hidden answers in the numbers
