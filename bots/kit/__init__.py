"""What every arfleet bot shares: one settings object read from the environment and the connection
file, a Chromium launch with one session per account that keeps a screenshot and a Playwright
trace of every failure, a base for page objects that recognises a site's own failures (server
errors, being signed out, a screen that changed) and downloads files, and a small retry helper
for transient errors."""
