"""People and what they may do: users and their argon2 passwords, personal API tokens, the role →
permission table checked on every page and API call, and the bearer tokens of people, runners and runs."""
