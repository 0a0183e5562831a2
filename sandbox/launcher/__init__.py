"""`arfleet sandbox up`: every practice system started together from one data folder, seeded
with the demo company, and a connection file saying where each answers. ``Sandbox`` is the
Python API (`arfleet up` uses it); ``sandbox.cli`` the command line. Nothing starts at import."""
from sandbox.launcher.connection_file import read_connection_file
from sandbox.launcher.sandbox import APPS, PORT_NAMES, Sandbox, SandboxError

__all__ = ["APPS", "PORT_NAMES", "Sandbox", "SandboxError", "read_connection_file"]
