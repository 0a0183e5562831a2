"""A Robocorp bot that never imports robocorp.workitems (a script that only needs to run)."""
from robocorp.tasks import task


@task
def say_hello():
    print("hello from a bot that knows nothing of work items")
