"""Locust scenarios of `make load`, one per phase, chosen by KIEUMAU_LOAD_SCENARIO.

Every phase runs against the same gunicorn server in the same run (benchmarks/load/run.py):
  healthz    GET /healthz, the baseline (one SELECT 1, no session, no template)
  scorecard  GET /evaluation/units/<ward>/?period=2025 as the Ministry administrator
  matrix     GET /evaluation/matrix/?under=<province>&period=2025 as the province administrator
  dashboard  GET /dashboards/ as the Ministry administrator (when the route exists)
  save       data entry: GET the monthly form of the user's own ward, then POST it through the
             real form (CSRF token, revisions) with one value changed; only the POST is timed

Users sign in through the real sign-in form once at start (request name "sign-in", left out
of the figures). KIEUMAU_LOAD_INFO holds the JSON printed by prepare.py.
"""

import itertools
import json
import os
import random
import re

from locust import HttpUser, constant, task

INFO = json.loads(os.environ.get("KIEUMAU_LOAD_INFO", "{}"))
SCENARIO = os.environ.get("KIEUMAU_LOAD_SCENARIO", "healthz")
OPEN_MONTH = os.environ.get("KIEUMAU_LOAD_MONTH", "")
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_INPUT = re.compile(r'<input[^>]*name="([vr]_[a-z0-9_]+)"[^>]*>')
_VALUE = re.compile(r'value="([^"]*)"')
_officers = itertools.count()


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


class Visitor(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.username = {
            "scorecard": "load-bo",
            "dashboard": "load-bo",
            "matrix": "load-tinh",
        }.get(SCENARIO)
        if SCENARIO == "save":
            i = next(_officers) % len(INFO["wards"])
            self.username, self.ward = f"load-xa-{i}", INFO["wards"][i]
        if self.username:
            page = self.client.get("/accounts/login/", name="sign-in")
            self.client.post(
                "/accounts/login/",
                {
                    "username": self.username,
                    "password": INFO["password"],
                    "csrfmiddlewaretoken": csrf_of(page.text),
                },
                headers={"Referer": self.host + "/accounts/login/"},
                name="sign-in",
            )

    @task
    def scenario(self):
        getattr(self, SCENARIO)()

    def healthz(self):
        self.client.get("/healthz", name="healthz")

    def scorecard(self):
        ward = random.choice(INFO["wards"])
        self.client.get(f"/evaluation/units/{ward}/?period=2025", name="scorecard")

    def matrix(self):
        self.client.get(f"/evaluation/matrix/?under={INFO['province']}&period=2025", name="matrix")

    def dashboard(self):
        self.client.get("/dashboards/", name="dashboard")

    def save(self):
        url = f"/data/entry/{self.ward}/BC-THANG/{OPEN_MONTH}/"
        page = self.client.get(url, name="entry page")
        data = {"csrfmiddlewaretoken": csrf_of(page.text), "action": "save"}
        for tag in _INPUT.finditer(page.text):
            value = _VALUE.search(tag.group(0))
            data[tag.group(1)] = value.group(1) if value else ""
        data["v_crime_social_order"] = str(random.randint(0, 30))
        with self.client.post(
            url,
            data,
            headers={"Referer": self.host + url},
            allow_redirects=False,
            name="save",
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                response.success()
            else:
                response.failure(f"save answered {response.status_code}")
