"""Sends one request of teapot's client exam with a Python HTTP client.

Usage: exam_client.py CLIENT METHOD BODY URL, where CLIENT is
"requests" (a plain requests.Session), "requests-retry" (a Session with
urllib3's Retry mounted on an HTTPAdapter) or "httpx" (an httpx.Client
that follows redirects); "exam_client.py version CLIENT" prints the
versions that client is made of. A non-empty BODY is sent as a form.
Any error is printed and ends the script with status 1: the exam's
report, not this script, says what the client did.

e2e/exam_clients_test.go runs it with Debian's /usr/bin/python3 and its
python3-requests and python3-httpx packages.
"""

import platform
import sys


def requests_session(retry):
    import requests

    session = requests.Session()
    if retry:
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        # urllib3's default allowed_methods leave POST out: it is not
        # idempotent, so a 503 to a POST is not retried.
        policy = Retry(total=3, backoff_factor=0.5, status_forcelist=[429, 503],
                       respect_retry_after_header=True)
        session.mount("http://", HTTPAdapter(max_retries=policy))
        session.mount("https://", HTTPAdapter(max_retries=policy))
    return session


def send(client, method, body, url):
    data = body.encode() if body else None
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    if client in ("requests", "requests-retry"):
        with requests_session(client == "requests-retry") as session:
            response = session.request(method, url, data=data, headers=headers, timeout=30)
    elif client == "httpx":
        import httpx

        with httpx.Client(follow_redirects=True, timeout=30) as session:
            response = session.request(method, url, content=data, headers=headers)
    else:
        raise SystemExit("unknown client " + client)
    print(response.status_code)


def version(client):
    python = "Python " + platform.python_version()
    if client == "httpx":
        import httpx

        return "httpx %s, %s" % (httpx.__version__, python)
    import requests
    import urllib3

    return "requests %s, urllib3 %s, %s" % (requests.__version__, urllib3.__version__, python)


def main(args):
    if len(args) == 2 and args[0] == "version":
        print(version(args[1]))
        return 0
    if len(args) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        send(*args)
    except Exception as err:  # the report says what happened
        print("%s: %s" % (type(err).__name__, err), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
