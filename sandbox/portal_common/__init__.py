"""What both customer supplier portals (portal_a, portal_b) share: the business clock, the status
lifecycle of a submitted invoice, PDF upload checks, the site set-up (faults, CSRF, database, admin
API) and the command line. Everything a buyer's portal does differently lives in its own package."""
