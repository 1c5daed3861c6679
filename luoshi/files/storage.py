"""Where attachments live: written to the media root only once the record that owns them is
committed. Until then the bytes wait in a staging folder beside it (same file system, so the
move is one rename), and reads of the uncommitted file within the same transaction find them
there. A rolled-back upload leaves nothing: its staged file is removed when the transaction's
on-commit hooks are dropped; a staged file left by a crash is removed by the sweeper
(files.services.sweep_orphan_files)."""

import os
import re
import weakref
from pathlib import Path

from django.core.files.storage import FileSystemStorage

STAGING = ".staging"
# What files.models._upload_to writes: 2026/12/<32 hex>.<extension>. The sweeper touches only
# these (and the staging folder): other files under the media root belong to other apps.
ATTACHMENT_NAME = re.compile(r"^\d{4}/\d{2}/[0-9a-f]{32}\.[a-z0-9]{1,10}$")


class AttachmentStorage(FileSystemStorage):
    """The media root, where a name not yet moved to its place is read from staging."""

    def staged_path(self, name: str) -> Path:
        return Path(self.location) / STAGING / name

    def path(self, name: str) -> str:
        final = super().path(name)
        if not os.path.exists(final):
            staged = self.staged_path(name)
            if staged.exists():
                return str(staged)
        return final

    def stage(self, name: str, data: bytes) -> Path:
        """Write `data` to the staging folder under `name` (not yet visible as committed)."""
        staged = self.staged_path(name)
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.write_bytes(data)
        return staged

    def publish(self, name: str) -> None:
        """Move a staged file to its final place (one rename)."""
        final = Path(super().path(name))
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.staged_path(name), final)


attachment_storage = AttachmentStorage()


def get_attachment_storage() -> AttachmentStorage:
    return attachment_storage


def _remove(path: str) -> None:
    Path(path).unlink(missing_ok=True)


class PublishOnCommit:
    """The on-commit hook of one staged upload: called, it moves the file to its place.

    Django drops a transaction's on-commit hooks when it rolls back (or a savepoint's, when that
    is rolled back); the hook is then freed without being called, and its finaliser removes the
    staged file, so that a rolled-back upload leaves no file behind.
    """

    def __init__(self, storage: AttachmentStorage, name: str):
        self.storage = storage
        self.name = name
        self._discard = weakref.finalize(self, _remove, str(storage.staged_path(name)))

    def __call__(self) -> None:
        self._discard.detach()
        self.storage.publish(self.name)
