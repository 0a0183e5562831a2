"""HTTP APIs: the Robocorp-compatible robot API, the native /api/v1, signed file transfers."""
