# Facilitators: /broadcast (announcements) and /broadcasts (their progress). Staff only.
broadcast-choose-audience = Who should receive the announcement? Pick an audience. The switch below applies to consultations.
broadcast-no-audiences = There is nobody to write to yet: no consultation has been loaded.
broadcast-audience-project = 📣 Followers of { $project }
broadcast-audience-consultation = 👥 Participants of { $title }
broadcast-unfinished-off = ☐ Only those who have not finished
broadcast-unfinished-on = ☑ Only those who have not finished
broadcast-write-italian = Write the announcement in Italian (at most { $limit } characters).
broadcast-write-english = Now the English version (at most { $limit } characters), or tap the button to send the Italian text to everyone.
broadcast-button-same = Italian for everyone
broadcast-text-only = Please send the announcement as a text message (photos and files are not supported). Your draft is kept.
broadcast-text-empty = The announcement is empty. Please write some text; your draft is kept.
broadcast-text-too-long = That text has { $length } characters; Telegram allows at most { $limit }. Please shorten it; your draft is kept.
broadcast-preview-group-all = Everyone ({ $count ->
    [one] one person
   *[other] { $count } people
}) will receive:
broadcast-preview-group-it = In Italian ({ $count ->
    [one] one person
   *[other] { $count } people
}):
broadcast-preview-group-en = In English ({ $count ->
    [one] one person
   *[other] { $count } people
}):
broadcast-preview-all = 👥 Participants of { $title }
broadcast-preview-unfinished = 👥 Participants of { $title } who have not finished
broadcast-preview-summary = Audience: { $audience } – { $count ->
    [one] one person
   *[other] { $count } people
}.
broadcast-preview-languages = By language: Italian { $it } · English { $en }.
broadcast-preview-quiet = It is quiet hours now: the messages will go out from { $time }.
broadcast-preview-nobody = Nobody would receive it at the moment.
broadcast-button-send = ✅ Send
broadcast-button-edit = ✏️ Edit
broadcast-button-cancel = ✖️ Cancel
broadcast-cancelled = Cancelled: nothing was sent.
broadcast-nothing-in-progress = There is no announcement in progress here. Start again with /broadcast.
broadcast-queued = Queued for { $count ->
    [one] one person
   *[other] { $count } people
}.
broadcast-already-queued = Already queued: nothing was sent twice.
broadcasts-none = No announcements have been sent yet.
broadcasts-header = { $count ->
    [one] The latest announcement:
   *[other] The latest { $count } announcements:
}
broadcasts-line = • { $when } – { $sample }
