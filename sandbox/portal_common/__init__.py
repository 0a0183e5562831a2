"""What both customer supplier portals (portal_a, portal_b) share: the site set-up and admin API, the
tables (as mixins), server-side login sessions, a supplier's submissions, the status lifecycle of a
submitted invoice, PDF upload checks, the seed format and the command line. Everything a buyer's
portal does differently (its pages, wording, flows and verdicts) lives in its own package."""
