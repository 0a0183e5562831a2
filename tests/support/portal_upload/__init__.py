"""Helpers the portal_upload bot tests share: sample invoices and customers, the practice sites, Factur-X files
and running a task as the runner does."""
