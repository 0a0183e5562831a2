"""Where a sandbox keeps its things inside its data folder, so every part finds the others:

    demo/            the demo company (demo_data.json, the per-app seeds, documents.json, documents/)
    apps/<app>/      each app's SQLite database and uploaded files
    mail/            Dovecot's config, passwd-file and Maildirs (see `Layout.mail` for private folders)
    bank/camt053/    the bank's end-of-day statements, as a bank drop folder
    bank/camt054/    the bank's credit notifications
    logs/<app>.log   what each app process printed
    state.json       the sandbox's own secrets (admin token, session key) and what is done already
    connection.json  where to connect, for `arfleet up` and the bots
"""
from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

MAIL_FALLBACK = Path("/var/lib/arfleet-sandbox")


def _traversable_by_others(folder: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in [folder, *folder.parents] if p.exists())


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def demo(self) -> Path:
        return self.root / "demo"

    @property
    def demo_data(self) -> Path:
        return self.demo / "demo_data.json"

    @property
    def documents_truth(self) -> Path:
        return self.demo / "documents.json"

    @property
    def documents(self) -> Path:
        return self.demo / "documents"

    def database(self, app: str) -> Path:
        return self.root / "apps" / app / f"{app}.sqlite"

    @property
    def mail(self) -> Path:
        """Dovecot keeps mail as the `mail` user, who must be able to reach the folder. A sandbox
        under a private folder (a clone in /root, pytest's tmp_path) keeps its mail in
        /var/lib/arfleet-sandbox/<id of the sandbox folder>/mail instead."""
        inside = self.root / "mail"
        if os.geteuid() != 0 or _traversable_by_others(self.root):
            return inside
        return MAIL_FALLBACK / hashlib.sha256(str(self.root).encode()).hexdigest()[:16] / "mail"

    @property
    def bank(self) -> Path:
        return self.root / "bank"

    def log(self, app: str) -> Path:
        return self.root / "logs" / f"{app}.log"

    @property
    def state(self) -> Path:
        return self.root / "state.json"

    @property
    def connection_file(self) -> Path:
        return self.root / "connection.json"

    def create(self) -> None:
        """Make the folders; the root stays traversable, as Dovecot's `mail` user must reach mail/."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(self.root.stat().st_mode | 0o711)
        for folder in (self.demo, self.root / "apps", self.root / "logs", self.bank):
            folder.mkdir(exist_ok=True)
