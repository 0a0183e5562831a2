"""Serving the control room: gunicorn with the scheduler and background jobs in its master (server),
`arfleet up` with a local runner and the sandbox (stack), the periodic-job base, response headers."""
