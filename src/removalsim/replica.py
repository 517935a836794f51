"""An independent discrete-event replica of the pipeline, to check the fluid engine.

The engine moves fractions of people once a day. The replica moves whole people one at a time, at
random moments in continuous time, in a small copy of the country: every population, inflow and
capacity is multiplied by ``scale`` (1/100 by default), while shares, durations and rates per
person stay as they are. It is written from the model's description (README, "The model"), not
from the engine's code, and shares only the parameter loading (``build_inputs``) with it.

How the stages become events (a continuous-time Markov chain, run on SimPy):

- Each person in a stage with a mean duration ``d`` leaves it at rate ``1/d``; a stage with a
  capacity ``c`` per day (screening, courts, seats, land crossings) completes at the total rate
  ``min(people / d, c)``, spread over the people in it.
- Arrests, inflows and departures are Poisson events at the rates the model states: custodial
  arrests are jail bookings times cooperation; at-large arrests are officer effort times
  productivity, which falls with the remaining share of each segment (``depletion``) and is
  steered by the targeting weights.
- An arrested person takes a pathway at random with the model's shares and needs a free bed to
  be held; with no bed, policy releases the person or the arrest is not made.
- Parameters change at midnight; a SimPy calendar process applies them (and a bed cut), then
  wakes the event process, whose exponential clocks are memoryless and simply start again.

The replica keeps the detained population's exact time average, so its detention numbers are
average daily populations in the strict sense.

>>> from removalsim.replica import replicate
>>> run = replicate("fy2019", years=0.5, seed=1)
>>> run.removals > 0 and run.detained_mean > 0
True
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import simpy

from removalsim.engine import INPUTS, ORIGINS, SEGMENTS
from removalsim.inputs import Inputs, build_inputs
from removalsim.model import resolve
from removalsim.scenario import Scenario

SCALE = 1 / 100
"""Default size of the replica relative to the country.

