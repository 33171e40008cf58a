"""The users of the load bench (bench/load.py runs Locust on this file; not meant to be run
alone). Each simulated user takes one signed-in session from the plan that bench/load.py
wrote (``LOAD_PLAN``): coordinators working their caseloads (the caseload page, a client's
page, the caseload API in equal parts), a few team leads on the team review, a few clients
on their portal home. No pause between requests: the figure is what the server holds."""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
URLS: dict[str, str] = PLAN["urls"]
LEADS = int(os.environ.get("LOAD_LEADS", "3"))
PORTAL_CLIENTS = int(os.environ.get("LOAD_PORTAL_CLIENTS", "3"))
_sessions = {kind: itertools.cycle(PLAN[kind]) for kind in ("coordinator", "lead", "portal")}


class SignedIn(FastHttpUser):
    abstract = True
    kind = ""
    wait_time = constant(0)
    session: dict[str, Any]

    def on_start(self) -> None:
        self.session = next(_sessions[self.kind])
        self.headers = {"Cookie": f"sessionid={self.session['cookie']}"}
        # A fixed stream per user, so that two runs ask for the same pages.
        self.rng = random.Random(self.session["cookie"])  # noqa: S311 (not a secret)

    def page(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, headers=self.headers, allow_redirects=False, catch_response=True) as got:
            if got.status_code != 200:
                got.failure(f"{got.status_code} for {url}")


class Coordinator(SignedIn):
    kind = "coordinator"

    @task
    def caseload_page(self) -> None:
        self.page(URLS["caseload"], "caseload page")

    @task
    def client_page(self) -> None:
        self.page(self.rng.choice(self.session["clients"]), "client page")

    @task
    def caseload_api(self) -> None:
        self.page(URLS["caseload_api"], "caseload API")


class TeamLead(SignedIn):
    kind = "lead"
    fixed_count = LEADS

    @task
    def team_review(self) -> None:
        self.page(URLS["team_review"], "team review")


class PortalClient(SignedIn):
    kind = "portal"
    fixed_count = PORTAL_CLIENTS

    @task
    def portal_home(self) -> None:
        self.page(URLS["portal_home"], "portal home")
