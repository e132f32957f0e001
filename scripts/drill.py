#!/usr/bin/env python3
"""Firedrill drills on the running local stack: break, wait for the alert's incident in
mock-slack, heal, wait for it to resolve, and compare both times with what the loaded rules say.

  scripts/drill.py SCENARIO|all     (run through `scripts/stack drill`, which sets the URLs)
  scripts/drill.py --list           (the scenarios, one a line: the test suite runs each apart)

SCENARIO is errors, latency, crashloop, unready, batch, alertmanager-down or receiver-down;
`all` runs them in turn and prints one
table. Exit status 0 when every measured time is within its tolerance, 1 otherwise, 2 on a bad
argument. The expectations are computed by drill_model.py from Prometheus' loaded rules and
Alertmanager's running configuration; see its docstring for the tolerances.

HEAL=auto (or the scenario errors-autoheal, crashloop-autoheal) leaves the heal to the
auto-healer, switched live for the drill: errors is healed by its restart of the portal, timed
from the page; crashloop survives restarts, so it gives up after AUTOHEAL_MAX_ATTEMPTS and pages a
human, and the drill then heals by hand. Both check what it wrote on the incident's timeline.
`all` runs the HEAL=auto variants too (HEAL=auto all: only them).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import drill_model as model  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
STACK = ROOT / "scripts" / "stack"
SCENARIOS = ["errors", "latency", "unready", "crashloop", "batch", "alertmanager-down", "receiver-down"]
# Scenarios with a HEAL=auto variant, listed and tested as <scenario>-autoheal.
AUTOHEAL_SCENARIOS = ["errors", "crashloop"]
AUTOHEAL_SUFFIX = "-autoheal"


def env(name: str, default: str) -> str:
    return os.environ.get(name) or default


PROMETHEUS = env("PROMETHEUS_URL", "http://127.0.0.1:9090")
ALERTMANAGER = env("ALERTMANAGER_URL", "http://127.0.0.1:9093")
MOCKSLACK = env("MOCKSLACK_URL", "http://127.0.0.1:8090")
PROFILE = env("PROFILE", "drill")
SCALE = int(env("SCALE", "60" if PROFILE == "drill" else "1"))
POSTMORTEMS = Path(env("DRILL_POSTMORTEMS", str(ROOT / "postmortems")))
HEAL = env("HEAL", "manual")
# mock-slack's write token (scripts/stack passes it): the drill posts its figures as a "drill"
# incident event, which the postmortem draft shows. Without it the draft lacks them.
MOCKSLACK_TOKEN_FILE = env("MOCKSLACK_TOKEN_FILE", "")
AUTOHEALER = env("AUTOHEALER_URL", "http://127.0.0.1:8095")
# The stack's auto-healer settings (scripts/stack passes them).
AUTOHEAL_MAX_ATTEMPTS = int(env("AUTOHEAL_MAX_ATTEMPTS", "3"))
HEAL_COOLDOWN = model.parse_duration(env("HEAL_COOLDOWN", "15s"))
# Seconds added to every tolerance for delivery and for a machine too busy to keep the
# pipeline's own pace (see drill_model.py).
model.SLACK_SECONDS = float(env("DRILL_SLACK", "1"))


def say(text: str) -> None:
    print(f"drill: {text}", flush=True)


class DrillError(Exception):
    """The drill cannot go on; the message says why."""


def get_json(url: str, **params) -> dict:
    if params:
        url += "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def get_text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def prom_value(query: str, at: float | None = None) -> float | None:
    """The first value of an instant query, now or at the Unix time `at`; None for no result."""
    params = {"query": query} if at is None else {"query": query, "time": f"{at:.3f}"}
    result = get_json(f"{PROMETHEUS}/api/v1/query", **params)["data"]["result"]
    return float(result[0]["value"][1]) if result else None


def poll(what: str, bound: float, check, every: float = 0.5):
    """Calls check() until it returns something truthy, at most `bound` seconds."""
    deadline = time.time() + bound
    while True:
        try:
            value = check()
        except OSError:
            value = None
        if value:
            return value
        if time.time() > deadline:
            raise DrillError(f"{what}: not within {bound:.0f}s")
        time.sleep(every)


def stack(*args: str) -> None:
    subprocess.run([str(STACK), *args], check=True, stdout=subprocess.DEVNULL)


def stack_output(*args: str) -> str:
    return subprocess.run([str(STACK), *args], check=True, stdout=subprocess.PIPE, text=True).stdout.strip()


# ---- what is loaded ----------------------------------------------------------------------------


def _duration_setting(text: str, key: str, indented: bool = False) -> float:
    """The first `key: duration` line; with `indented`, only at exactly the key's indentation."""
    m = re.search(rf"^{key}:\s*(\S+)\s*$" if indented else rf"^\s*{key}:\s*(\S+)\s*$", text, re.M)
    if not m:
        raise DrillError(f"no {key} in the running configuration")
    return model.parse_duration(m.group(1).strip("'\""))


def pipeline() -> model.Pipeline:
    prometheus = get_json(f"{PROMETHEUS}/api/v1/status/config")["data"]["yaml"]
    alertmanager = get_json(f"{ALERTMANAGER}/api/v2/status")["config"]["original"]
    route = alertmanager[alertmanager.index("route:"):]
    # The root route's own timings: Alertmanager writes its keys indented by two spaces, and a
    # child route's (the Watchdog's heartbeat route) deeper, before them.
    return model.Pipeline(_duration_setting(prometheus, "scrape_interval"),
                          _duration_setting(prometheus, "evaluation_interval"),
                          _duration_setting(route, "  group_wait", indented=True),
                          _duration_setting(route, "  group_interval", indented=True))


