"""What a drill should measure, derived from the alert rules Prometheus has loaded.

Pure functions, no I/O: scripts/drill.py feeds them the loaded rules, the profile's intervals and
the break's parameters, and compares what it measures with what they return. Every time is in
seconds, measured from the break (detection) or from the heal (resolution).

The tolerance of each expectation is stated with it (Expectation.low/high) and made of the
pipeline's own delays, nothing else:
  - scrape_interval: a change is seen at the next scrape; a new counter series (the first 5xx)
    only counts from its second sample, so detection can take two scrapes;
  - evaluation_interval: the rule sees the sample at its next evaluation;
  - group_wait: Alertmanager holds a new group that long before the first notification;
  - group_interval: a resolution (or an alert released by an inhibition) is sent at the group's
    next flush;
  - SLACK_SECONDS (1 s; DRILL_SLACK sets it) for delivery, and for a busy machine whose
    Prometheus and Alertmanager run late.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_DURATION = re.compile(r"(\d+)(ms|[smhdwy])")

SLACK_SECONDS = 1.0  # set by scripts/drill.py from DRILL_SLACK


def parse_duration(text: str) -> float:
    """A Prometheus duration ("1h30m", "500ms") in seconds."""
    text = text.strip()
    pos, total = 0, 0.0
    for m in _DURATION.finditer(text):
        if m.start() != pos:
            break
        total += int(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(text) or not text:
        raise ValueError(f"not a duration: {text!r}")
    return total


@dataclass
class Pipeline:
    """The delays between a change and its notification, from the running configuration."""

    scrape_interval: float
    evaluation_interval: float
    group_wait: float
    group_interval: float


@dataclass
class Expectation:
    """An expected time with its tolerance: a measurement in [low, high] passes."""

    seconds: float
    low: float
    high: float
    basis: str  # how `seconds` was derived, in words
    tolerance: str  # what the tolerance is made of, in words
    detail: dict = field(default_factory=dict)

    def holds(self, measured: float | None) -> bool:
        return measured is not None and self.low <= measured <= self.high


def _detect_tolerance(p: Pipeline, extra: float = 0.0, extra_words: str = "") -> tuple[float, float, str]:
    low = p.scrape_interval + p.evaluation_interval
    high = 2 * p.scrape_interval + p.evaluation_interval + p.group_wait + SLACK_SECONDS + extra
    words = (f"-{low:g}s/+{high:g}s: 2 scrapes ({p.scrape_interval:g}s), 1 evaluation "
             f"({p.evaluation_interval:g}s), group_wait ({p.group_wait:g}s), {SLACK_SECONDS:g}s delivery and slack"
             + extra_words)
    return low, high, words


def _resolve_tolerance(p: Pipeline, extra: float = 0.0, extra_words: str = "") -> tuple[float, float, str]:
    low = p.scrape_interval + p.evaluation_interval
    high = p.scrape_interval + p.evaluation_interval + p.group_interval + SLACK_SECONDS + extra
    words = (f"-{low:g}s/+{high:g}s: 1 scrape ({p.scrape_interval:g}s), 1 evaluation "
             f"({p.evaluation_interval:g}s), group_interval ({p.group_interval:g}s), "
             f"{SLACK_SECONDS:g}s delivery and slack" + extra_words)
    return low, high, words


# ---- burn-rate alerts (errors, latency) -------------------------------------------------------


@dataclass
class BurnRatePair:
    """One generated burn-rate rule: fires while both windows burn faster than `burn_rate`."""

    severity: str
    long_window: float
    short_window: float
    burn_rate: float

    @property
    def name(self) -> str:
        return f"{_fmt(self.long_window)}/{_fmt(self.short_window)}"


_BURN_THRESHOLD = re.compile(r"slo:burn_rate:ratio_rate\w+\{[^}]*\}\s*>\s*([0-9.eE+-]+)")


def burn_rate_pairs(rules: list[dict]) -> list[BurnRatePair]:
    """The pairs of one burn-rate alert from Prometheus' /api/v1/rules entries of that alert."""
    pairs = []
    for rule in rules:
        labels = rule.get("labels", {})
        thresholds = {float(t) for t in _BURN_THRESHOLD.findall(rule["query"])}
        if len(thresholds) != 1 or "long_window" not in labels:
            raise ValueError(f"not a burn-rate rule: {rule['query']!r}")
        pairs.append(BurnRatePair(labels["severity"], parse_duration(labels["long_window"]),
                                  parse_duration(labels["short_window"]), thresholds.pop()))
    return pairs


