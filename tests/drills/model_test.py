#!/usr/bin/env python3
"""Unit tests of scripts/drill_model.py: the drill's expectations against figures worked out by
hand from the SRE Workbook's formulas (chapter 5) at the drill scale (windows / 60)."""

import math
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import drill_model as m  # noqa: E402

DRILL = m.Pipeline(scrape_interval=1, evaluation_interval=1, group_wait=0.5, group_interval=5)
# The availability alert's pairs at the drill scale, as Prometheus lists them.
RULES = [
    {"query": 'slo:burn_rate:ratio_rate1h{service="portal",slo="availability"} > 14.4\nand\n'
              'slo:burn_rate:ratio_rate5m{service="portal",slo="availability"} > 14.4\nand\n'
              'slo:sli_total:rate1h{service="portal",slo="availability"} * 60 >= 100',
     "labels": {"severity": "page", "long_window": "1m", "short_window": "5s"}},
    {"query": 'slo:burn_rate:ratio_rate6h{s="p"} > 6\nand\nslo:burn_rate:ratio_rate30m{s="p"} > 6',
     "labels": {"severity": "page", "long_window": "6m", "short_window": "30s"}},
    {"query": 'slo:burn_rate:ratio_rate1d{s="p"} > 3\nand\nslo:burn_rate:ratio_rate2h{s="p"} > 3',
     "labels": {"severity": "ticket", "long_window": "24m", "short_window": "2m"}},
]
FULL = 10_000  # traffic age: every window full