def loaded_rules(alertname: str) -> list[dict]:
    groups = get_json(f"{PROMETHEUS}/api/v1/rules", type="alert")["data"]["groups"]
    rules = [r for g in groups for r in g["rules"] if r["name"] == alertname]
    if not rules:
        raise DrillError(f"Prometheus has no alert rule {alertname}")
    return rules


def active_alerts() -> list[dict]:
    return get_json(f"{PROMETHEUS}/api/v1/alerts")["data"]["alerts"]


# ---- scenarios ---------------------------------------------------------------------------------


@dataclass
class Result:
    scenario: str
    alert: str
    expected_detect: model.Expectation | None = None
    detect: float | None = None
    expected_resolve: model.Expectation | None = None
    resolve: float | None = None
    incident: int | None = None
    postmortem: str = ""
    note: str = ""  # what else the drill found out (receiver-down: which path resolved the page)
    error: str = ""
    autoheal: AutoHeal | None = None  # HEAL=auto: what the auto-healer did

    @property
    def passed(self) -> bool:
        return (not self.error and self.expected_detect is not None and self.expected_resolve is not None
                and self.expected_detect.holds(self.detect) and self.expected_resolve.holds(self.resolve)
                and (self.autoheal is None or self.autoheal.passed))

    def measurements(self) -> list[tuple[str, model.Expectation | None, float | None]]:
        """(what, expected, measured) for the summary and the postmortem draft, in time order."""
        rows = [("time to detect (from the break)", self.expected_detect, self.detect)]
        a = self.autoheal
        if a is None:
            return rows + [("time to resolve (from the heal)", self.expected_resolve, self.resolve)]
        rows.append(("time to the first auto-heal restart (from the page)", a.expected_first_restart,
                     a.first_restart))
        if a.handover:
            rows.append(("time to the hand-over to a human (from the page)", a.expected_gave_up, a.gave_up))
            rows.append(("time to resolve (from the heal by hand)", self.expected_resolve, self.resolve))
        else:
            rows.append(("time to resolve (from the auto-heal restart)", self.expected_resolve, self.resolve))
        return rows


@dataclass
class AutoHeal:
    """A HEAL=auto drill's account of the auto-healer, read back from the incident's timeline in
    mock-slack (its auto_heal events) and from #pages."""

    handover: bool  # restarts cannot heal this break: the auto-healer must give up
    expected_restarts: int
    restarts: int | None = None  # its `acted` events on the incident
    expected_first_restart: model.Expectation | None = None
    first_restart: float | None = None  # seconds from the page
    expected_gave_up: model.Expectation | None = None
    gave_up: float | None = None  # seconds from the page
    page: str = ""  # the hand-over page in #pages
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        timed = self.expected_first_restart is not None and self.expected_first_restart.holds(self.first_restart)
        if self.handover:
            timed = timed and self.expected_gave_up is not None and self.expected_gave_up.holds(self.gave_up)
        return timed and not self.problems and self.restarts == self.expected_restarts


class Scenario:
    """A break, the alert it must raise, and how to expect its timings."""

    name = ""
    alert = ""
    severity = ""

    def __init__(self, p: model.Pipeline):
        self.pipeline = p

    def ready(self) -> bool:
        """True once the stack is in a state where the expectation holds."""
        return True

    def expect_detect(self, t_break: float) -> model.Expectation:
        raise NotImplementedError

    def expect_resolve(self, t_break: float, t_heal: float) -> model.Expectation:
        raise NotImplementedError

    def settle_detect(self, t_break: float, t_end: float, first: model.Expectation) -> model.Expectation:
        """The detection's expectation once the drill is over, from what it learnt meanwhile;
        `first` is the one made at the break."""
        return first

    def do_break(self) -> None:
        stack("break", self.name)

    def do_heal(self) -> float:
        """Heals the break; returns the time of the heal the resolution is timed from."""
        stack("heal")
        return time.time()

    def resolved_after(self, incident: dict, t_heal: float) -> float:
        """Seconds from the heal until mock-slack had the resolution of the incident."""
        return parse_time(incident["lastNotifiedAt"]) - t_heal

    def check_end(self, incident: dict) -> str:
        """What the history must hold once the incident resolved: '' or why it does not."""
        return ""

    def path_note(self, incident: dict) -> str:
        """A line on how the incident resolved, for the summary and the draft ('' for none)."""
        return ""

    def settle_resolve(self, t_break: float, t_heal: float, t_end: float,
                       first: model.Expectation) -> model.Expectation:
        """Likewise for the resolution; `first` is the one made at the heal."""
        return first


