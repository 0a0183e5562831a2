"""Which system users Dovecot's processes run as.

As root (the normal case here), mail belongs to the ``mail`` user: Dovecot refuses to access mail
as uid 0. Without root, every process runs as the current user, as Dovecot allows.
"""
from __future__ import annotations

import grp
import os
import pwd
from dataclasses import dataclass


@dataclass(frozen=True)
class SystemUsers:
    mail_user: str  # owns the Maildirs
    mail_uid: int
    mail_gid: int
    internal_user: str  # Dovecot's unprivileged helpers (auth, anvil, ...)
    internal_group: str
    internal_gid: int
    login_user: str  # the imap-login processes
    privileged: bool  # running as root: login processes are chrooted, files are chowned


def system_users() -> SystemUsers:
    """The users for this process: the Debian package's ``mail``/``dovecot``/``dovenull`` as root."""
    if os.geteuid() == 0:
        mail = pwd.getpwnam("mail")
        return SystemUsers(
            mail_user=mail.pw_name,
            mail_uid=mail.pw_uid,
            mail_gid=mail.pw_gid,
            internal_user="dovecot",
            internal_group="dovecot",
            internal_gid=grp.getgrnam("dovecot").gr_gid,
            login_user="dovenull",
            privileged=True,
        )
    me = pwd.getpwuid(os.geteuid())
    return SystemUsers(
        mail_user=me.pw_name,
        mail_uid=me.pw_uid,
        mail_gid=me.pw_gid,
        internal_user=me.pw_name,
        internal_group=grp.getgrgid(me.pw_gid).gr_name,
        internal_gid=me.pw_gid,
        login_user=me.pw_name,
        privileged=False,
    )
