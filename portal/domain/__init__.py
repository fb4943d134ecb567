"""Rules shared by the areas, with no I/O: they take Brightpearl models (already read and checked
to be the user's) and plain values, and return what a page shows. Unit-tested on constructed
models; the account page, the dashboard and the statement all ask these same functions."""
