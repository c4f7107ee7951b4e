"""Runs scim2-tester (a SCIM RFC 7643/7644 conformance checker, from PyPI)
against a Ladder server, and prints one JSON line per check.

Usage: scim_check.py BASE_URL TOKEN
Exit status 0 when it ran; the Rust test reads the lines and decides.
"""

import json
import sys

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server


def main(base, token):
    http = httpx2.Client(
        base_url=base + "/scim/v2",
        headers={"Authorization": "Bearer " + token},
        timeout=30,
    )
    client = SyncSCIMClient(http)
    client.discover()
    for r in check_server(client):
        print(json.dumps({
            "status": r.status.name,
            "title": r.title or "",
            "description": r.description or "",
            "reason": r.reason or "",
            "resource_type": r.resource_type or "",
            "tags": sorted(r.tags or []),
        }), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
