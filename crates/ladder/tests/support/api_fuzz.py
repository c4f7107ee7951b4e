"""Runs schemathesis against a running Ladder, signed in as one person.

    python3 api_fuzz.py BASE_URL EMAIL PASSWORD OPENAPI_JSON EXAMPLES [SEED]

Signs in through the login form, makes an API token with the session (as a
person would on their account page), then runs schemathesis against the
committed OpenAPI document with that bearer token. It fails (exit code 1)
on any 5xx, any response that breaks its schema or content type, any
status the document does not list, and any request that breaks the
document's schema (a wrong type, a string over its `maxLength`) and is not
refused with a 4xx.

The two operations that end the caller's own credentials (sign out
everywhere, revoke a token) run last, in a pass of their own with a second
token, so that the main pass keeps its token to the end.

A run that tested nothing fails too: the main pass's token must still
work at its end, and some answers must have been successes. Each pass
prints how many answers of each status it got.

Only the standard library is used here; schemathesis runs with the same
Python.
"""

import collections
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
    ]
)

# Operations that end the token they are called with.
ENDING = r"/me/sign-out-everywhere$|/me/tokens/\{id\}/revoke$"


def token(base: str, email: str, password: str, name: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    if not found:
        sys.exit("the login page has no csrf field")
    form = urllib.parse.urlencode(
        {"csrf": found.group(1), "email": email, "password": password}
    ).encode()
    opener.open(base + "/login", form).read()
    home = opener.open(base + "/").read().decode()
    found = re.search(r'name="csrf" value="([^"]+)"', home)
    if not found:
        sys.exit(f"signing in as {email} failed: the home page has no csrf field")
    req = urllib.request.Request(
        base + "/api/v1/tokens",
        data=json.dumps({"name": name, "expires_in_days": 1}).encode(),
        headers={"Content-Type": "application/json", "X-CSRF-Token": found.group(1)},
        method="POST",
    )
    return json.loads(opener.open(req).read())["token"]


def token_works(base: str, bearer: str) -> bool:
    req = urllib.request.Request(
        base + "/api/v1/me", headers={"Authorization": f"Bearer {bearer}"}
    )
    try:
        return urllib.request.urlopen(req).status == 200
    except urllib.error.HTTPError:
        return False


def statuses(har: str) -> collections.Counter:
    with open(har) as f:
        entries = json.load(f)["log"]["entries"]
    return collections.Counter(e["response"]["status"] for e in entries)


def schemathesis(base, bearer, schema, examples, seed, select, har):
    cmd = [
        sys.executable,
        "-c",
        "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())",
        "run",
        schema,
        "--url",
        base,
        "--header",
        f"Authorization: Bearer {bearer}",
        "--checks",
        CHECKS,
        "--max-examples",
        str(examples),
        "--seed",
        str(seed),
        "--phases",
        "examples,coverage,fuzzing",
        # One worker: with several, Hypothesis parses lambdas' source in
        # threads at once, which CPython 3.11's `ast` does not survive
        # ("AST constructor recursion depth mismatch").
        "--workers",
        "1",
        "--no-shrink",
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "30",
        "--warnings",
        "off",
        "--report",
        "har",
        "--report-har-path",
        har,
    ] + select
    shown = ["Authorization: Bearer …" if "Bearer" in c else c for c in cmd]
    print("+ schemathesis", " ".join(shown[3:]), flush=True)
    # Run where the reports go: schemathesis keeps a cache in its working
    # directory, which must not land in the repository.
    code = subprocess.run(cmd, cwd=os.path.dirname(har)).returncode
    counts = statuses(har)
    print("answers by status:", dict(sorted(counts.items())), flush=True)
    return code, counts


def main():
    base, email, password, schema, examples = sys.argv[1:6]
    seed = sys.argv[6] if len(sys.argv) > 6 else "1"
    base = base.rstrip("/")
    schema = os.path.abspath(schema)
    reports = tempfile.mkdtemp(prefix="ladder-fuzz-")
    main_token = token(base, email, password, "schemathesis")
    code, counts = schemathesis(
        base,
        main_token,
        schema,
        examples,
        seed,
        ["--exclude-path-regex", ENDING],
        os.path.join(reports, "main.har"),
    )
    failed = bool(code)
    if not token_works(base, main_token):
        print("FAILED: the token stopped working during the run, so it tested nothing after that")
        failed = True
    if sum(n for status, n in counts.items() if 200 <= status < 300) == 0:
        print("FAILED: no answer was a success, so the run tested only refusals")
        failed = True
    last_token = token(base, email, password, "schemathesis, last pass")
    code, _ = schemathesis(
        base,
        last_token,
        schema,
        examples,
        seed,
        ["--include-path-regex", ENDING],
        os.path.join(reports, "last.har"),
    )
    failed = failed or bool(code)
    shutil.rmtree(reports, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