class BurnRate(Scenario):
    service = "portal"
    slo = ""

    def __init__(self, p: model.Pipeline):
        super().__init__(p)
        self.pairs = model.burn_rate_pairs(loaded_rules(self.alert))
        # A stack just up may not have evaluated its recording rules yet: wait for the first pass.
        query = f'slo:objective:ratio{{service="{self.service}",slo="{self.slo}"}}'
        self.objective = poll(f"slo:objective:ratio for {self.service} {self.slo} in Prometheus",
                              60, lambda: prom_value(query))
        self.traffic_age = 0.0
        self.baselines: dict[float, float] = {}

    def error_rate(self) -> float:
        raise NotImplementedError

    def onset(self) -> float:
        return 0.0

    def _traffic_age(self) -> float:
        """Seconds of traffic the longest window holds: its requests / the current rate."""
        longest = max(self.pairs, key=lambda pair: pair.long_window)
        name = model._fmt(longest.long_window * SCALE)
        sel = f'{{service="{self.service}",slo="{self.slo}"}}'
        value = prom_value(f"slo:sli_total:rate{name}{sel} * {longest.long_window:g} / slo:sli_total:rate5m{sel}")
        return value or 0.0

    def _baselines(self) -> dict[float, float]:
        """The error ratio each window held at the break (a loaded machine answers some requests
        slowly even before a latency break)."""
        sel = f'{{service="{self.service}",slo="{self.slo}"}}'
        out = {}
        for window in {w for p in self.pairs for w in (p.long_window, p.short_window)}:
            value = prom_value(f"slo:sli_error:ratio_rate{model._fmt(window * SCALE)}{sel}")
            out[window] = value or 0.0
        return out

    def ready(self) -> bool:
        # The pages' short windows full of traffic: the resolution is timed by them.
        self.traffic_age = self._traffic_age()
        self.baselines = self._baselines()
        pages = [p for p in self.pairs if p.severity == "page"] or self.pairs
        return self.traffic_age >= max(p.short_window for p in pages)

    def expect_detect(self, t_break: float) -> model.Expectation:
        expectation, self.severity = model.expect_burn_rate(
            self.pairs, self.objective, self.error_rate(), self.traffic_age, self.pipeline, self.onset(),
            self.baselines)
        return expectation

    def expect_resolve(self, t_break: float, t_heal: float, fired: set[str] | None = None,
                       observed: dict[float, float] | None = None) -> model.Expectation:
        return model.expect_burn_rate_resolve(self.pairs, self.severity, self.objective, self.error_rate(),
                                              self.traffic_age, t_heal - t_break, self.pipeline, self.onset(),
                                              fired, self.baselines, observed)

    def settle_resolve(self, t_break: float, t_heal: float, t_end: float,
                       first: model.Expectation) -> model.Expectation:
        """The expectation again, with the pairs that did fire (ALERTS over the drill)."""
        seconds = max(1, round(t_end - t_break + 1))
        result = get_json(f"{PROMETHEUS}/api/v1/query", time=f"{t_end:.3f}", query=(
            f'max by (long_window, short_window) (max_over_time(ALERTS{{alertname="{self.alert}",'
            f'alertstate="firing",severity="{self.severity}"}}[{seconds}s]))'))["data"]["result"]
        names = {f"{model._fmt(model.parse_duration(r['metric']['long_window']))}/"
                 f"{model._fmt(model.parse_duration(r['metric']['short_window']))}" for r in result}
        return self.expect_resolve(t_break, t_heal, names or None,
                                   self._filling_clears(t_break, t_heal, t_end, names))

    def _filling_clears(self, t_break: float, t_heal: float, t_end: float,
                        fired: set[str]) -> dict[float, float]:
        """For each fired pair whose long window was still filling at the break: when it drops
        to the pair's threshold, in seconds after the heal, from the ratio and the traffic it held
        once the heal's last slow requests were scraped and recorded, and the steady rate of good
        traffic after it. The clearing of a filling window turns on how many bad requests it
        took, to the request (a tenth of a second of them is seconds of dilution): the model's
        figure from the break's length cannot be that exact."""
        sel = f'{{service="{self.service}",slo="{self.slo}"}}'
        at = t_heal + self.onset() + self.pipeline.scrape_interval + self.pipeline.evaluation_interval
        if at > t_end:
            return {}
        # The steady rate is the one before the break: just after the heal, the short window
        # also holds the burst of the slow requests the heal released.
        short = model._fmt(min(p.short_window for p in self.pairs) * SCALE)
        rate = prom_value(f"slo:sli_total:rate{short}{sel}", t_break)
        out = {}
        for pair in self.pairs:
            if pair.name not in fired or self.traffic_age >= pair.long_window:
                continue
            name = model._fmt(pair.long_window * SCALE)
            ratio = prom_value(f"slo:sli_error:ratio_rate{name}{sel}", at)
            traffic = prom_value(f"slo:sli_total:rate{name}{sel} * {pair.long_window:g}", at)
            if None in (ratio, traffic, rate) or rate <= 0:
                continue
            k = pair.burn_rate * (1 - self.objective)
            clear = model.filling_window_clear_time(ratio, traffic, rate, k)
            if traffic / rate + clear < pair.long_window:  # it clears before it is full
                out[pair.long_window] = at - t_heal + clear
        return out


class Errors(BurnRate):
    name, alert, slo = "errors", "PortalAvailabilityBudgetBurn", "availability"

    def error_rate(self) -> float:
        return float(env("BREAK_ERROR_RATE", "1.0"))


class Latency(BurnRate):
    name, alert, slo = "latency", "PortalLatencyBudgetBurn", "latency"

    def error_rate(self) -> float:
        # Every API request is slowed by BREAK_LATENCY_MS +- its jitter, all above the SLO's 500 ms.
        return 1.0

    def onset(self) -> float:
        return float(env("BREAK_LATENCY_MS", "800")) / 1000


class Unready(Scenario):
    name, alert = "unready", "PortalNotReady"

    def __init__(self, p: model.Pipeline):
        super().__init__(p)
        (rule,) = loaded_rules(self.alert)
        self.for_seconds = float(rule["duration"])
        self.severity = rule["labels"]["severity"]

    def expect_detect(self, t_break: float) -> model.Expectation:
        return model.expect_for(self.for_seconds, self.pipeline, "/readyz answers 503")

    def expect_resolve(self, t_break: float, t_heal: float) -> model.Expectation:
        return model.expect_clear(self.pipeline, "the next scrape sees the portal ready")


