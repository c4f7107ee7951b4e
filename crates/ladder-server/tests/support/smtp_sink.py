"""An aiosmtpd handler for Ladder's tests: each message it receives is
parsed and written, as JSON, to a file of its own in a folder (recipients,
headers, the text and HTML parts), so the tests can read them back.

Run: python3 smtp_sink.py PORT FOLDER [DELAY_SECONDS]
(aiosmtpd's own `python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Sink
FOLDER`, with this folder importable).
"""

import asyncio
import email
import email.policy
import json
import os


class Sink:
    def __init__(self, folder, delay=0.0):
        self.folder = folder
        self.delay = delay
        self.count = 0

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) not in (1, 2):
            parser.error("smtp_sink.Sink takes the folder, and seconds to wait per message")
        return cls(args[0], float(args[1]) if len(args) == 2 else 0.0)

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            # A slow server: the sender is mid-delivery for this long.
            await asyncio.sleep(self.delay)
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        out = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(msg["Subject"] or ""),
            "message_id": str(msg["Message-ID"] or ""),
            "delivery": str(msg["X-Ladder-Delivery"] or ""),
            "text": text.get_content() if text else "",
            "html": html.get_content() if html else "",
        }
        self.count += 1
        path = os.path.join(self.folder, "%06d.json" % self.count)
        with open(path + ".tmp", "w") as f:
            json.dump(out, f)
        os.rename(path + ".tmp", path)
        return "250 OK: stored"


if __name__ == "__main__":
    # python3 smtp_sink.py PORT FOLDER: aiosmtpd's own command line, with
    # this file's folder importable.
    import sys

    from aiosmtpd.main import main

    port, folder = sys.argv[1], sys.argv[2]
    main(["-n", "-l", "127.0.0.1:" + port, "-c", "smtp_sink.Sink", folder] + sys.argv[3:])
