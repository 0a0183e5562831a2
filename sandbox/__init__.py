"""Practice copies of the systems arfleet's bots work against (ERP, supplier portals, Chorus Pro,
mailbox, bank), each its own Flask app on its own port. Bots reach them only over HTTP, IMAP, SMTP
and files, never by importing this package.

What every web app shares lives beside the apps: ``app_site`` (configuration, faults, CSRF, set-up),
``app_db`` (its SQLite database and column types), ``app_clock`` (its business clock),
``admin_api`` (the token-guarded ``/_admin/`` API and seeding) and ``app_cli`` (``python -m``)."""