class Crashloop(Scenario):
    name, alert = "crashloop", "PortalRestarting"

    def __init__(self, p: model.Pipeline):
        super().__init__(p)
        (rule,) = loaded_rules(self.alert)
        self.window, self.threshold = model.restart_rule(rule["query"])
        self.severity = rule["labels"]["severity"]
        self.loop = model.CrashLoop(model.parse_duration(env("CRASH_AFTER", "5s")),
                                    float(env("RESTART_BACKOFF_INITIAL", "1")),
                                    float(env("RESTART_BACKOFF_MAX", "30")))

    def ready(self) -> bool:
        # The portal has not restarted within the window (a previous drill's crash loop is over).
        changes = prom_value(f'max(changes(process_start_time_seconds{{job="portal"}}[{model._fmt(self.window)}]))')
        return changes == 0

    def expect_detect(self, t_break: float) -> model.Expectation:
        return model.expect_restarts(self.window, self.threshold, self.loop, self.pipeline)

    def expect_resolve(self, t_break: float, t_heal: float) -> model.Expectation:
        return model.expect_restarts_resolve(self.window, self.threshold, self.loop, t_heal - t_break, self.pipeline)

    def _samples(self, t_from: float, t_end: float) -> list[tuple[float, float]]:
        seconds = max(1, round(t_end - t_from + self.window + 2))
        result = get_json(f"{PROMETHEUS}/api/v1/query", time=f"{t_end:.3f}",
                          query=f'process_start_time_seconds{{job="portal"}}[{seconds}s]')["data"]["result"]
        return sorted((float(t), float(v)) for r in result for t, v in r["values"])

    def settle_detect(self, t_break: float, t_end: float, first: model.Expectation) -> model.Expectation:
        observed = model.expect_restarts_observed(self.window, self.threshold, self._samples(t_break, t_end),
                                                  t_break, True, self.pipeline)
        return observed or first

    def settle_resolve(self, t_break: float, t_heal: float, t_end: float,
                       first: model.Expectation) -> model.Expectation:
        observed = model.expect_restarts_observed(self.window, self.threshold, self._samples(t_break, t_end),
                                                  t_heal, False, self.pipeline)
        return observed or first


class Batch(Scenario):
    name, alert = "batch", "BatchSyncFailed"

    def __init__(self, p: model.Pipeline):
        super().__init__(p)
        (rule,) = loaded_rules(self.alert)
        self.severity = rule["labels"]["severity"]
        self.interval = float(env("BATCH_INTERVAL", "60"))

    def _last_run(self) -> tuple[float, float] | None:
        end = prom_value('max(batch_sync_last_run_timestamp_seconds{job="batch-sync"})')
        duration = prom_value('max(batch_sync_last_run_duration_seconds{job="batch-sync"})')
        return None if end is None or duration is None else (end, duration)

    def ready(self) -> bool:
        return self._last_run() is not None and prom_value('min(batch_sync_last_run_success{job="batch-sync"})') == 1

    def expect_detect(self, t_break: float) -> model.Expectation:
        end, duration = self._last_run()
        return model.expect_batch(end, self.interval, duration, t_break, self.pipeline, resolve=False)

    def expect_resolve(self, t_break: float, t_heal: float) -> model.Expectation:
        end, duration = self._last_run()
        return model.expect_batch(end, self.interval, duration, t_heal, self.pipeline, resolve=True)


class AlertmanagerDown(Scenario):
    """Alertmanager stops: mock-slack, the outside observer, stops hearing the Watchdog. Its own
    incident (AlertingPipelineSilent) opens once no heartbeat came for --watchdog-timeout, and
    resolves at the first heartbeat after Alertmanager is back."""

    name, alert, severity = "alertmanager-down", "AlertingPipelineSilent", "page"

    def __init__(self, p: model.Pipeline):
        super().__init__(p)
        self.timeout = model.parse_duration(env("WATCHDOG_TIMEOUT", "10s"))
        # mock-slack checks every quarter of the timeout, at most every second.
        self.check_interval = min(1.0, self.timeout / 4)
        # The incident starts at the last heartbeat, before the break.
        self.lead = self.timeout

    def _last_seen(self) -> float | None:
        m = re.search(r"^mockslack_watchdog_last_seen_timestamp_seconds (\S+)$", get_text(f"{MOCKSLACK}/metrics"), re.M)
        return float(m.group(1)) if m else None

    def ready(self) -> bool:
        last = self._last_seen()
        return last is not None and time.time() - last < self.timeout / 2

    def expect_detect(self, t_break: float) -> model.Expectation:
        last = self._last_seen() or t_break
        seconds = last + self.timeout - t_break
        # Heartbeats may still come while Alertmanager shuts down (one a second at the drill scale).
        high = seconds + self.check_interval + 2 + model.SLACK_SECONDS
        return model.Expectation(
            seconds, max(0.0, seconds - 0.5), high,
            f"the last heartbeat ({t_break - last:.1f}s before the break) plus --watchdog-timeout ({self.timeout:g}s)",
            f"+{high - seconds:.1f}s: one check ({self.check_interval:g}s), 2s of heartbeats while "
            f"Alertmanager stops, {model.SLACK_SECONDS:g}s slack")

    def expect_resolve(self, t_break: float, t_heal: float) -> model.Expectation:
        # A restarted Alertmanager holds no alert until Prometheus resends its firing ones, every
        # resend delay (1m, Prometheus' default, not scaled); then group_wait and delivery.
        resend = 60.0
        high = resend + self.pipeline.evaluation_interval + self.pipeline.group_wait + model.SLACK_SECONDS
        return model.Expectation(
            resend / 2, 0.0, high, "Prometheus resends the Watchdog within its resend delay (1m)",
            f"0 to {high:.1f}s: the resend delay, an evaluation, group_wait and {model.SLACK_SECONDS:g}s slack")


