# Facilitators: /ideas, /answers, /blocked (moderation). Authors appear only as #handles.
moderation-usage = Usage: /{ $command } <consultation>, e.g. /{ $command } opencare
moderation-no-consultation = There is no consultation “{ $slug }”.
moderation-idea-header = Ideas of “{ $slug }” ({ $total } in all, newest first)
moderation-answer-header = Free-text answers of “{ $slug }” ({ $total } in all, newest first)
moderation-page = Page { $page } of { $pages }
moderation-empty = Nothing here yet.
moderation-hidden-mark = [hidden]
moderation-button-hide = 🙈 Hide { $number }
moderation-button-show = 👁 Show { $number }
moderation-button-block = ⛔ Block { $handle }
moderation-hidden = Hidden: it no longer counts in themes and reports.
moderation-shown = Shown again: it counts in themes and reports.
moderation-not-found = Nothing changed: this item no longer exists.
moderation-block-confirm = Block { $handle }? Their later messages will be ignored (they can still download or delete their data). You can undo this with /blocked.
moderation-button-block-confirm = Yes, block { $handle }
moderation-button-block-keep = No
moderation-block-kept = Nobody was blocked.
moderation-blocked = { $handle } is blocked. Undo with /blocked.
moderation-already-blocked = { $handle } was already blocked.
moderation-blocked-none = Nobody is blocked.
moderation-blocked-header = { $count ->
    [one] One blocked participant:
   *[other] { $count } blocked participants:
}
moderation-blocked-line = • { $handle } – since { $since }
moderation-button-unblock = Unblock { $handle }
moderation-unblocked = { $handle } is no longer blocked.
moderation-not-blocked = Nothing changed: this participant is not blocked.
# What a blocked citizen reads (at most once every few minutes).
blocked-notice = Your messages are no longer being processed by this service. You can still download your data with /mydata or delete it with /delete.
