"""Which Celery worker runs a task, and which workers are alive now.

A task records on its row the identity of the worker that took it; a sweep asks the running
workers for theirs. Work taken by a worker that no longer answers (killed with ``kill -9``,
its machine gone) can then be sent again at once, instead of after the broker's visibility
timeout. The identity names the node and its main process, and a token drawn at its start:
a worker restarted under the same name and process id (a container's PID 1) is another one."""

import os
import uuid
from typing import Any

from celery import Celery, signals
from celery.worker.control import inspect_command

# Drawn in the worker's main process at its start; its pool processes inherit it by fork.
_identity = ""
# How long a sweep waits for the workers' answers: a live worker's main process answers in
# milliseconds, as its pool processes do the work.
ANSWER_SECONDS = 1.0


@signals.celeryd_init.connect
def _draw_identity(sender: str, **kwargs: Any) -> None:
    global _identity  # one per process, set once before the pool forks
    _identity = f"{sender} pid {os.getpid()} {uuid.uuid4().hex[:8]}"


def identity() -> str:
    """This worker's identity; empty outside a worker (a task run in-process)."""
    return _identity


@inspect_command(name="caseflow_identity")
def _answer_identity(state: Any) -> dict[str, str]:
    return {"identity": _identity}


def live_identities(app: Celery) -> set[str] | None:
    """The identities of the workers that answer now, or None where the broker could not be
    asked (then nobody can tell who died, and nothing should be sent again for it)."""
    try:
        replies = app.control.broadcast("caseflow_identity", reply=True, timeout=ANSWER_SECONDS)
    except Exception:
        return None
    return {answer["identity"] for reply in replies or [] for answer in reply.values() if answer.get("identity")}
