"""The AR mailbox: a real Dovecot (IMAP and LMTP on loopback) and a real SMTP relay (aiosmtpd)
that delivers into it over LMTP, so a mail a bot sends can be read back over IMAP as a customer
would. ``MailServer`` runs both from a data folder; nothing starts at import."""
from sandbox.mail.lmtp import DeliveryError, deliver
from sandbox.mail.server import MailServer, MailServerError

__all__ = ["DeliveryError", "MailServer", "MailServerError", "deliver"]