class ReceiverDown(Unready):
    """mock-slack, the receiver, is down while a page resolves: the unready break pages (the
    fastest page to fire and to resolve; delivered), then mock-slack stops, the portal heals, and
    the page resolves in Alertmanager with nobody to tell. Once mock-slack is back and batch-sync
    has run, the page's occurrences are resolved and so is their incident, by either path: Alertmanager's retry of the resolved notification (it
    keeps a resolved alert in its group until a notification of it succeeds, so it lands at the
    group's next flush), or batch-sync's sweep (the first run once nothing saw the page for
    --resolve-grace). Which path it was is read from the occurrences' resolvedBy and reported;
    the resolution is timed from the heal to when mock-slack recorded it (resolutionRecordedAt):
    within a group_interval of mock-slack being back (the retry), or a batch-sync interval after
    the grace ran out (the sweep). A history that never resolves, the hole this closes, fails.

    Why the page is delivered before mock-slack stops: had mock-slack been down through the whole
    firing, Alertmanager would never have notified the group, and it sends no resolution of a
    group it never notified; its API no longer lists a resolved alert, so no path could record it."""

    name = "receiver-down"

    def __init__(self, p: model.Pipeline):
        super().__init__(p)
        self.grace = model.parse_duration(env("RESOLVE_GRACE", "10s"))
        self.batch_interval = float(env("BATCH_INTERVAL", "60"))
        self.t_back = 0.0

    def do_break(self) -> None:
        stack("break", "unready")

    def _page_active(self) -> bool:
        query = urllib.parse.urlencode({"active": "true", "silenced": "true", "inhibited": "true",
                                        "filter": [f'alertname="{self.alert}"', f'severity="{self.severity}"']},
                                       doseq=True)
        return bool(get_json(f"{ALERTMANAGER}/api/v2/alerts?{query}"))

    def do_heal(self) -> float:
        stack("break", "receiver-down")
        t_stop = time.time()
        say(f"{self.name}: mock-slack stopped; healing the portal while it is down")
        stack("heal-portal")
        t_heal = time.time()
        poll(f"{self.name}: the page resolved in Alertmanager (no longer listed)",
             float(env("DRILL_RESOLVE_TIMEOUT", "300")), lambda: not self._page_active())
        # Down one more group_interval: the group's next flush, which sends the resolution, comes
        # within it and fails (its retries may land once mock-slack is back).
        t_flushed = time.time() + self.pipeline.group_interval + 1
        while time.time() < t_flushed:
            time.sleep(0.2)
        say(f"{self.name}: the page resolved in Alertmanager {time.time() - t_heal:.1f}s after the heal; "
            f"starting mock-slack after {time.time() - t_stop:.1f}s down")
        # Back from the moment it is started: Alertmanager's retry may reach it, and be recorded,
        # before `stack heal` has seen it ready and returned.
        self.t_back = time.time()
        stack("heal")
        stack("sync")
        return t_heal

    def expect_resolve(self, t_break: float, t_heal: float) -> model.Expectation:
        # Known once mock-slack is back (t_back): Alertmanager's next flush, a group_interval
        # later; or, should that not come, the sweep of the first batch-sync run after the grace
        # (the last sighting was a sync before the heal).
        back = max(0.0, self.t_back - t_heal)
        retry = back + self.pipeline.group_interval
        sweep = self.grace + self.batch_interval + 2
        high = max(retry, sweep) + model.SLACK_SECONDS
        return model.Expectation(
            retry, back, high,
            f"mock-slack back {back:.1f}s after the heal, then Alertmanager's retry at the group's next flush",
            f"{back:.1f} to {high:.1f}s: up to one group_interval ({self.pipeline.group_interval:g}s) for the "
            f"retry, or --resolve-grace ({self.grace:g}s) and a batch-sync interval ({self.batch_interval:g}s) "
            f"for the sweep, {model.SLACK_SECONDS:g}s slack")

    def settle_resolve(self, t_break: float, t_heal: float, t_end: float,
                       first: model.Expectation) -> model.Expectation:
        return first

    def _pages(self, incident: dict) -> list[dict]:
        return [a for a in incident.get("alerts", []) if a["labels"].get("alertname") == self.alert]

    def resolved_after(self, incident: dict, t_heal: float) -> float:
        recorded = [parse_time(a["resolutionRecordedAt"]) for a in self._pages(incident) if a.get("resolutionRecordedAt")]
        return (max(recorded) if recorded else parse_time(incident["lastNotifiedAt"])) - t_heal

    def check_end(self, incident: dict) -> str:
        pages = self._pages(incident)
        if not pages:
            return f"incident {incident['id']} holds no {self.alert} occurrence"
        wrong = [a for a in pages if a["status"] != "resolved" or not a.get("endsAt") or
                 a.get("resolvedBy") not in ("webhook", "sweep", "sync")]
        if wrong:
            return f"incident {incident['id']}: occurrences not resolved with a known source: {wrong}"
        return ""

    def path_note(self, incident: dict) -> str:
        how = {"webhook": "Alertmanager's retried resolved notification once mock-slack was back",
               "sweep": "batch-sync's sweep (Alertmanager no longer listed it)",
               "sync": "batch-sync's listing (its end had passed)"}
        paths = sorted({a.get("resolvedBy") or "unknown" for a in self._pages(incident)})
        return "resolved by " + " and ".join(f"{p}: {how.get(p, p)}" for p in paths)


SCENARIO_TYPES = {s.name: s for s in (Errors, Latency, Unready, Crashloop, Batch, AlertmanagerDown, ReceiverDown)}


# ---- one drill ---------------------------------------------------------------------------------


def parse_time(text: str) -> float:
    # mock-slack writes RFC 3339 with up to nanoseconds; Python takes microseconds.
    m = re.match(r"(.*T\d\d:\d\d:\d\d)(\.\d+)?Z$", text)
    if not m:
        raise DrillError(f"unexpected time {text!r}")
    base = dt.datetime.fromisoformat(m.group(1)).replace(tzinfo=dt.timezone.utc).timestamp()
    return base + (float(m.group(2)) if m.group(2) else 0.0)


