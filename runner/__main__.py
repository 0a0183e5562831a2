"""`python -m runner` — the same as `arfleet runner`."""
from control_room.cli import main

if __name__ == "__main__":
    main(["runner", *__import__("sys").argv[1:]])
