# Sent at most once per half minute to someone sending messages faster than we can read them.
flood-warning = You are sending messages very quickly, so I skipped some of them. Please wait a few seconds, then carry on: nothing you already answered is lost.