def rfc3339(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def quiet(scenario: Scenario) -> bool:
    """No page is pending or firing, nor the scenario's alert: a new one is the drill's."""
    busy = [a for a in active_alerts()
            if a["labels"].get("severity") == "page" or a["labels"]["alertname"] == scenario.alert]
    return not busy


def new_incident(scenario: Scenario, t_break: float) -> dict | None:
    incidents = get_json(f"{MOCKSLACK}/api/v1/incidents", alertname=scenario.alert,
                         severity=scenario.severity, since=rfc3339(t_break))["data"]
    lead = getattr(scenario, "lead", 0.0)  # an incident that starts before the break it follows
    started = [i for i in incidents if parse_time(i["startedAt"]) >= t_break - lead]
    return min(started, key=lambda i: parse_time(i["startedAt"])) if started else None


def bound(expectation: model.Expectation, name: str) -> float:
    default = max(expectation.high * 1.5, expectation.high + 30)
    return float(env(name, f"{default:.0f}"))


def post_drill_event(result: Result, rows: list) -> bool:
    """Posts the drill's figures as a "drill" event of its incident (the postmortem draft's Drill
    table); False, said, when mock-slack's write token is not given or the post fails."""
    if not MOCKSLACK_TOKEN_FILE:
        return False
    verdict = "PASS" if result.passed else "FAIL"
    body = {"kind": "drill", "author": "drill.py",
            "text": f"drill {result.scenario} (profile {PROFILE}), alert {result.alert}: {verdict}",
            "details": {"scenario": result.scenario, "profile": PROFILE, "result": verdict,
                        "measurements": [{"what": what, "expected_seconds": e.seconds, "low_seconds": e.low,
                                          "high_seconds": e.high, "measured_seconds": v}
                                         for what, e, v in rows]}}
    try:
        token = Path(MOCKSLACK_TOKEN_FILE).read_text().strip()
        request = urllib.request.Request(f"{MOCKSLACK}/api/v1/incidents/{result.incident}/events",
                                         data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status == 201
    except (OSError, ValueError) as e:
        say(f"could not post the drill event to mock-slack: {e}")
        return False


def write_postmortem(result: Result) -> str:
    rows = [(what, e, v) for what, e, v in result.measurements() if e is not None and v is not None]
    posted = post_drill_event(result, rows)
    draft = get_text(f"{MOCKSLACK}/incidents/{result.incident}/postmortem.md")
    # Posted, the draft's Detection section has the table (from the event); the basis stays here.
    draft += (
        f"\n## Drill measurements\n\n"
        f"Drill `{result.scenario}` (profile {PROFILE}), alert {result.alert}: "
        f"{'PASS' if result.passed else 'FAIL'}.\n\n"
        + ("The measured and expected figures are in Detection (the drill's incident event).\n\n" if posted else
           "| | expected | tolerance | measured |\n| --- | --- | --- | --- |\n"
           + "".join(f"| {what} | {e.seconds:.1f} s | {e.low:.1f} to {e.high:.1f} s | {v:.1f} s |\n"
                     for what, e, v in rows) + "\n")
        + "".join(f"- Expected {what}: {e.basis}. Tolerance {e.tolerance}.\n" for what, e, v in rows)
        + (f"- {result.note}.\n" if result.note else ""))
    a = result.autoheal
    if a is not None:
        draft += (f"- The auto-healer restarted the portal {a.restarts} time(s) (expected {a.expected_restarts})"
                  + (f" and handed over: \"{a.page}\"" if a.page else "") + ".\n")
        draft += "".join(f"- Problem: {p}\n" for p in a.problems)
    POSTMORTEMS.mkdir(parents=True, exist_ok=True)
    out = POSTMORTEMS / f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d}-drill-{result.scenario}-incident-{result.incident}.md"
    out.write_text(draft)
    return str(out)


def wait_resolved(name: str, result: Result) -> dict:
    """Polls mock-slack until the drill's incident is resolved, within the expected resolution's
    bound (DRILL_RESOLVE_TIMEOUT overrides it); returns the resolved incident."""

    def resolved():
        i = get_json(f"{MOCKSLACK}/api/v1/incidents/{result.incident}")
        return i if i.get("status") == "resolved" else None

    return poll(f"{name}: incident {result.incident} resolved",
                bound(result.expected_resolve, "DRILL_RESOLVE_TIMEOUT"), resolved)


def run(scenario: Scenario, result: Result) -> None:
    name = scenario.name
    stack("heal")
    say(f"{name}: waiting until the stack is quiet (no page, no {scenario.alert}) and warmed up")
    poll(f"{name}: quiet and warmed up", float(env("DRILL_QUIET_TIMEOUT", "600" if PROFILE == "drill" else "7200")),
         lambda: quiet(scenario) and scenario.ready(), every=1)
    t_break = time.time()
    result.expected_detect = scenario.expect_detect(t_break)
    scenario.do_break()
    say(f"{name}: broken; waiting for {scenario.alert} ({scenario.severity}), expected after "
        f"{result.expected_detect.seconds:.1f}s")
    incident = poll(f"{name}: a new {scenario.alert} incident in mock-slack",
                    bound(result.expected_detect, "DRILL_PAGE_TIMEOUT"), lambda: new_incident(scenario, t_break))
    result.incident = incident["id"]
    result.detect = parse_time(incident["firstNotifiedAt"]) - t_break
    say(f"{name}: paged, incident {result.incident} ({MOCKSLACK}/incidents/{result.incident})")
    t_heal = scenario.do_heal()
    result.expected_resolve = scenario.expect_resolve(t_break, t_heal)
    say(f"{name}: healed; waiting for incident {result.incident} to resolve, expected after "
        f"{result.expected_resolve.seconds:.1f}s")

    done = wait_resolved(name, result)
    result.resolve = scenario.resolved_after(done, t_heal)
    if (problem := scenario.check_end(done)):
        raise DrillError(f"{name}: {problem}")
    if (note := scenario.path_note(done)):
        result.note = note
        say(f"{name}: {note}")
    t_end = time.time()
    result.expected_detect = scenario.settle_detect(t_break, t_end, result.expected_detect)
    result.expected_resolve = scenario.settle_resolve(t_break, t_heal, t_end, result.expected_resolve)
    result.postmortem = write_postmortem(result)


# ---- HEAL=auto: the auto-healer heals, or hands over ------------------------------------------


def healer_pace() -> model.HealerPace:
    """The auto-healer's pace: its route in Alertmanager's running configuration (the route items
    are written `- receiver: NAME` first), and the stack's --cooldown and --max-attempts."""
    config = get_json(f"{ALERTMANAGER}/api/v2/status")["config"]["original"]
    lines = config[config.index("route:"):].splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"^\s*- receiver: '?auto-healer'?\s*$", line)), None)
    if start is None:
        raise DrillError("Alertmanager has no route to the auto-healer")
    indent = len(lines[start]) - len(lines[start].lstrip())
    block = [lines[start]]
    for line in lines[start + 1:]:
        if line.strip() and (len(line) - len(line.lstrip()) <= indent):
            break
        block.append(line)
    text = "\n".join(block)

    def setting(key: str, default: float) -> float:
        m = re.search(rf"^\s*{key}:\s*(\S+)\s*$", text, re.M)
        return model.parse_duration(m.group(1).strip("'\"")) if m else default

    root = pipeline()
    return model.HealerPace(setting("group_interval", root.group_interval),
                            setting("repeat_interval", 4 * 3600.0), HEAL_COOLDOWN, AUTOHEAL_MAX_ATTEMPTS)


