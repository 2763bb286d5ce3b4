# Statement voting: citizens vote in the chat (/vote); facilitators curate statements
# (/statements, the theme card); staff read the analysis (/consensus).
command-vote = Vote on statements
vote-agree = 👍 Agree
vote-disagree = 👎 Disagree
vote-pass = 🤷 Pass
vote-stop = ⏸ Stop
vote-propose = ✍️ Propose a statement
vote-start = 🗳 Vote on statements
vote-offer = Other participants have written short statements about this consultation. Would you like to say whether you agree? One tap each, and you can stop whenever you like.
vote-statement = 🗳 Statement { $number } of { $total }

    { $text }

    Do you agree?
vote-recorded = Vote recorded
vote-changed = Vote changed: { $choice }
vote-all-done = { $count ->
    [one] ✅ You have voted on the only statement. Thank you!
   *[other] ✅ You have voted on all { $count } statements. Thank you!
} New ones may come: send /vote again later. You can also propose a statement of your own.
vote-paused = ⏸ Paused. Send /vote whenever you want to go on: you will start where you left off.
vote-none = There is nothing to vote on right now. Voting is open to people who joined a consultation that has statements: send /start to see the open consultations.
vote-choose = Which consultation do you want to vote on?
vote-unavailable = Voting on this consultation is not available to you now.
vote-propose-prompt = Write your statement in one message: a short sentence others can agree or disagree with (at most { $max } characters). A facilitator reads it before it is shown to anyone.
vote-proposed = ✍️ Thank you! Your statement will be shown to others once a facilitator has accepted it.
vote-refused-not_joined = To vote, join the consultation first (send /start) and accept its privacy notice.
vote-refused-closed = This consultation is closed: votes are no longer accepted.
vote-refused-not_found = That statement is not available any more.
vote-refused-too_short = That is too short for a statement (at least { $min } characters). Write it again.
vote-refused-too_long = That is too long for a statement (at most { $max } characters). Write a shorter one.

# Staff: /statements, and "Make a statement" on a theme card.
statements-title = 🗳 Statements of “{ $title }”
statements-pending = { $count ->
    [one] Waiting for review (1):
   *[other] Waiting for review ({ $count }):
}
statements-accepted = { $count ->
    [one] Shown to citizens (1):
   *[other] Shown to citizens ({ $count }):
}
statements-votes = { $count ->
    [one] 1 vote
   *[other] { $count } votes
}
statements-rejected = { $count ->
    [one] 1 statement rejected (never shown).
   *[other] { $count } statements rejected (never shown).
}
statements-empty = No statements yet. Write one, or make one from a theme (/themes).
statements-accept = ✅ Accept { $number }
statements-reject = ✖ Reject { $number }
statements-accepted-done = Accepted: citizens can vote on it now.
statements-rejected-done = Rejected: it will not be shown.
statements-write = ✍️ Write a statement
statements-write-prompt = Send the statement in one message: a short sentence citizens can agree or disagree with (at most { $max } characters).
statements-from-theme = 🗳 Make a statement
statements-draft = Draft from the theme:

    { $draft }

    Send the statement as you want it (copy the draft and edit it; at most { $max } characters), or save the draft as it is.
statements-save-draft = 💾 Save the draft as it is
statements-saved = ✅ Saved; citizens can vote on it now:
    { $text }
statements-text-only = Please send the statement as text.
statements-too-short = That is too short for a statement (at least { $min } characters). Send it again.
statements-too-long = That is too long (at most { $max } characters). Send a shorter one.
statements-closed = The consultation is closed: it takes no new statements.
statements-not-found = That statement or theme is not there any more. Send /statements to see the current list.
statements-choose = Which consultation's statements do you want to see?
statements-unknown = There is no consultation “{ $slug }”. Choose one:
statements-no-consultation = There are no consultations yet.

# Staff: /consensus
consensus-title = 🗳 Votes on “{ $title }”: { $voters } people voted on { $statements } statements; { $grouped } voted on at least { $min } and are placed in opinion groups.
consensus-groups = { $count ->
    [one] One opinion group:
   *[other] { $count } opinion groups:
}
consensus-group = Group { $letter } ({ $size } people), sets itself apart by:
consensus-rep-agree = { $share } agree: { $text }
consensus-rep-disagree = { $share } disagree: { $text }
consensus-no-groups = Not enough votes for opinion groups yet (people need at least { $min } votes each).
consensus-consensus = Consensus across groups (share agreeing overall):
consensus-majority = Majority (at least 60% agree):
consensus-divisive = Divisive (share agreeing overall):
consensus-unavailable = The voting analysis is not available on this installation.
consensus-no-votes = Nobody has voted on this consultation's statements yet.
consensus-failed = Sorry, the analysis of the votes on “{ $title }” ({ $voters } people) could not be run just now. The votes are safe: please try /consensus again in a few minutes, and if it keeps failing, tell whoever runs the bot.
consensus-none = There are no consultations yet.
consensus-choose = Which consultation's votes do you want to see?
consensus-unknown = There is no consultation “{ $slug }”. Choose one:
