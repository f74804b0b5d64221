"""`mbox://` channels: alerts appended to a local mail file, with no mail server.

For trying alerts out (the demo delivers to one) or for a host whose local
mail is read by hand: each message is one email in a standard mbox file,
readable with `mail -f FILE`, mutt, Thunderbird's import or any text viewer.
The path is absolute: `mbox:///var/mail/vigie-alerts` writes
/var/mail/vigie-alerts. The file and its directory must be writable by
Vigie; the directory is not created (a typo should fail, not scatter files).

apprise knows the scheme once this module is imported: alerts.destinations
imports it, so adding, listing and delivering to such a channel all work.
"""
import email.message
import email.utils
import logging
import mailbox
import os

from apprise.decorators import notify

SCHEME = "mbox"
SENDER = "Vigie <vigie@localhost>"
# apprise records its plugins' warnings from this logger: alerts.delivery
# keeps the last one as the delivery's error.
apprise_log = logging.getLogger("apprise")


def mailbox_path(meta):
    """The file an mbox:// URL names: apprise reads the first path segment as a host."""
    return "/" + "/".join(part.strip("/") for part in (meta.get("host") or "", meta.get("fullpath") or "")
                          if part.strip("/"))


def append_message(path, title, body):
    """Append one email to the mbox file at `path`, locked against a concurrent writer."""
    if not os.path.isdir(os.path.dirname(path)):
        raise OSError(f"directory {os.path.dirname(path)} does not exist")
    message = email.message.EmailMessage()
    message["From"] = SENDER
    message["To"] = "retention team <retention@localhost>"
    message["Date"] = email.utils.formatdate(usegmt=True)
    message["Subject"] = title
    message.set_content(body)
    box = mailbox.mbox(path, create=True)
    box.lock()
    try:
        box.add(message)
        box.flush()
    finally:
        box.unlock()
        box.close()


@notify(on=SCHEME, name="Local mail file (mbox)")
def _deliver(body, title, notify_type, meta, *args, **kwargs):
    path = mailbox_path(meta)
    try:
        append_message(path, title, body)
    except OSError as exc:
        apprise_log.warning("cannot write the mail file %s: %s", path, exc.strerror or exc)
        return False
    return True