def auto_heal_events(incident: int, result: str | None = None) -> list[dict]:
    """The auto-healer's events on the incident's timeline, in time order; only `result` ones if given."""
    events = get_json(f"{MOCKSLACK}/api/v1/incidents/{incident}/events")["events"]
    return [e for e in events if e["kind"] == "auto_heal" and e["author"] == "auto-healer"
            and (result is None or e["details"].get("result") == result)]


def handover_page(t_break: float, text: str) -> dict | None:
    messages = get_json(f"{MOCKSLACK}/api/v1/messages", channel="pages")["data"]
    return next((m for m in messages if m["text"].startswith(text) and parse_time(m["receivedAt"]) >= t_break), None)


def run_autoheal(scenario: Scenario, result: Result) -> None:
    """The drill with the auto-healer live and no heal by hand: errors is healed by its restart;
    crashloop survives restarts, so it must give up after --max-attempts and page a human, and
    the drill heals by hand then."""
    name = result.scenario
    handover = scenario.name == "crashloop"
    pace = healer_pace()
    a = result.autoheal = AutoHeal(handover, pace.max_attempts if handover else 1)
    a.expected_first_restart = model.expect_first_restart(pace)
    if handover:
        a.expected_gave_up = model.expect_handover(pace)
    stack("heal")
    say(f"{name}: waiting until the stack is quiet (no page, no {scenario.alert}) and warmed up")
    poll(f"{name}: quiet and warmed up", float(env("DRILL_QUIET_TIMEOUT", "600" if PROFILE == "drill" else "7200")),
         lambda: quiet(scenario) and scenario.ready(), every=1)
    t_break = time.time()
    result.expected_detect = scenario.expect_detect(t_break)
    stack("break", scenario.name)
    say(f"{name}: broken; no heal by hand: waiting for {scenario.alert} ({scenario.severity}), expected after "
        f"{result.expected_detect.seconds:.1f}s")
    incident = poll(f"{name}: a new {scenario.alert} incident in mock-slack",
                    bound(result.expected_detect, "DRILL_PAGE_TIMEOUT"), lambda: new_incident(scenario, t_break))
    result.incident = incident["id"]
    t_page = parse_time(incident["firstNotifiedAt"])
    result.detect = t_page - t_break
    say(f"{name}: paged, incident {result.incident} ({MOCKSLACK}/incidents/{result.incident}); waiting for the "
        f"auto-healer's restart")
    first = poll(f"{name}: the auto-healer's restart on incident {result.incident}",
                 bound(a.expected_first_restart, "DRILL_AUTOHEAL_TIMEOUT"),
                 lambda: auto_heal_events(result.incident, "acted"))[0]
    t_restart = parse_time(first["time"])
    a.first_restart = t_restart - t_page
    say(f"{name}: {first['text']}, {a.first_restart:.1f}s after the page")
    if handover:
        gave = poll(f"{name}: the auto-healer's hand-over on incident {result.incident}",
                    bound(a.expected_gave_up, "DRILL_AUTOHEAL_TIMEOUT"),
                    lambda: auto_heal_events(result.incident, "gave_up"))[0]
        a.gave_up = parse_time(gave["time"]) - t_page
        expected_text = f"auto-heal gave up on portal after {pace.max_attempts} restarts"
        if gave["text"] != expected_text:
            a.problems.append(f"the hand-over event says {gave['text']!r}, not {expected_text!r}")
        page = poll(f"{name}: the hand-over page in #pages", 10 + model.SLACK_SECONDS,
                    lambda: handover_page(t_break, expected_text))
        a.page = page["text"]
        say(f"{name}: handed over {a.gave_up:.1f}s after the page; #pages: {a.page}")
        a.restarts = len(auto_heal_events(result.incident, "acted"))
        stack("heal")
        t_heal = time.time()
        say(f"{name}: healed by hand")
    else:
        t_heal = t_restart
    result.expected_resolve = scenario.expect_resolve(t_break, t_heal)
    say(f"{name}: waiting for incident {result.incident} to resolve, expected "
        f"{result.expected_resolve.seconds:.1f}s after the {'heal' if handover else 'restart'}")

    done = wait_resolved(name, result)
    result.resolve = parse_time(done["lastNotifiedAt"]) - t_heal
    t_end = time.time()
    if not handover:
        # One restart healed it: no second one while the page resolved, and no hand-over.
        a.restarts = len(auto_heal_events(result.incident, "acted"))
        if auto_heal_events(result.incident, "gave_up"):
            a.problems.append("the auto-healer gave up although its restart healed the portal")
        changes = prom_value(f'max(changes(process_start_time_seconds{{job="portal"}}[{max(1, round(t_end - t_break))}s]))')
        if not changes:
            a.problems.append("Prometheus saw no restart of the portal (process_start_time_seconds did not change)")
    result.expected_detect = scenario.settle_detect(t_break, t_end, result.expected_detect)
    result.expected_resolve = scenario.settle_resolve(t_break, t_heal, t_end, result.expected_resolve)
    result.postmortem = write_postmortem(result)