At 1/1000 a full jail holds ~55 people, and random swings in so small a jail turn away a few
percent of the people the fluid model (55,000 beds, swings of well under 1%) still admits. That is
a small-number effect of the replica, not an error of the engine, so the cross-check runs at 1/100.
"""
WARMUP_DAYS = 365
"""Days run first at start-date values, so that detention and appeals start full."""

EXTENSIVE = (
    *(f"population.{s}.size" for s in SEGMENTS if s != "long_term"),
    "population.unauthorized_total",
    "arrivals.recent_entrants_per_year",
    "arrivals.status_terminations_per_year",
    "arrivals.border_book_ins_per_day",
    "arrests.officers",
    "arrests.task_force_officers",
    "pathways.asylum_officers",
    "detention.beds",
    "courts.judges",
    "removal.charter_flights_per_day",
    "removal.commercial_per_day",
    "removal.land_per_day",
    "removal.third_country_per_year",
    "departures.reference_arrests_per_day",
    "departures.paid_per_year",
)
"""Inputs that count people or capacity: multiplied by the scale. The rest are per person."""

FINAL, RECENT, PENDING, STATUS, LONG = (SEGMENTS.index(s) for s in (
    "final_order", "recent_entrant", "pending_docket", "status_lost", "long_term"))
BORDER = ORIGINS.index("border")
N_ORIGIN = len(ORIGINS)
# custody stages
SUMMARY, FEAR, COURT, APPEAL, POST, STUCK, READY = range(7)
N_STAGE = 7


class _Params:
    """The inputs in force on one day, by name, scaled, with the rates the events use."""

    def __init__(self, row: np.ndarray, scale: float) -> None:
        v = {name: float(x) * (scale if name in EXTENSIVE else 1.0)
             for name, x in zip(INPUTS, row, strict=True)}
        self.v = v
        seg = [f"population.{s}." for s in SEGMENTS]
        self.entrants = v["arrivals.recent_entrants_per_year"] / 365.0
        self.status_lost = v["arrivals.status_terminations_per_year"] / 365.0
        self.aging = 1.0 / v["arrivals.recent_entrant_days"]
        self.border = v["arrivals.border_book_ins_per_day"]
        self.response = v["departures.enforcement_response"]
        self.per_reference = 1.0 / max(v["departures.reference_arrests_per_day"], 1e-12)
        self.paid = v["departures.paid_per_year"] / 365.0
        self.self_departure = [v[p + "self_departure_rate"] / 365.0 for p in seg]
        self.effort = ((v["arrests.officers"] * (1.0 - v["arrests.border_diversion"])
                        + v["arrests.task_force_officers"] * v["arrests.task_force_productivity"])
                       * v["arrests.at_large_per_officer_year"] / 365.0)
        self.findability = [v[p + "findability"] for p in seg]
        self.target = [v[f"arrests.target.{s}"] for s in SEGMENTS]
        self.depletion = v["arrests.depletion"]
        self.custodial = [v[p + "jail_booking_rate"] / 365.0 * v["arrests.jail_cooperation"]
                          for p in seg]
        speed = 1.0 + v["courts.expedited_docket"] * (v["courts.expedited_docket_speedup"] - 1)
        self.court_capacity = (v["courts.judges"] * v["courts.completions_per_judge_year"]
                               * speed / 365.0)
        self.court_rate = 1.0 / v["courts.detained_case_days"]
        self.docket_rate = 1.0 / v["courts.non_detained_case_days"]
        self.appeal_rate = 1.0 / v["courts.appeal_days"]
        self.screening = v["pathways.asylum_officers"] * v["pathways.screenings_per_officer_day"]
        self.fear_rate = 1.0 / v["pathways.fear_screening_days"]
        self.summary_rate = 1.0 / v["detention.summary_days"]
        self.document_rate = 1.0 / v["detention.travel_document_days"]
        self.staging_rate = 1.0 / v["removal.staging_days"]
        self.land_share = v["removal.land_share"]
        self.seats = (v["removal.charter_flights_per_day"] * v["removal.seats_per_flight"]
                      + v["removal.commercial_per_day"])
        self.land = v["removal.land_per_day"]
        self.third_country = v["removal.third_country_per_year"] / 365.0
        self.release_rate = 1.0 / v["detention.release_after_days"]

    def __getitem__(self, name: str) -> float:
        return self.v[name]


@dataclass
class ReplicaRun:
    """One run of the replica, in the replica's own (scaled) units.

    Attributes
    ----------
    removals
        Removals over the horizon.
    removals_by_year, detained_by_year
        Per fiscal year: removals, and the time-averaged detained population.
    detained_mean
        Time-averaged detained population over the horizon.
    arrests
        Interior arrests made over the horizon.
    events
        Number of events simulated (warm-up included).
    """

    scale: float
    removals: float = 0.0
    arrests: float = 0.0
    detained_mean: float = 0.0
    removals_by_year: list[float] = field(default_factory=list)
    detained_by_year: list[float] = field(default_factory=list)
    events: int = 0
    seconds: float = 0.0


class Replica:
    """The pipeline as a population of whole people moving through stages at random times."""

    def __init__(self, scenario: Scenario, inputs: Inputs, scale: float, seed: int) -> None:
        self.scenario = scenario
        self.inputs = inputs
        self.scale = scale
        self.rng = np.random.default_rng(seed)
        self.env = simpy.Environment()
        self.days = len(inputs.series)
        self.p = _Params(inputs.series[0], scale)
        p = self.p
        sizes = [p[f"population.{s}.size"] if s != "long_term" else 0.0 for s in SEGMENTS]
        sizes[LONG] = max(p["population.unauthorized_total"] - sum(sizes), 0.0)
        self.initial = [int(round(x)) for x in sizes]
        self.at_large = list(self.initial)
        self.peak = [float(x) for x in self.at_large]
        self.custody = [[0] * N_ORIGIN for _ in range(N_STAGE)]
        self.in_stage = [0] * N_STAGE
        self.appeals = 0  # non-detained appeals
        self.hold_room: list[tuple[int, int]] = []  # (stage, origin) waiting for a bed today
        self.occupancy = 0
        self.arrests_today = 0
        self.arrests_yesterday = p["departures.reference_arrests_per_day"]
        self.recording = False
        self.fy = 0
        self.removals_by_year = [0.0] * len(inputs.fiscal_years)
        self.detained_area = [0.0] * len(inputs.fiscal_years)
        self.arrests_total = 0
        self.last_change = 0.0
        self.events = 0
        self.dynamics = self.env.process(self._dynamics())
        self.env.process(self._calendar())

    # --- bookkeeping ---------------------------------------------------------------------------
    def _advance_clock(self) -> None:
        """Add the detained population's time integral since the last event."""
        now = self.env.now
        if self.recording:
            self.detained_area[self.fy] += self.occupancy * (now - self.last_change)
        self.last_change = now

    def _enter(self, stage: int, origin: int) -> None:
        self.custody[stage][origin] += 1
        self.in_stage[stage] += 1
        self.occupancy += 1

    def _leave(self, stage: int, origin: int) -> None:
        self.custody[stage][origin] -= 1
        self.in_stage[stage] -= 1
        self.occupancy -= 1

    @property
    def k(self) -> _Params:
        """The day's parameters and rates."""
        return self.p

    def _pick(self, stage: int) -> int:
        """A random origin of the people in a stage, in proportion to their numbers."""
        counts = self.custody[stage]
        r = self.rng.random() * self.in_stage[stage]
        for o, n in enumerate(counts):
            r -= n
            if r < 0:
                return o
        return max(range(N_ORIGIN), key=lambda o: counts[o])

    def _release(self, origin: int) -> None:
        """Back at large: people with final orders stay so; others join the court docket."""
        self._to_at_large(FINAL if origin == FINAL else PENDING)

    def _to_at_large(self, segment: int) -> None:
        self._grow(segment)

    def _removed(self, origin: int) -> None:
        if self.recording:
            self.removals_by_year[self.fy] += 1

    # --- the calendar: parameters, bed cuts, enforcement intensity, fiscal years --------------
    def _calendar(self):
        for step in range(WARMUP_DAYS + self.days):
            t = step - WARMUP_DAYS
            if t == 0:  # warmed up: restore the populations, start counting
                self._advance_clock()
                self.at_large = list(self.initial)
                self.peak = [float(x) for x in self.at_large]
                self.recording = True
                self.last_change = self.env.now
            if t >= 0:
                self._advance_clock()
                self.fy = int(self.inputs.fy_index[t])
                self.p = _Params(self.inputs.series[t], self.scale)
            self._flush_hold_room()
            self.arrests_yesterday = self.arrests_today
            self.arrests_today = 0
            self._cut_beds()
            if self.dynamics.is_alive and self.dynamics.target is not None:
                self.dynamics.interrupt()
            yield self.env.timeout(1.0)
        self._advance_clock()
        self.recording = False

    def _cut_beds(self) -> None:
        beds = self.p["detention.beds"]
        for stage in (COURT, POST):
            while self.occupancy > beds + 1e-9 and self.in_stage[stage] > 0:
                origin = self._pick(stage)
                self._advance_clock()
                self._leave(stage, origin)
                self._release(origin)

    # --- the events ---------------------------------------------------------------------------
    def _actions(self) -> list:
        """What each rate of ``_rates`` does, in the same order."""
        n = len(SEGMENTS)
        return [
            self._entrant, self._status_lost, self._aging, self._border,
            *(partial(self._departure, s) for s in range(n)),
            *(partial(self._arrest, s) for s in range(n)),
            self._court_detained, self._court_non_detained, self._appeal_non_detained,
            self._screened, partial(self._documented, SUMMARY), partial(self._documented, POST),
            self._appeal_detained, self._removal, self._removal, self._third_country,
            self._stuck_released,
        ]

    def _rates(self) -> list[float]:
        """The rate (events per day) of every possible next event, in ``_actions`` order."""
        k = self.k
        a = self.at_large
        n = self.in_stage
        rates = [k.entrants, k.status_lost, a[RECENT] * k.aging, k.border]
        # self-departure answers yesterday's interior arrests; paid departures spread evenly
        factor = max(0.0, 1.0 + k.response * (self.arrests_yesterday * k.per_reference - 1.0))
        population = sum(a)
        share = k.paid / population if population > 0 else 0.0
        for s in range(len(SEGMENTS)):
            rates.append(min(a[s] * (k.self_departure[s] * factor + share), 0.5 * a[s]))
        # arrests: jails plus officer effort, with yield falling as a segment is used up
        yields = [k.findability[s] * (a[s] / self.peak[s]) ** k.depletion
                  if self.peak[s] > 0 else 0.0 for s in range(len(SEGMENTS))]
        weights = [k.target[s] * yields[s] for s in range(len(SEGMENTS))]
        total_weight = sum(weights)
        for s in range(len(SEGMENTS)):
            at_large = (k.effort * weights[s] / total_weight * yields[s]
                        if total_weight > 0 else 0.0)
            rates.append(min(a[s] * k.custodial[s] + at_large, 0.05 * a[s]))
        # courts: the detained docket first, the rest of the capacity for the non-detained one
        detained = min(n[COURT] * k.court_rate, k.court_capacity)
        rates.append(detained)
        rates.append(min(a[PENDING] * k.docket_rate, max(k.court_capacity - detained, 0.0)))
        rates.append(self.appeals * k.appeal_rate)
        # custody
        rates.append(min(n[FEAR] * k.fear_rate, k.screening))
        rates.append(n[SUMMARY] * k.summary_rate)
        rates.append(n[POST] * k.document_rate)
        rates.append(n[APPEAL] * k.appeal_rate)
        ready = n[READY] * k.staging_rate
        rates.append(min(ready * (1.0 - k.land_share), k.seats))
        rates.append(min(ready * k.land_share, k.land))
        rates.append(min(k.third_country, n[STUCK]))
        rates.append(n[STUCK] * k.release_rate)
        return rates

    def _dynamics(self):
        actions = self._actions()
        while True:
            rates = self._rates()
            total = sum(rates)
            wait = self.rng.exponential(1.0 / total) if total > 0 else math.inf
            try:
                yield self.env.timeout(wait) if math.isfinite(wait) else self.env.event()
            except simpy.Interrupt:
                continue  # new day: new rates (the clocks are memoryless)
            self._advance_clock()
            r = self.rng.random() * total
            chosen = actions[max(i for i, rate in enumerate(rates) if rate > 0)]  # rounding
            for rate, action in zip(rates, actions, strict=True):
                r -= rate
                if r < 0:
                    chosen = action
                    break
            chosen()
            if self.hold_room:
                self._fill_beds()
            self.events += 1

    # inflows and departures
    def _entrant(self) -> None:
        if self.rng.random() < self.p["arrivals.notice_to_appear_share"]:
            self._grow(PENDING)
        else:
            self._grow(RECENT)

    def _status_lost(self) -> None:
        self._grow(STATUS)

    def _grow(self, segment: int) -> None:
        self.at_large[segment] += 1
        self.peak[segment] = max(self.peak[segment], self.at_large[segment])

    def _aging(self) -> None:
        self.at_large[RECENT] -= 1
        self._grow(LONG)

    def _departure(self, segment: int) -> None:
        self.at_large[segment] -= 1

    # arrests and admission
    def _pathway(self, origin: int) -> int | None:
        """The custody stage an arrested person needs a bed for, or None if not held."""
        p = self.p
        if origin == FINAL:
            return POST
        er = p["pathways.expedited_removal"]
        reinstate = p["pathways.reinstatement_share"]
        mandatory = p["pathways.mandatory_detention"] > 0.5
        if origin == BORDER:
            summary = p["pathways.border_summary_share"]
            held = 1.0 if mandatory else p["pathways.border_detained_court_share"]
        else:
            summary = {
                RECENT: er + (1.0 - er) * reinstate,
                STATUS: (er * p["pathways.status_lost_expedited_share"]
                         + (1.0 - er * p["pathways.status_lost_expedited_share"]) * reinstate),
            }.get(origin, reinstate)
            held = 1.0 if mandatory else p["pathways.detained_court_share"]
        u = self.rng.random()
        fear = p["pathways.fear_claim_share"]
        if u < summary * (1.0 - fear):
            return SUMMARY
        if u < summary:
            return FEAR
        if u < summary + (1.0 - summary) * held:
            return COURT
        return None

    def _arrest(self, segment: int) -> None:
        self.at_large[segment] -= 1
        stage = self._pathway(segment)
        if stage is None:  # not held: counted, and back at large
            self._count_arrest(segment)
            self._release(segment)
        else:
            self._wait_for_bed(stage, segment)

    def _border(self) -> None:
        stage = self._pathway(BORDER)
        if stage is None:
            self._to_at_large(PENDING)  # CBP cannot hold people: released to the docket
        else:
            self._wait_for_bed(stage, BORDER)

    def _count_arrest(self, origin: int) -> None:
        if origin != BORDER:
            self.arrests_today += 1
            if self.recording:
                self.arrests_total += 1

    def _wait_for_bed(self, stage: int, origin: int) -> None:
        """Hold the person until a bed frees up today; the best use of a bed goes first."""
        self.hold_room.append((stage, origin))
        self._fill_beds()

    def _fill_beds(self) -> None:
        while self.hold_room and self.occupancy + 1 <= self.p["detention.beds"] + 1e-9:
            scores = self._scores()
            best = max(range(len(self.hold_room)), key=lambda i: scores[self.hold_room[i][0]])
            stage, origin = self.hold_room.pop(best)
            self._count_arrest(origin)
            self._admit(stage, origin)

    def _flush_hold_room(self) -> None:
        """At midnight, whoever found no bed is released, or (policy "stop") never arrested."""
        stop = self.p["detention.when_full"] > 0.5
        for _stage, origin in self.hold_room:
            if origin == BORDER:
                self._to_at_large(PENDING)
            elif stop:
                self.at_large[origin] += 1
            else:
                self._count_arrest(origin)
                self._release(origin)
        self.hold_room.clear()

    def _scores(self) -> dict[int, float]:
        """Expected removals per bed-day of a case entering each stage (the bed priority)."""
        p = self.p
        kept = 1.0 - p["detention.recalcitrant_share"]
        staging = p["removal.staging_days"]
        documents = p["detention.travel_document_days"]
        court_days = (p["courts.detained_case_days"]
                      + p["courts.appeal_share"] * p["courts.appeal_days"] + documents)
        court_yield = p["courts.removal_order_share_detained"] * kept
        positive = p["pathways.fear_positive_rate"]
        screening = p["pathways.asylum_officers"] * p["pathways.screenings_per_officer_day"]
        queue = self.in_stage[FEAR] / max(screening, 1e-9)
        return {
            SUMMARY: kept / (p["detention.summary_days"] + staging),
            POST: kept / (documents + staging),
            COURT: court_yield / (court_days + staging),
            FEAR: ((1.0 - positive) * kept + positive * court_yield) / (
                p["pathways.fear_screening_days"] + queue
                + (1.0 - positive) * (p["detention.summary_days"] + staging)
                + positive * (court_days + staging)),
        }

    def _admit(self, stage: int, origin: int) -> None:
        self._enter(stage, origin)
        if stage == FEAR:  # past the longest wait, fear claimants are paroled to the docket
            p = self.p
            limit = (p["pathways.asylum_officers"] * p["pathways.screenings_per_officer_day"]
                     * p["pathways.fear_max_wait_days"])
            while self.in_stage[FEAR] > limit + 1e-9:
                o = self._pick(FEAR)
                self._leave(FEAR, o)
                self._to_at_large(PENDING)

    # custody stages
    def _screened(self) -> None:
        p = self.p
        o = self._pick(FEAR)
        self._leave(FEAR, o)
        if self.rng.random() >= p["pathways.fear_positive_rate"]:
            self._enter(SUMMARY, o)
            return
        held = (1.0 if p["pathways.mandatory_detention"] > 0.5 else
                p["pathways.border_detained_court_share"] if o == BORDER else
                p["pathways.detained_court_share"])
        if self.rng.random() < held:
            self._enter(COURT, o)
        else:
            self._to_at_large(PENDING)

    def _documented(self, stage: int) -> None:
        o = self._pick(stage)
        self._leave(stage, o)
        stuck = self.rng.random() < self.p["detention.recalcitrant_share"]
        self._enter(STUCK if stuck else READY, o)

    def _court_detained(self) -> None:
        p = self.p
        o = self._pick(COURT)
        self._leave(COURT, o)
        order = p["courts.removal_order_share_detained"]
        u = self.rng.random()
        if u < order:
            self._enter(APPEAL if self.rng.random() < p["courts.appeal_share"] else POST, o)
        # otherwise voluntary departure, relief or termination: out of the pipeline

    def _court_non_detained(self) -> None:
        p = self.p
        order = p["courts.removal_order_share_non_detained"]
        absentia = min(p["courts.in_absentia_share"], order)
        self.at_large[PENDING] -= 1
        u = self.rng.random()
        if u < absentia:
            self._to_at_large(FINAL)
        elif u < order:
            if self.rng.random() < p["courts.appeal_share"]:
                self.appeals += 1
            else:
                self._to_at_large(FINAL)
        # otherwise voluntary departure, relief or termination

    def _appeal_non_detained(self) -> None:
        self.appeals -= 1
        self._to_at_large(FINAL)

    def _appeal_detained(self) -> None:
        o = self._pick(APPEAL)
        self._leave(APPEAL, o)
        self._enter(POST, o)

    def _removal(self) -> None:
        o = self._pick(READY)
        self._leave(READY, o)
        self._removed(o)

    def _third_country(self) -> None:
        o = self._pick(STUCK)
        self._leave(STUCK, o)
        self._removed(o)

    def _stuck_released(self) -> None:
        o = self._pick(STUCK)
        self._leave(STUCK, o)
        self._release(FINAL)

    def run(self) -> ReplicaRun:
        """Simulate the warm-up and the horizon."""
        started = time.perf_counter()
        self.env.run(until=WARMUP_DAYS + self.days)
        self._advance_clock()
        days = np.bincount(self.inputs.fy_index, minlength=len(self.inputs.fiscal_years))
        return ReplicaRun(
            scale=self.scale,
            removals=float(sum(self.removals_by_year)),
            arrests=float(self.arrests_total),
            detained_mean=float(sum(self.detained_area) / self.days),
            removals_by_year=list(self.removals_by_year),
            detained_by_year=[a / d for a, d in zip(self.detained_area, days, strict=True)],
            events=self.events,
            seconds=time.perf_counter() - started,
        )


