"""The runner: a small agent on each VM that runs bot steps for the control room."""