class BurnRate(unittest.TestCase):
    pairs = m.burn_rate_pairs(RULES)

    def test_pairs_come_from_the_loaded_rules(self):
        self.assertEqual([(p.severity, p.long_window, p.short_window, p.burn_rate) for p in self.pairs],
                         [("page", 60, 5, 14.4), ("page", 360, 30, 6), ("ticket", 1440, 120, 3)])

    def test_full_outage_pages_with_the_1h_pair(self):
        e, severity = m.expect_burn_rate(self.pairs, 0.999, 1.0, FULL, DRILL)
        self.assertEqual(severity, "page")
        self.assertAlmostEqual(e.seconds, 60 * 14.4 * 0.001)  # 0.864 s
        self.assertEqual(e.detail["pair"], "1m/5s")

    def test_between_0_6_and_1_44_percent_only_the_6h_pair_can_page(self):
        e, severity = m.expect_burn_rate(self.pairs, 0.999, 0.01, FULL, DRILL)
        self.assertEqual((severity, e.detail["pair"]), ("page", "6m/30s"))
        self.assertAlmostEqual(e.seconds, 360 * 6 * 0.001 / 0.01)  # 216 s
        self.assertTrue(math.isinf(m.burn_fire_time(self.pairs[0], 0.001, 0.01, FULL)))

    def test_below_every_page_threshold_the_ticket_is_followed(self):
        e, severity = m.expect_burn_rate(self.pairs, 0.999, 0.005, FULL, DRILL)
        self.assertEqual((severity, e.detail["pair"]), ("ticket", "24m/2m"))

    def test_no_pair_can_fire(self):
        with self.assertRaises(ValueError):
            m.expect_burn_rate(self.pairs, 0.999, 0.002, FULL, DRILL)

    def test_a_young_stack_fires_sooner(self):
        # 40 s of traffic in the 6m window: 6 x 0.001 = t / (40 + t) -> t = 0.2415 s.
        self.assertAlmostEqual(m.burn_fire_time(self.pairs[1], 0.001, 1.0, 40), 0.006 * 40 / 0.994)

    def test_errors_already_in_the_windows_fire_sooner(self):
        # 5% bad before the break, all bad after: (0.05 (60 - t) + t) / 60 > 0.0144 x 10.
        latency_pair = m.BurnRatePair("page", 60, 5, 14.4)
        t = m.burn_fire_time(latency_pair, 0.01, 1.0, FULL, baselines={60: 0.05, 5: 0.05})
        self.assertAlmostEqual(t, (0.144 - 0.05) * 60 / 0.95)
        self.assertEqual(m.burn_fire_time(latency_pair, 0.01, 1.0, FULL, baselines={60: 0.2, 5: 0.2}), 0)

    def test_resolution_is_the_slowest_fired_pair_of_the_severity(self):
        e = m.expect_burn_rate_resolve(self.pairs, "page", 0.999, 1.0, FULL, 3.5, DRILL)
        self.assertAlmostEqual(e.seconds, 30 * (1 - 0.006))  # both page pairs fired: 29.82 s
        e = m.expect_burn_rate_resolve(self.pairs, "page", 0.999, 1.0, FULL, 1.5, DRILL, fired_names={"1m/5s"})
        self.assertAlmostEqual(e.seconds, 5 * (1 - 0.0144))  # only 1m/5s fired: 4.93 s
        # Without ALERTS: 6m/30s fires at 2.16 s, within a scrape and an evaluation of 1.5 s.
        e = m.expect_burn_rate_resolve(self.pairs, "page", 0.999, 1.0, FULL, 1.5, DRILL)
        self.assertAlmostEqual(e.seconds, 29.82)
        e = m.expect_burn_rate_resolve(self.pairs, "page", 0.999, 1.0, FULL, 0.1, DRILL)
        self.assertAlmostEqual(e.seconds, 5 * (1 - 0.0144))

    def test_a_young_long_window_clears_first(self):
        # The drill's latency pair (budget 0.01, k = 0.06) on a stack whose 6m window held 35 s of
        # traffic at the break; paged and healed 4.3 s after the break, 3.5 s of it bad (onset
        # 0.8 s). The long window: 3.5 / (35 + 4.3 + h) = 0.06 -> h = 19.03 s, before the short
        # window's 30 x (1 - 0.06) = 28.2 s.
        latency_pair = m.BurnRatePair("page", 360, 30, 6)
        self.assertAlmostEqual(m.burn_resolve_time(latency_pair, 0.01, 1.0, 3.5, 35), 3.5 / 0.06 - 38.5, places=6)
        e = m.expect_burn_rate_resolve([latency_pair], "page", 0.99, 1.0, 35, 4.3, DRILL, onset=0.8)
        self.assertAlmostEqual(e.seconds, 0.8 + 3.5 / 0.06 - 38.5, places=6)
        self.assertIn("long window", e.basis)
        # Slow requests before the break count too: 2% of the 35 s is 0.7 s more bad.
        t = m.burn_resolve_times(latency_pair, 0.01, 1.0, 3.5, 35, baselines={360: 0.02})[360]
        self.assertAlmostEqual(t, (3.5 + 0.7) / 0.06 - 38.5, places=6)
        # A full window keeps its errors: the short window decides, as before.
        self.assertAlmostEqual(m.burn_resolve_time(latency_pair, 0.01, 1.0, 25, FULL), 28.2, places=6)
        e = m.expect_burn_rate_resolve([latency_pair], "page", 0.99, 1.0, FULL, 25.8, DRILL, onset=0.8)
        self.assertIn("short window", e.basis)

    def test_what_a_filling_window_held_decides_when_it_clears(self):
        # 81 bad of 737 requests, 20 good a second after: 81 / (737 + 20 t) = 0.06 -> t = 30.65 s.
        self.assertAlmostEqual(m.filling_window_clear_time(81 / 737, 737, 20, 0.06), (81 / 0.06 - 737) / 20)
        self.assertEqual(m.filling_window_clear_time(0.05, 737, 20, 0.06), 0)
        # Observed, it replaces the model's figure for that window (given after the heal).
        latency_pair = m.BurnRatePair("page", 360, 30, 6)
        e = m.expect_burn_rate_resolve([latency_pair], "page", 0.99, 1.0, 35, 4.3, DRILL, onset=0.8,
                                       observed={360: 12.5})
        self.assertAlmostEqual(e.seconds, 12.5)
        self.assertIn("the ratio it held after the heal", e.basis)
        e = m.expect_burn_rate_resolve([latency_pair], "page", 0.99, 1.0, 35, 4.3, DRILL, onset=0.8,
                                       observed={360: 40})
        self.assertAlmostEqual(e.seconds, 0.8 + 28.2, places=6)

    def test_a_window_that_slides_past_the_break_clears(self):
        # 40 s of errors, full 1m window, k = 0.144: 40 - (h - 20) <= 0.144 x 60 -> h = 51.36 s;
        # the 5s window clears first at 5 x (1 - 0.144).
        pair = m.BurnRatePair("page", 60, 5, 14.4)
        times = m.burn_resolve_times(pair, 0.01, 1.0, 40, FULL)
        self.assertAlmostEqual(times[60], 20 + 40 - 0.144 * 60, places=6)
        self.assertAlmostEqual(times[5], 5 * (1 - 0.144), places=6)

    def test_a_pair_that_fired_held_its_windows_above_the_threshold(self):
        # 1.5 s of errors cannot lift a full 6m window to 0.006; if the pair fired, its window held
        # 2.16 s worth, which a full window keeps for 360 - 2.16 s.
        pair = m.BurnRatePair("page", 360, 30, 6)
        self.assertAlmostEqual(m.burn_resolve_times(pair, 0.001, 1.0, 1.5, FULL)[360], 360 - 2.16, places=4)
        # A young one, just at the threshold, is diluted at once.
        self.assertLess(m.burn_resolve_times(pair, 0.001, 1.0, 0.1, 40)[360], 0.01)

    def test_tolerance_is_the_pipeline(self):
        e, _ = m.expect_burn_rate(self.pairs, 0.999, 1.0, FULL, DRILL)
        self.assertAlmostEqual(e.high - e.seconds, 2 * 1 + 1 + 0.5 + m.SLACK_SECONDS)
        self.assertFalse(e.holds(e.high + 0.1))
        self.assertTrue(e.holds(e.seconds))
        self.assertFalse(e.holds(None))