def replicate(
    scenario: str | Scenario, *, years: float | None = None, scale: float = SCALE, seed: int = 0,
) -> ReplicaRun:
    """One run of the replica of a scenario at ``scale`` of the country."""
    resolved = resolve(scenario, years)
    return Replica(resolved, build_inputs(resolved), scale, seed).run()


@dataclass
class CrossCheck:
    """The replica's mean over several runs against the fluid engine, in full-size units."""

    scenario: str
    years: float
    scale: float
    replications: int
    fluid_removals: float
    replica_removals: float
    replica_removals_se: float
    fluid_detained: float
    replica_detained: float
    replica_detained_se: float
    fluid_seconds: float
    replica_seconds: float

    @property
    def removals_error(self) -> float:
        """Relative difference of the replica's mean removals from the engine's."""
        return self.replica_removals / self.fluid_removals - 1.0

    @property
    def detained_error(self) -> float:
        """Relative difference of the replica's mean detained population from the engine's."""
        return self.replica_detained / self.fluid_detained - 1.0

    @property
    def speed_ratio(self) -> float:
        """How many times slower one replica run is than one engine run (``removalsim.run``)."""
        return self.replica_seconds / self.fluid_seconds


def cross_check(
    scenario: str, *, years: float | None = None, scale: float = SCALE, replications: int = 8,
    seed: int = 0,
) -> CrossCheck:
    """Run the engine once and the replica ``replications`` times, and compare their means.

    The engine's detained population is its average of end-of-day stocks over the horizon; the
    replica's is the exact time average.
    """
    from removalsim.model import run
    from removalsim.results import _K

    resolved = resolve(scenario, years)
    inputs = build_inputs(resolved)
    timings = []
    for _ in range(4):  # the first call may compile; keep the best of the others
        started = time.perf_counter()
        result = run(resolved, marginal=False)
        timings.append(time.perf_counter() - started)
    fluid_seconds = min(timings[1:])
    fluid_removals = result.headline["removals_total"]
    fluid_detained = float(result.daily_record[:, _K["detained"]].mean())
    runs = [Replica(resolved, inputs, scale, seed + i).run() for i in range(replications)]
    removals = np.array([r.removals for r in runs]) / scale
    detained = np.array([r.detained_mean for r in runs]) / scale
    se = math.sqrt(replications) if replications > 1 else math.inf
    return CrossCheck(
        scenario=resolved.name, years=resolved.years, scale=scale, replications=replications,
        fluid_removals=fluid_removals, replica_removals=float(removals.mean()),
        replica_removals_se=float(removals.std(ddof=1) / se) if replications > 1 else math.nan,
        fluid_detained=fluid_detained, replica_detained=float(detained.mean()),
        replica_detained_se=float(detained.std(ddof=1) / se) if replications > 1 else math.nan,
        fluid_seconds=fluid_seconds,
        replica_seconds=float(np.mean([r.seconds for r in runs])),
    )
