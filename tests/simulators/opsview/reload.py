"""/rest/reload: the status (GET) and a reload (POST), synchronous unless `asynchronous=1`; 409 while one runs.
A reload activates the configuration as it was when it started; a forced outcome (control endpoint) makes it
fail (400, server_status 3) or warn (200, server_status 4)."""

from __future__ import annotations

import time

from flask import request
from werkzeug.wrappers import Response

from .protocol import json_response, route, state, user

RUNNING = {"server_status": "1", "messages": ["Reload already running"]}


@route("/reload")
def reload_status() -> Response:
    return json_response(state().reload_status())


@route("/reload", "POST", locked=False)
def reload_now() -> Response:
    st = state()
    asynchronous = request.args.get("asynchronous", "0") not in ("", "0")
    with st.lock:
        st.settle()
        if st.running_reload() is not None:
            return json_response(RUNNING, 409)
        run = st.start_reload(user(), asynchronous=asynchronous)
        if asynchronous:
            return json_response(st.reload_status())
    time.sleep(run.seconds)  # without the lock: meanwhile other requests see it running, and get 409
    with st.lock:
        if run in st.reloads:  # not reset meanwhile
            st.finish_reload(run)
        st.settle()
        answer = st.reload_status()
    answer.update(server_status=str(run.server_status), messages=run.messages)
    return json_response(answer, 200 if run.server_status in (0, 4) else 400)
