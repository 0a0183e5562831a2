"""`python -m control_room.cli …`, the same as `arfleet …`."""
from control_room.cli import main

if __name__ == "__main__":
    main()
