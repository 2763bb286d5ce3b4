# Consultations run from the chat (facilitators and admins). Never shown to citizens.
cons-not-set = not set
cons-status-draft = draft
cons-status-scheduled = scheduled
cons-status-open = open
cons-status-closed = closed
cons-list-empty = There are no consultations yet. Send me a .yaml file to create one.
cons-list-header = { $count ->
    [one] One consultation ({ $timezone } time):
   *[other] { $count } consultations ({ $timezone } time):
}
cons-list-more = { $count ->
    [one] … and one older.
   *[other] … and { $count } older ones.
}
cons-list-line = { $title } ({ $slug })
    { $status } · version { $version }
    opens: { $opens } · closes: { $closes }
cons-screen = { $title }
    { $slug } · version { $version } · { $status }
    Questions: { $questions } · Participants: { $participants }
    Opening: { $opens }
    Closing: { $closes }
    ({ $timezone } time)
cons-button-v = Cancel
cons-button-l = ⬅ All consultations
cons-button-p = 👁 Preview
cons-button-o = ▶ Open now
cons-button-x = ⏹ Close now
cons-button-xy = ⏹ Yes, close now
cons-button-so = 🕘 Set opening
cons-button-sc = 🕘 Set closing
cons-button-e = ⏩ Extend
cons-button-pb = 📣 Publish
cons-confirm-close = Close “{ $title }” now? No new answers are accepted from now on (people in the middle of it get a few minutes to finish).
cons-ask-o = When should it open? Current opening: { $opens }. Choose below or type a date ({ $timezone } time).
cons-ask-p = Publishing needs an opening time. Choose below or type a date ({ $timezone } time).
cons-ask-c = When should it close? Current closing: { $closes }. Choose below or type a date ({ $timezone } time).
cons-ask-e = Extend: it currently closes { $closes }. Choose how much longer, or type the new closing date ({ $timezone } time). A closed consultation opens again until the new closing time.
cons-pick-o-now = Now
cons-pick-o-t9 = Tomorrow at 9:00
cons-pick-o-w1 = In one week, at 9:00
cons-pick-o-w2 = In two weeks, at 9:00
cons-pick-p-now = Now
cons-pick-p-t9 = Tomorrow at 9:00
cons-pick-p-w1 = In one week, at 9:00
cons-pick-p-w2 = In two weeks, at 9:00
cons-pick-c-t23 = Tomorrow at 23:59
cons-pick-c-w1 = In one week, at 23:59
cons-pick-c-w2 = In two weeks, at 23:59
cons-pick-c-w4 = In four weeks, at 23:59
cons-pick-e-d1 = One more day
cons-pick-e-d7 = One more week
cons-pick-e-d14 = Two more weeks
cons-typed-examples = Examples: 12/03 18:00 · 12/03/2027 18:00 · 12/03 · 18:00 · tomorrow 18:00 · 2027-03-12 18:00
cons-typed-unreadable = I can't read that date.
cons-typed-invalid = That date is not in the calendar (check the day, month and time).
cons-typed-nonexistent = { $day } at { $time } does not exist: that night the clocks go forward to summer time, from 2:00 straight to 3:00. Please choose another time.
cons-done-opened = Open now: citizens can answer.
cons-done-closed = Closed now: no new answers are accepted.
cons-done-published = Published: it opens { $opens }.
cons-done-opening-set = Opening set: { $opens }.
cons-done-closing-set = Closing set: { $closes }.
cons-done-reopened = Reopened: people can answer again until { $closes }.
cons-problem-past = That date has already passed: please choose a future one.
cons-problem-closes-before-opens = The closing must come after the opening.
cons-problem-opens-after-closes = The opening must come before the closing.
cons-problem-already-open = It is already open.
cons-problem-already-closed = It is already closed.
cons-problem-not-draft = Only a draft can be published: this one already is.
cons-problem-needs-opening = Set the opening first.
cons-problem-no-closing = It has no closing date: set one with “Set closing”.
cons-unknown = This consultation does not exist (any more). Use /consultations for the current list.
cons-stale-button = This button is no longer valid. Use /consultations.
cons-preview-usage = Usage: /preview <slug>. Consultations: { $slugs }
cons-preview-started = Preview of “{ $title }” (version { $version }): answer as a citizen would. Preview answers are never counted. /preview again starts over.
preview-finished = End of the preview: nothing was counted. /consultations to go back to managing.
cons-upload-invalid = { $count ->
    [one] The file { $file } has one error: nothing was saved.
   *[other] The file { $file } has { $count } errors: nothing was saved.
}
cons-upload-more-errors = { $count ->
    [one] … and one more error.
   *[other] … and { $count } more errors.
}
cons-upload-nothing-stored = Please correct the file and send it again.
cons-upload-too-big = The file is too big: { $kilobytes } KB at most.
cons-upload-unreadable = I could not download the file. Please try again in a moment.
cons-upload-not-utf8 = The file is not UTF-8 text: save it as UTF-8 and send it again. Nothing was saved.
cons-uploaded-created = Draft created (version { $version }). Nobody sees it until you publish or open it.
cons-uploaded-new-version = New version { $version } saved: whoever starts from now answers this one; earlier versions stay as they were.
cons-uploaded-unchanged = No change: the survey is the same as version { $version }.
cons-uploaded-closing-past = Note: the file's closing date has already passed. Set a new closing date (or use Extend).