class Restarts(unittest.TestCase):
    def test_rule(self):
        self.assertEqual(m.restart_rule('changes(process_start_time_seconds{job="portal"}[15s]) > 3'), (15, 3))

    def test_drill_crash_loop_reaches_four_restarts_in_15s(self):
        # Starts at 1.1, 4.2, 7.3, 10.4 s: the 4th change is seen at the scrape of 11 s.
        loop = m.CrashLoop(crash_after=2, backoff_initial=1, backoff_max=1)
        self.assertEqual(m.expect_restarts(15, 3, loop, DRILL).seconds, 11)

    def test_observed_restarts_decide_when_the_rule_turns(self):
        # One sample a second; new processes (values) from 2, 5, 9 and 14 s; nothing after.
        samples = [(t, 0.0 if t < 2 else 1.0 if t < 5 else 2.0 if t < 9 else 3.0 if t < 14 else 4.0)
                   for t in range(0, 40)]
        self.assertEqual(m.changes_at(samples, 14, 15), 4)
        self.assertEqual(m.restarts_settled(samples, 15, 3, 0, True), 14)
        # Heal at 15: the change at 2 s leaves [t - 15, t] with the sample of 1 s, after 16 s.
        self.assertAlmostEqual(m.restarts_settled(samples, 15, 3, 15, False), 16.001, places=3)

    def test_production_back_off_cannot_fit_four_restarts_in_15s(self):
        with self.assertRaises(ValueError):
            m.expect_restarts(15, 3, m.CrashLoop(5, 1, 30), DRILL)


class Batch(unittest.TestCase):
    def test_the_first_run_starting_after_the_break_fails(self):
        # Last run ended at 100 after 2 s; runs start at 105, 112, 119...
        self.assertEqual(m.next_run_end(100, 5, 2, 101), 107)
        self.assertEqual(m.next_run_end(100, 5, 2, 106), 114)


class AutoHeal(unittest.TestCase):
    # The drill stack: the auto-healer's route repeats every 5s and flushes every 1s; --cooldown
    # 15s, --max-attempts 3.
    DRILL_PACE = m.HealerPace(group_interval=1, repeat_interval=5, cooldown=15, max_attempts=3)

    def test_attempts_wait_for_the_first_repeat_after_the_cooldown(self):
        # Repeats at 6, 12, 18 s after an attempt: 6 and 12 fall in the cooldown, 18 acts.
        self.assertEqual(self.DRILL_PACE.repeat_every, 6)
        self.assertEqual(self.DRILL_PACE.attempt_every, 18)
        # A cooldown that is a whole number of repeats acts on that repeat.
        self.assertEqual(m.HealerPace(1, 5, 12, 3).attempt_every, 12)

    def test_the_handover_comes_after_max_attempts_restarts(self):
        # Restarts at 0, 18 and 36 s after the page; the repeat at 54 s finds 3 used: hand-over.
        e = m.expect_handover(self.DRILL_PACE)
        self.assertEqual(e.seconds, 54)
        self.assertEqual((e.low, e.high), (45, 3 * 21 + m.SLACK_SECONDS))

    def test_the_first_restart_comes_with_the_page(self):
        e = m.expect_first_restart(self.DRILL_PACE)
        self.assertEqual(e.seconds, 0)
        self.assertTrue(e.holds(0.2) and e.holds(-0.1))
        self.assertFalse(e.holds(2 + m.SLACK_SECONDS + 0.1))


class Durations(unittest.TestCase):
    def test_parse(self):
        self.assertEqual(m.parse_duration("1h12m"), 4320)
        self.assertEqual(m.parse_duration("500ms"), 0.5)
        with self.assertRaises(ValueError):
            m.parse_duration("5 minutes")


if __name__ == "__main__":
    unittest.main()