def _window_fire_time(window: float, k: float, error_rate: float, traffic_age: float,
                      baseline: float = 0.0) -> float:
    """Seconds of errors until the error ratio over `window` exceeds k. With steady traffic, a
    window holding `age` seconds of it, `baseline` of which were errors before the break, has
    the ratio (baseline * (age - t) + error_rate * t) / age once full (age = window), and
    (baseline * age + error_rate * t) / (age + t) while it still grows."""
    if baseline >= k:
        return 0.0
    age = min(traffic_age, window)
    t_filling = (k - baseline) * age / (error_rate - k)  # while the window still grows
    if age + t_filling <= window:
        return t_filling
    return (k - baseline) * window / (error_rate - baseline)


def burn_fire_time(pair: BurnRatePair, budget: float, error_rate: float, traffic_age: float,
                   onset: float = 0.0, baselines: dict[float, float] | None = None) -> float:
    """Seconds after the break until `pair` fires, or inf when `error_rate` cannot make it fire:
    both windows must cross burn_rate * budget. Errors start counting `onset` after the break
    (the latency of a slowed request). On a full window the long one decides; on a young stack
    whose windows hold less than their length of traffic, both cross sooner, and so they do
    when the windows already held errors (`baselines`: window -> error ratio at the break)."""
    k = pair.burn_rate * budget
    if error_rate <= k:
        return math.inf
    b = baselines or {}
    return onset + max(
        _window_fire_time(pair.long_window, k, error_rate, traffic_age, b.get(pair.long_window, 0.0)),
        _window_fire_time(pair.short_window, k, error_rate, traffic_age, b.get(pair.short_window, 0.0)))


def _window_ratio_after_heal(window: float, error_rate: float, break_seconds: float, h: float,
                             traffic_age: float, baseline: float) -> float:
    """The error ratio over `window`, `h` seconds after the heal, with steady traffic since
    `traffic_age` seconds before the break: `baseline` bad before the break, `error_rate` for
    its `break_seconds`, none after."""
    t = break_seconds + h
    start = max(-traffic_age, t - window)
    bad = (baseline * max(0.0, min(0.0, t) - start)
           + error_rate * max(0.0, min(break_seconds, t) - max(0.0, start)))
    return bad / (t - start) if t > start else 0.0


def _bisect(low: float, high: float, done) -> float:
    """The least x in [low, high] with done(x), for done false then true along the range."""
    while high - low > 1e-9:
        mid = (low + high) / 2
        low, high = (low, mid) if done(mid) else (mid, high)
    return high


def _window_clear_time(window: float, k: float, error_rate: float, break_seconds: float,
                       traffic_age: float, baseline: float) -> float:
    """Seconds after the heal until the ratio over `window` of a pair that fired drops to k.

    The pair fired, so the window was above k at the heal: where steady traffic would put it
    lower (a pair that fired within a scrape or an evaluation of the heal), the break is taken
    as long as the least that puts it there. The ratio only falls after the heal (a growing
    window gains good traffic; a full one loses bad), so bisect; by `window` seconds the window
    holds nothing of the break."""
    def ratio(h: float, seconds: float) -> float:
        return _window_ratio_after_heal(window, error_rate, seconds, h, traffic_age, baseline)
    if ratio(0.0, break_seconds) <= k:
        least = _bisect(0.0, window, lambda d: ratio(0.0, d) > k)
        if ratio(0.0, least) <= k:  # no break puts this window above k
            return 0.0
        break_seconds = least * (1 + 1e-6)
    return _bisect(0.0, window, lambda h: ratio(h, break_seconds) <= k)


def burn_resolve_times(pair: BurnRatePair, budget: float, error_rate: float, break_seconds: float,
                       traffic_age: float = math.inf, baselines: dict[float, float] | None = None,
                       observed: dict[float, float] | None = None) -> dict[float, float]:
    """Seconds after the heal until each window of a firing `pair` drops to burn_rate * budget:
    window -> seconds. On full windows the short one clears first, when its ratio,
    error_rate * min(D, S - h) / S, drops to k; on a young stack the long window, still
    filling with good traffic, can clear first. `observed` (window -> seconds) replaces the
    model's time for a window whose clearing was worked out from what Prometheus held."""
    k = pair.burn_rate * budget
    b = baselines or {}
    times = {w: _window_clear_time(w, k, error_rate, break_seconds, traffic_age, b.get(w, 0.0))
             for w in (pair.short_window, pair.long_window)}
    times.update({w: t for w, t in (observed or {}).items() if w in times})
    return times


def burn_resolve_time(pair: BurnRatePair, budget: float, error_rate: float, break_seconds: float,
                      traffic_age: float = math.inf, baselines: dict[float, float] | None = None,
                      observed: dict[float, float] | None = None) -> float:
    """Seconds after the heal until a firing `pair` resolves: the alert needs both windows
    above the threshold, so it clears with the first window that drops."""
    return min(burn_resolve_times(pair, budget, error_rate, break_seconds, traffic_age, baselines,
                                  observed).values())


def filling_window_clear_time(ratio: float, traffic: float, rate: float, k: float) -> float:
    """Seconds until a window that still fills drops to k, from what it holds now: `traffic`
    requests with an error `ratio`, gaining `rate` good requests a second:
    ratio * traffic / (traffic + rate * t) = k."""
    if ratio <= k:
        return 0.0
    if rate <= 0:
        return math.inf
    return traffic * (ratio / k - 1) / rate


def expect_burn_rate(pairs: list[BurnRatePair], objective: float, error_rate: float,
                     traffic_age: float, pipeline: Pipeline, onset: float = 0.0,
                     baselines: dict[float, float] | None = None) -> tuple[Expectation, str]:
    """Detection: the first page pair to fire, or the first ticket pair when no page pair can;
    returns the expectation and the severity whose incident the drill follows."""
    budget = 1 - objective
    times = [(burn_fire_time(p, budget, error_rate, traffic_age, onset, baselines), p) for p in pairs]
    if all(math.isinf(t) for t, _ in times):
        raise ValueError(f"an error ratio of {error_rate:g} cannot fire any pair (the lowest "
                         f"threshold is {min(p.burn_rate for p in pairs) * budget:g})")
    # The drill follows the page when a page pair can fire (tickets go to their own incident).
    pages = [tp for tp in times if tp[1].severity == "page" and not math.isinf(tp[0])]
    first_time, first = min(pages or times, key=lambda tp: tp[0])
    low, high, words = _detect_tolerance(pipeline)
    can_fire = ", ".join(f"{p.name} at {t:.1f}s" for t, p in sorted(times, key=lambda tp: tp[0])
                         if not math.isinf(t) and p.severity == first.severity)
    basis = (f"{first.name} pair: {first.burn_rate:g} x {budget:g} budget x window / "
             f"{error_rate:g} errors" + (f" + {onset:g}s until the first bad request completes" if onset else "")
             + f" ({first.severity} pairs that can fire: {can_fire})")
    return Expectation(first_time, first_time - low, first_time + high, basis, words,
                       {"pair": first.name}), first.severity


