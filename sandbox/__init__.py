"""Practice copies of the systems arfleet's bots work against (ERP, supplier portals, Chorus Pro,
mailbox, bank), each its own Flask app on its own port. Bots reach them only over HTTP, IMAP, SMTP
and files, never by importing this package."""
