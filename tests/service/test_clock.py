"""The discrete-event core (STYLE convention 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lambdachaos._clock import Clock, ClockError, to_ns


def test_callbacks_run_in_time_then_priority_then_insertion_order():
    clock = Clock()
    order = []
    clock.call_later(2, order.append, "late")
    clock.call_later(1, order.append, "first-inserted")
    clock.call_later(1, order.append, "second-inserted")
    clock.call_later(1, order.append, "high-priority", priority=-1)
    clock.run()
    assert order == ["high-priority", "first-inserted", "second-inserted", "late"]
    assert clock.now_ns == 2_000_000_000


def test_run_until_a_time_stops_there_and_sets_now():
    clock = Clock()
    seen = []
    clock.call_later(1, seen.append, 1)
    clock.call_later(5, seen.append, 5)
    clock.run(until=3)
    assert seen == [1]
    assert clock.now == 3.0
    clock.run()
    assert seen == [1, 5]


def test_run_until_in_the_past_is_refused_with_both_times():
    clock = Clock()
    clock.advance(10)
    with pytest.raises(ClockError, match=r"^until=5\.0s is before now=10\.0s; virtual time never moves backwards"):
        clock.run(until=5)


def test_advance_takes_a_timedelta_and_runs_what_is_due():
    clock = Clock()
    hits = []
    clock.call_later(timedelta(minutes=1), hits.append, "a")
    clock.advance(timedelta(seconds=59))
    assert hits == []
    clock.advance(1)
    assert hits == ["a"]
    assert clock.now_ns == 60 * 1_000_000_000


def test_cancelled_timers_never_run():
    clock = Clock()
    hits = []
    timer = clock.call_later(1, hits.append, "x")
    timer.cancel()
    clock.run()
    assert hits == []


def test_run_until_a_predicate():
    clock = Clock()
    hits = []
    for i in range(5):
        clock.call_later(i, hits.append, i)
    clock.run(until=lambda: len(hits) == 3)
    assert hits == [0, 1, 2]


def test_negative_delays_and_non_numbers_are_refused():
    clock = Clock()
    with pytest.raises(ClockError, match=r"^delay=-1 is negative"):
        clock.call_later(-1, print)
    with pytest.raises(ClockError, match=r"^duration='soon' is not a number of seconds or a timedelta$"):
        to_ns("soon")  # type: ignore[arg-type]


def test_six_hours_of_virtual_time_take_no_real_time():
    clock = Clock()
    count = [0]

    def tick():
        count[0] += 1
        if clock.now < 6 * 3600:
            clock.call_later(1, tick)

    clock.call_later(0, tick)
    clock.run()
    assert count[0] == 6 * 3600 + 1


def test_a_cancelled_timer_inside_the_window_never_lets_a_later_one_run_early():
    clock = Clock()
    hits = []
    clock.call_later(1, hits.append, "cancelled").cancel()
    clock.call_later(10, hits.append, "later")
    clock.advance(5)
    assert hits == [] and clock.now == 5.0


def test_stop_inside_an_idle_run_returns_after_that_callback_and_a_later_run_goes_on_from_there():
    clock = Clock()
    seen = []
    clock.call_later(1, seen.append, 1)
    clock.call_later(2, lambda: (seen.append(2), clock.stop()))
    clock.call_later(2, seen.append, "2b")
    clock.call_later(3, seen.append, 3).cancel()
    clock.call_later(4, seen.append, 4)
    clock.run()
    assert (seen, clock.now_ns, clock.pending) == ([1, 2], 2_000_000_000, 3)
    clock.run()
    assert (seen, clock.now_ns, clock.pending) == ([1, 2, "2b", 4], 4_000_000_000, 0)


def test_a_callback_scheduling_at_now_during_an_idle_run_runs_in_the_same_run_at_the_same_time():
    clock = Clock()
    seen = []
    clock.call_later(1, lambda: clock.call_at(clock.now_ns, lambda: seen.append(clock.now_ns)))
    clock.run()
    assert seen == [1_000_000_000]
