"""Requests sent at the same moment from real threads, for the rules that count before
they write (a cap, the next number, booking something once).

Each thread has its own test client, so each request runs in its own app context with
its own database session and connection, as under a threaded server. Keep the thread
count small and the waits bounded: these run in CI on both databases.
"""

import threading

from coop.extensions import db

JOIN_SECONDS = 30


def at_once(app, requests, as_user=None):
    """Send `requests` (callables taking a test client and returning a response) at the
    same moment, one thread each, logged in as `as_user` if given (one user, or a list
    of one per request); returns the responses in the order of `requests`.

    The caller's session is ended first: on SQLite an open transaction of the test itself
    would hold the database's write lock and make every request wait.
    """
    users = as_user if isinstance(as_user, list) else [as_user] * len(requests)
    logins = [_login_of(user) if user is not None else None for user in users]
    db.session.commit()
    db.session.remove()
    start = threading.Barrier(len(requests))
    responses = [None] * len(requests)
    failures = []

    def run(index, send):
        client = app.test_client()
        if logins[index] is not None:
            with client.session_transaction() as session:
                session.update(logins[index])
        try:
            start.wait(timeout=JOIN_SECONDS)
            responses[index] = send(client)
        except Exception as error:  # the test fails with it below
            failures.append(error)
            start.abort()

    threads = [threading.Thread(target=run, args=(i, send), daemon=True)
               for i, send in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a request did not finish"
    assert not failures, failures
    db.session.expire_all()
    return responses


def _login_of(user) -> dict:
    """The session of `user` logged in, as after password (and 2FA when enabled)."""
    return {"_user_id": user.get_id(), "_fresh": True,
            "two_factor_ok": user.two_factor_enabled}
