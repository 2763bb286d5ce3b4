start-greeting = Hello! I'm Ascolto, the City of Milan's participation assistant. Here you can answer open consultations and send your ideas.
start-open-consultations = { $count ->
    [0] There are no open consultations right now. Please come back soon!
    [one] There is one open consultation:
   *[other] There are { $count } open consultations:
}
start-consultation-line = • { $title }: { $intro }
start-choose = Tap a consultation to begin.
help-text = Here is what I can do:
    /start – the open consultations
    /idea – send an idea
    /follow – news about a project (/unfollow to stop)
    /lang – change language
    /mydata – a copy of your data
    /delete – erase your data
    /stop – no more reminders or announcements
    /help – this help
    You can always send me your idea in a message.
command-start = Open consultations
command-help = How it works
unknown-command = I don't know that command. Send /help to see what I can do.
consultation-not-open = This consultation is no longer open.
