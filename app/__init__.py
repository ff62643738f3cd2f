"""rnn-unfolded web app: the JSON API over core/ and the page that draws it."""
