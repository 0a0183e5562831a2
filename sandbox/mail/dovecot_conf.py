"""Dovecot's configuration for one sandbox mailbox server, written into its data folder.

Self-contained on purpose: nothing comes from /etc/dovecot, so several servers (one per test
session, different folders and ports) run side by side and the machine's own Dovecot, if any,
is untouched.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sandbox.mail.system_users import SystemUsers


@dataclass(frozen=True)
class DovecotPaths:
    """Where one server keeps its files. ``run_dir`` holds sockets, so its path must stay short."""

    config: Path
    users: Path
    mail: Path
    log: Path
    run_dir: Path
    state_dir: Path


def render_config(
    paths: DovecotPaths, users: SystemUsers, *, host: str, hostname: str, imap_port: int, lmtp_port: int
) -> str:
    """The dovecot.conf text: IMAP and LMTP on ``host``, passwd-file users, Maildirs under ``mail``."""
    instance = "arfleet-" + hashlib.sha1(str(paths.config).encode()).hexdigest()[:10]
    unchrooted = "" if users.privileged else "  chroot =\n"
    return f"""\
# Written by arfleet's sandbox (sandbox/mail/dovecot_conf.py) on every start; edits are lost.
instance_name = {instance}
base_dir = {paths.run_dir}
state_dir = {paths.state_dir}
log_path = {paths.log}
listen = {host}
hostname = {hostname}
protocols = imap lmtp
ssl = no
# Loopback only: plain-text logins, as the bots' sandbox configuration uses them.
disable_plaintext_auth = no
auth_mechanisms = plain login
# Whole addresses are the logins, so compta@client-a.fr and compta@client-b.fr are two mailboxes.
auth_username_format = %Lu
auth_verbose = yes
default_internal_user = {users.internal_user}
default_internal_group = {users.internal_group}
default_login_user = {users.login_user}
first_valid_uid = {users.mail_uid}
last_valid_uid = {users.mail_uid}
mail_location = maildir:~/Maildir
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no

namespace inbox {{
  inbox = yes
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Junk {{
    special_use = \\Junk
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = subscribe
  }}
}}

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu {paths.users}
}}
userdb {{
  driver = passwd-file
  args = username_format=%Lu {paths.users}
  default_fields = uid={users.mail_uid} gid={users.mail_gid} home={paths.mail}/%Ld/%Ln
}}

service imap-login {{
{unchrooted}  inet_listener imap {{
    address = {host}
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  unix_listener lmtp {{
    mode = 0600
  }}
  inet_listener lmtp {{
    address = {host}
    port = {lmtp_port}
  }}
}}
service anvil {{
{unchrooted}}}
"""