def summary(result: Result) -> str:
    lines = [f"\n  drill {result.scenario} (profile {PROFILE}): {'PASS' if result.passed else 'FAIL'}"]
    if result.error:
        lines.append(f"  {result.error}")
    for what, e, v in result.measurements():
        if e is None or v is None:
            continue
        lines.append(f"  {what}: {v:.1f} s   expected {e.seconds:.1f} s ({e.low:.1f} to {e.high:.1f}): {e.basis}")
        lines.append(f"      tolerance {e.tolerance}")
    if result.autoheal is not None:
        a = result.autoheal
        lines.append(f"  auto-heal restarts on the incident: {a.restarts} (expected {a.expected_restarts})"
                     + (f"; hand-over page: {a.page}" if a.page else ""))
        lines.extend(f"  problem: {p}" for p in a.problems)
    if result.note:
        lines.append(f"  {result.note}")
    if result.postmortem:
        lines.append(f"  postmortem draft: {result.postmortem}")
    return "\n".join(lines)


def table(results: list[Result]) -> str:
    def cell(e: model.Expectation | None) -> str:
        return f"{e.seconds:.1f} ({e.low:.1f}-{e.high:.1f})" if e else "-"

    def measured(v: float | None) -> str:
        return f"{v:.1f}" if v is not None else "-"

    rows = [("scenario", "alert", "expected detect s", "detect s", "expected resolve s", "resolve s", "result")]
    for r in results:
        rows.append((r.scenario, r.alert, cell(r.expected_detect), measured(r.detect), cell(r.expected_resolve),
                     measured(r.resolve), "pass" if r.passed else "FAIL"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows)


def drill_names() -> list[str]:
    """Every drill `all` runs, as --list prints them: the scenarios, then the HEAL=auto variants."""
    return SCENARIOS + [s + AUTOHEAL_SUFFIX for s in AUTOHEAL_SCENARIOS]


def chosen(argument: str, heal: str) -> list[str] | str:
    """The drills to run for a SCENARIO and HEAL, or why there are none."""
    if heal not in ("manual", "auto"):
        return f"HEAL must be manual or auto, not {heal!r}"
    if argument == "all":
        return drill_names() if heal == "manual" else [s + AUTOHEAL_SUFFIX for s in AUTOHEAL_SCENARIOS]
    if argument not in drill_names():
        return f"unknown scenario {argument!r}"
    if heal == "auto" and not argument.endswith(AUTOHEAL_SUFFIX):
        if argument not in AUTOHEAL_SCENARIOS:
            return f"{argument} has no HEAL=auto variant (only {', '.join(AUTOHEAL_SCENARIOS)})"
        return [argument + AUTOHEAL_SUFFIX]
    return [argument]


def switch_autoheal(mode: str) -> None:
    """Restarts the auto-healer in `mode` (live or dry-run) and waits until the new process
    answers: a break right after must not find the old one going, or none."""
    t_switch = time.time()
    stack("autoheal", mode)

    def restarted() -> bool:
        m = re.search(r"^process_start_time_seconds (\S+)$", get_text(f"{AUTOHEALER}/metrics"), re.M)
        return bool(m) and float(m.group(1)) >= t_switch - 1 and get_text(f"{AUTOHEALER}/readyz") is not None

    poll(f"the auto-healer restarted in {mode}", 30, restarted, every=0.2)


def run_one(name: str, p: model.Pipeline, result: Result) -> None:
    """One drill, with the auto-healer live for a HEAL=auto variant and in dry run for the others
    (a live one would heal the break before the drill does); its mode is put back afterwards."""
    auto = name.endswith(AUTOHEAL_SUFFIX)
    scenario = SCENARIO_TYPES[name.removesuffix(AUTOHEAL_SUFFIX)](p)
    mode = stack_output("autoheal", "status")
    wanted = "live" if auto else "dry-run"
    if auto or mode != wanted:
        switch_autoheal(wanted)  # a restart: no cooldown or attempt of an earlier drill remains
    try:
        if auto:
            run_autoheal(scenario, result)
        else:
            run(scenario, result)
    finally:
        if mode != wanted or auto:
            subprocess.run([str(STACK), "autoheal", mode], stdout=subprocess.DEVNULL, check=False)


def main(argv: list[str]) -> int:
    if argv == ["--list"]:
        print("\n".join(drill_names()))
        return 0
    names = chosen(argv[0], HEAL) if len(argv) == 1 else "one scenario expected"
    if isinstance(names, str):
        print(f"drill.py: {names}\nusage: [HEAL=manual|auto] drill.py {'|'.join(drill_names())}|all", file=sys.stderr)
        return 2
    started = time.time()
    p = pipeline()
    results = []
    for name in names:
        result = Result(name, SCENARIO_TYPES[name.removesuffix(AUTOHEAL_SUFFIX)].alert)
        try:
            run_one(name, p, result)
        except (DrillError, ValueError, OSError, subprocess.CalledProcessError) as e:
            result.error = str(e)
            subprocess.run([str(STACK), "heal"], stdout=subprocess.DEVNULL, check=False)
        results.append(result)
        print(summary(result), flush=True)
    if len(results) > 1:
        print(f"\n  drills (profile {PROFILE}), {time.time() - started:.0f} s in all; expected (tolerance)")
        print(table(results))
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
