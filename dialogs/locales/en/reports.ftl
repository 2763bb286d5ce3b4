# Staff: /report and /export. Never shown to citizens.
report-choose = Which consultation's report do you want?
export-choose = Which consultation do you want to export?
report-none = There are no consultations yet.
report-unknown = There is no consultation “{ $slug }”. Choose one:
report-preparing = Preparing the file…
report-caption = Report: { $title } — { $participants } participants, { $themes } themes. Groups under { $min } people are hidden. Open it in a browser; it prints to PDF.
export-caption = Export: { $title } — { $participants } participations, one row each, no names or Telegram ids.
