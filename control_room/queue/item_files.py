"""Files people attach to work items (API and UI uploads) and their removal with the item."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.datastructures import FileStorage

from control_room.queue.models import WorkItem, WorkItemFile
from control_room.storage.files import FileStore


class MissingFileName(ValueError):
    pass


def attach_upload(session: Session, store: FileStore, item: WorkItem, upload: FileStorage,
                  max_bytes: int) -> WorkItemFile:
    """Store an uploaded file on the item; raises TooLarge past `max_bytes` (the caller rolls back)."""
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    if not name:
        raise MissingFileName("every file needs a file name")
    row = WorkItemFile(item_id=item.id, name=name, size=0, sha256="")
    session.add(row)
    session.flush()
    row.size, row.sha256 = store.write("items", item.id, row.id, upload.stream, max_bytes)
    return row


STORE_KEY, PENDING_KEY = "file_store", "arfleet.files_to_remove"


def remove_item_files(store: FileStore, item_id: int) -> None:
    folder = store.root / "items" / str(item_id)
    if folder.is_dir():
        for path in folder.iterdir():
            path.unlink(missing_ok=True)
        folder.rmdir()


def remove_after_commit(session: Session, item_ids: list[int]) -> None:
    """Deleted items' files go once the deletion has committed, never before (a rollback keeps them).
    The session knows the store when its factory was given ``info={"file_store": store}``."""
    session.info.setdefault(PENDING_KEY, []).extend(item_ids)


def _remove_pending_files(session: Session) -> None:
    item_ids, store = session.info.pop(PENDING_KEY, None), session.info.get(STORE_KEY)
    if item_ids and store is not None:
        for item_id in item_ids:
            remove_item_files(store, item_id)


def _keep_files(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def attach(sessions: sessionmaker[Session]) -> None:
    """Remove deleted items' files after a commit, keep them after a rollback (see `remove_after_commit`)."""
    event.listen(sessions, "after_commit", _remove_pending_files)
    event.listen(sessions, "after_rollback", _keep_files)
