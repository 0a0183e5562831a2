"""The vault's cryptography, with no database and nothing of the control room: the master key (kept
outside the database; AES-GCM sealing), and Robocorp's transit envelope for serving secrets to bots. The
database-backed vault that uses it is control_room/vault/."""
