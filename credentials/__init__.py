"""The credentials vault: secrets encrypted at rest under a master key kept outside the database,
scoped to processes, every read audited, served to bots in Robocorp's transit envelope."""
