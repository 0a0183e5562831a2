"""What every arfleet bot shares: one settings object read from the environment, a Chromium launch
that keeps a screenshot and a Playwright trace of every failure, a base for page objects that
recognises a site's own failures (server errors, being signed out, a screen that changed), and a
small retry helper for transient errors."""
