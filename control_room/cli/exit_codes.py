"""The `arfleet` command's exit codes (click itself exits with 1 on a ClickException and 2 on a usage error)."""

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_DUPLICATE = 3  # a duplicate reference was refused; the existing item's id is printed
