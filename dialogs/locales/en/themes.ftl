# Staff: /themes (themes in the chat, with curation). Never shown to citizens.
themes-choose = Which consultation's themes do you want to see?
themes-none = There are no consultations yet.
themes-unknown = There is no consultation “{ $slug }”. Choose one:
themes-not-found = That theme is no longer there (it may have been merged or re-clustered). Send /themes to see the current ones.
themes-header = Themes of “{ $title }”
themes-respondents = { $people ->
    [one] One person wrote something.
   *[other] { $people } people wrote something.
} Themes with fewer than { $min } people are not shown.
themes-line = { $count ->
    [one] one answer
   *[other] { $count } answers
} · { $share } of respondents · +{ $week } this week
themes-more = …and { $count ->
    [one] one more theme
   *[other] { $count } more themes
}.
themes-empty = No theme is large enough to show yet.
themes-hidden = Hidden by staff: { $labels }
themes-unthemed = { $count ->
    [one] One answer is in no theme shown here.
   *[other] { $count } answers are in no theme shown here.
}
themes-no-run = No themes yet for “{ $title }”.
themes-find-now = 🔎 Find themes now
themes-next = Next ▸
themes-previous = ◂ Previous
themes-back = ◂ All themes
themes-unhide-button = 👁 Unhide: { $label }
themes-already-running = Themes are already being found for this consultation; the result will appear here.
themes-progress-start = Finding themes… starting.
themes-progress = Finding themes… { $stage } { $percent }%
themes-stage-vectorising = reading the answers
themes-stage-clustering = grouping them
themes-stage-saving = saving
themes-stage-assigning = placing new answers
themes-stage-other = working
themes-progress-done = Finding themes… done (100%).
themes-progress-failed = Finding themes did not work this time. Please try again later.
# The card of one theme.
themes-card-people = { $people ->
    [one] one person
   *[other] { $people } people
}
themes-card-keywords = Keywords: { $keywords }
themes-card-hidden = Hidden by staff: not in reports or summaries.
themes-card-quotes = Answers { $from }–{ $to } of { $total }:
themes-card-breakdown = By “{ $question }”:
themes-card-suppressed = < { $min }
themes-card-no-breakdown = No breakdown by segment (no single-choice question answered).
themes-move-button = ↪ Move { $number }
themes-rename-button = ✏️ Rename
themes-merge-button = 🔗 Merge into…
themes-split-button = ✂️ Split
themes-hide-button = 🙈 Hide
themes-unhide-short = 👁 Unhide
themes-cancel-button = Cancel
themes-other-target = Other (no theme)
# Curation.
themes-rename-prompt = Type the new name for “{ $label }” (1–80 characters).
themes-split-prompt = Type a word: the answers of “{ $label }” that contain it become a new theme with that name.
themes-merge-pick = Merge “{ $label }” into which theme?
themes-merge-none = There is no other theme to merge into.
themes-move-pick = Move this answer to which theme?
    “{ $quote }”
themes-label-length = A name must be 1 to 80 characters long. Please type it again.
themes-renamed = Renamed to “{ $label }”.
themes-merged = Merged into “{ $label }”.
themes-split-done = “{ $label }” is now a theme of its own.
themes-moved = Answer moved.
themes-hidden-done = Hidden: it stays out of reports and summaries.
themes-unhidden-done = Visible again.
themes-cancelled = Cancelled.
themes-rejected-too_small = Both parts need at least { $min } people. Nothing was changed.
themes-rejected-no_match = No answer of this theme contains “{ $word }”. Nothing was changed.
themes-rejected-all_match = Every answer of this theme contains “{ $word }”: rename it instead. Nothing was changed.
themes-rejected-same_theme = That is already where it is. Nothing was changed.
themes-rejected-not_member = That answer is no longer in this theme. Nothing was changed.
themes-rejected-other = That cannot be done. Nothing was changed.
themes-text-only = Please type the text as a message.