def expect_burn_rate_resolve(pairs: list[BurnRatePair], severity: str, objective: float,
                             error_rate: float, traffic_age: float, break_seconds: float,
                             pipeline: Pipeline, onset: float = 0.0,
                             fired_names: set[str] | None = None,
                             baselines: dict[float, float] | None = None,
                             observed: dict[float, float] | None = None) -> Expectation:
    """Resolution of the incident of `severity`: the last of its pairs that fired to clear.

    Which pairs fired is `fired_names` when known (Prometheus' ALERTS over the drill: a pair
    whose fire time is within a scrape or an evaluation of the break's end may or may not
    have fired, and a pair that fired holds the incident open for its whole short window);
    without it, every pair whose fire time falls within the break, plus that margin.
    `observed`: window -> seconds after the heal, for windows whose clearing was worked out
    from what they held (filling_window_clear_time)."""
    budget = 1 - objective
    margin = pipeline.scrape_interval + pipeline.evaluation_interval
    fired = [p for p in pairs if p.severity == severity
             and (p.name in fired_names if fired_names is not None
                  else burn_fire_time(p, budget, error_rate, traffic_age, onset, baselines)
                  < break_seconds + margin)]
    if not fired:
        fired = [min((p for p in pairs if p.severity == severity),
                     key=lambda p: burn_fire_time(p, budget, error_rate, traffic_age, onset, baselines))]
    seen = {w: t - onset for w, t in (observed or {}).items()}
    times = [(burn_resolve_time(p, budget, error_rate, break_seconds - onset, traffic_age, baselines, seen)
              + onset, p) for p in fired]
    last_time, last = max(times, key=lambda tp: tp[0])
    clears = burn_resolve_times(last, budget, error_rate, break_seconds - onset, traffic_age, baselines, seen)
    low, high, words = _resolve_tolerance(pipeline)
    if clears[last.short_window] <= clears[last.long_window]:
        how = (f"its short window: {_fmt(last.short_window)} x (1 - {last.burn_rate:g} x {budget:g} / "
               f"{error_rate:g}) (its long window, {min(traffic_age, last.long_window):.0f}s of traffic at "
               f"the break, would clear at {clears[last.long_window] + onset:.1f}s)")
    elif last.long_window in seen:
        how = (f"its long window, still filling: the ratio it held after the heal, diluted by good "
               f"traffic to {last.burn_rate:g} x {budget:g}")
    else:
        how = (f"its long window, still filling ({min(traffic_age, last.long_window):.0f}s of traffic at "
               f"the break, {break_seconds - onset:.1f}s of it bad): the good traffic after the heal dilutes "
               f"it to {last.burn_rate:g} x {budget:g}")
    basis = f"{last.name} pair clears with {how}; fired: " + ", ".join(p.name for p in fired)
    return Expectation(last_time, last_time - low, last_time + high, basis, words)


# ---- threshold alerts with `for` (unready) ----------------------------------------------------


def expect_for(for_seconds: float, pipeline: Pipeline, what: str) -> Expectation:
    low, high, words = _detect_tolerance(pipeline)
    return Expectation(for_seconds, for_seconds - low, for_seconds + high,
                       f"{what} for {_fmt(for_seconds)} (the rule's `for`)", words)


def expect_clear(pipeline: Pipeline, what: str) -> Expectation:
    low, high, words = _resolve_tolerance(pipeline)
    return Expectation(0.0, -low, high, what, words)


# ---- restarts (crashloop) ---------------------------------------------------------------------


_CHANGES = re.compile(r"changes\([^\[]*\[([0-9a-z]+)\]\)\s*>\s*([0-9]+)")


def restart_rule(query: str) -> tuple[float, int]:
    """(window, threshold) of `changes(x[window]) > threshold`."""
    m = _CHANGES.search(query)
    if not m:
        raise ValueError(f"not a restart rule: {query!r}")
    return parse_duration(m.group(1)), int(m.group(2))


@dataclass
class CrashLoop:
    """How the local stack restarts a crashing portal (scripts/stack's supervisor)."""

    crash_after: float  # each restarted portal crashes this long after it starts
    backoff_initial: float  # the supervisor waits this long before the first restart...
    backoff_max: float  # ...doubling up to this
    start_seconds: float = 0.1  # until a started portal answers its scrape


def _process_starts(loop: CrashLoop, heal: float, limit: int = 1000) -> list[float]:
    """Start times of the portals after a crash at 0; the first one to start after `heal`
    no longer crashes, nor does one running at the heal (the heal disarms its timer)."""
    starts, t, backoff = [], 0.0, loop.backoff_initial
    while len(starts) < limit:
        start = t + backoff + loop.start_seconds
        starts.append(start)
        crash = start + loop.crash_after
        if start >= heal or crash > heal:
            break
        t, backoff = crash, min(backoff * 2, loop.backoff_max)
    return starts


