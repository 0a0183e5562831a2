"""``python -m sandbox.portal_a --port P --db PATH [--seed FILE.json]``"""
from sandbox.portal_a import create_app
from sandbox.portal_common.cli import main

main(create_app, "sandbox.portal_a")
