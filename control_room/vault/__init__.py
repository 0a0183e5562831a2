"""The credentials vault as the control room keeps it: secrets encrypted at rest in the database, scoped
to processes, every read audited (store, models). The cryptography itself is in the top-level
`credentials` package, which imports nothing of the control room."""