def _changes(starts: list[float], loop: CrashLoop, at: float, window: float, scrape: float) -> int:
    """changes() over (at - window, at] of process_start_time_seconds scraped every `scrape`:
    the number of processes with a sample in the window, minus one."""
    alive = [(-math.inf, 0.0)] + [(s, s + loop.crash_after) for s in starts]
    alive[-1] = (starts[-1], math.inf)
    sampled = 0
    for begin, end in alive:
        first = max(begin, at - window)
        last = min(end, at)
        # a scrape in [first, last]
        if last >= first and math.floor(last / scrape) * scrape >= first - 1e-9:
            sampled += 1
    return max(0, sampled - 1)


def expect_restarts(window: float, threshold: int, loop: CrashLoop, pipeline: Pipeline) -> Expectation:
    """Detection: the first scrape at which the window holds more than `threshold` changes."""
    scrape = pipeline.scrape_interval
    starts = _process_starts(loop, math.inf, limit=threshold + 10)
    t = 0.0
    while t < 100 * window:
        if _changes(starts, loop, t, window, scrape) > threshold:
            break
        t += scrape
    else:
        raise ValueError(f"restarts every {loop.crash_after:g}s+ cannot reach {threshold + 1} in {_fmt(window)}")
    # A crashed portal is not scraped: PortalDown (a page) may fire between restarts and inhibit
    # the ticket until the next flush of its group.
    low, high, words = _detect_tolerance(pipeline, pipeline.group_interval,
                                         f", group_interval ({pipeline.group_interval:g}s) for an inhibition by PortalDown")
    return Expectation(t, t - low, t + high,
                       f"restart {threshold + 1} within {_fmt(window)}: crash after {loop.crash_after:g}s, "
                       f"back-off {loop.backoff_initial:g}s doubling to {loop.backoff_max:g}s", words)


def expect_restarts_resolve(window: float, threshold: int, loop: CrashLoop, heal: float,
                            pipeline: Pipeline) -> Expectation:
    """Resolution: the window no longer holds more than `threshold` changes, after the heal
    (`heal` seconds after the break)."""
    scrape = pipeline.scrape_interval
    starts = _process_starts(loop, heal)
    t = heal
    while _changes(starts, loop, t, window, scrape) > threshold and t < heal + 10 * window:
        t += scrape
    since_heal = t - heal
    low, high, words = _resolve_tolerance(pipeline)
    return Expectation(since_heal, since_heal - low, since_heal + high,
                       f"the {threshold + 1}th last restart leaves the {_fmt(window)} window", words)


def changes_at(samples: list[tuple[float, float]], at: float, window: float) -> int:
    """changes() over the raw samples (time, value) in [at - window, at]."""
    values = [v for t, v in samples if at - window <= t <= at]
    return sum(1 for a, b in zip(values, values[1:]) if a != b)


def restarts_settled(samples: list[tuple[float, float]], window: float, threshold: int,
                     since: float, firing: bool) -> float | None:
    """From the samples Prometheus scraped, the first time at or after `since` at which
    changes() over `window` exceeds `threshold` (firing) or no longer does (not firing). The
    count only rises at a sample and only falls when a sample leaves the window, so those are
    the instants to look at."""
    candidates = sorted({t for t, _ in samples} | {t + window + 1e-3 for t, _ in samples} | {since})
    for at in candidates:
        if at >= since and (changes_at(samples, at, window) > threshold) == firing:
            return at
    return None


def expect_restarts_observed(window: float, threshold: int, samples: list[tuple[float, float]],
                             since: float, firing: bool, pipeline: Pipeline) -> Expectation | None:
    """The rule's own verdict on the restarts that happened (how fast the supervisor restarted
    the portal on a busy machine is not the alert's business): when `changes(...[window]) >
    threshold` turned true after the break (firing) or false after the heal."""
    at = restarts_settled(samples, window, threshold, since, firing)
    if at is None:
        return None
    seconds = at - since
    if firing:
        low, high, words = _detect_tolerance(pipeline, pipeline.group_interval,
                                             f", group_interval ({pipeline.group_interval:g}s) for an inhibition by PortalDown")
        basis = f"the scraped restarts put {threshold + 1} changes in {_fmt(window)} {seconds:.1f}s after the break"
    else:
        low, high, words = _resolve_tolerance(pipeline)
        basis = f"the scraped restarts leave {threshold} or fewer changes in {_fmt(window)} {seconds:.1f}s after the heal"
    return Expectation(seconds, seconds - low, seconds + high, basis, words)


