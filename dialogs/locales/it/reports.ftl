# Staff: /report e /export. Mai mostrati ai cittadini.
report-choose = Di quale consultazione vuoi il rapporto?
export-choose = Quale consultazione vuoi esportare?
report-none = Non ci sono ancora consultazioni.
report-unknown = Non esiste la consultazione «{ $slug }». Scegline una:
report-preparing = Preparo il file…
report-caption = Rapporto: { $title } — { $participants } partecipanti, { $themes } temi. I gruppi con meno di { $min } persone sono nascosti. Aprilo nel browser; si stampa in PDF.
export-caption = Esportazione: { $title } — { $participants } partecipazioni, una riga ciascuna, senza nomi né id Telegram.
