"""``python -m sandbox.portal_b --port P --db PATH [--seed FILE.json]``"""
from sandbox.portal_b import create_app
from sandbox.portal_common.cli import main

main(create_app, "sandbox.portal_b")