# ---- scheduled job (batch) --------------------------------------------------------------------


def next_run_end(last_end: float, interval: float, duration: float, after: float) -> float:
    """The end of the first run that starts at or after `after`, for a job that sleeps
    `interval` after each run of `duration` and last finished at `last_end` (unix times)."""
    first_start = last_end + interval
    k = max(0, math.ceil((after - first_start) / (interval + duration)))
    return first_start + k * (interval + duration) + duration


def expect_batch(last_end: float, interval: float, duration: float, at: float,
                 pipeline: Pipeline, resolve: bool) -> Expectation:
    end = next_run_end(last_end, interval, duration, at)
    seconds = end - at
    basis = (f"the next batch-sync run ends {seconds:.1f}s later (every {interval:g}s, "
             f"{duration:.1f}s a run), pushed and scraped")
    if resolve:
        low, high, words = _resolve_tolerance(pipeline)
    else:
        low, high, words = _detect_tolerance(pipeline)
    return Expectation(seconds, seconds - low, seconds + high, basis, words)


# ---- the auto-healer (HEAL=auto drills) -------------------------------------------------------


@dataclass
class HealerPace:
    """What paces the auto-healer's attempts: its Alertmanager route (which repeats a firing alert
    every repeat_interval, at the group's next flush) and its own --cooldown and --max-attempts."""

    group_interval: float
    repeat_interval: float
    cooldown: float
    max_attempts: int

    @property
    def repeat_every(self) -> float:
        """Seconds between two notifications of a still-firing alert: the repeat_interval, sent
        at the first flush (every group_interval) after it has passed."""
        return self.repeat_interval + self.group_interval

    @property
    def attempt_every(self) -> float:
        """Seconds between two attempts on a target whose alert keeps firing: the first repeat at
        least one cooldown after the last attempt."""
        return math.ceil(self.cooldown / self.repeat_every - 1e-9) * self.repeat_every


def expect_first_restart(pace: HealerPace) -> Expectation:
    """From the page to the auto-healer's first restart. Alertmanager sends the alert to the
    auto-healer's route in the same flush as to the receiver that pages (both wait the root's
    group_wait), and a local restart returns at once."""
    low, high = -SLACK_SECONDS, pace.group_interval + 1 + SLACK_SECONDS
    return Expectation(0.0, low, high, "the auto-healer is notified in the same flush as the page",
                       f"{low:g}s/+{high:g}s: one flush of its route ({pace.group_interval:g}s), 1s for the "
                       f"restart, {SLACK_SECONDS:g}s delivery and slack")


def expect_handover(pace: HealerPace) -> Expectation:
    """From the page to the hand-over of a target that restarts do not heal: max_attempts restarts,
    one per attempt_every, then the next repeat finds them used up."""
    n = pace.max_attempts
    seconds = n * pace.attempt_every
    low, high = n * pace.cooldown, n * (pace.cooldown + pace.repeat_every) + SLACK_SECONDS
    return Expectation(
        seconds, low, high,
        f"{n} restarts, then the hand-over: {n} x {pace.attempt_every:g}s (the first repeat, every "
        f"{pace.repeat_every:g}s, at least one --cooldown ({pace.cooldown:g}s) after the last restart)",
        f"{low:g} to {high:g}s: from {n} cooldowns to {n} cooldowns plus a repeat each, "
        f"{SLACK_SECONDS:g}s slack")


def _fmt(seconds: float) -> str:
    """Seconds as Prometheus writes durations (3600 -> 1h, 90 -> 1m30s)."""
    if seconds == 0:
        return "0s"
    out, rest = "", seconds
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            n = int(rest // size)
            out += f"{n}{unit}"
            rest -= n * size
    if rest > 1e-9:
        out += f"{round(rest * 1000)}ms"
    return out
