"""An independent discrete-event replica of the v2 pipeline, to check the fluid engine.

Not modelled: the engine's transport hold (``engine.hold_for_transport`` and the custody review of
``engine.review_custody``: ICE holding people for removal only as far as their transport can take
them soon); cross-checks switch it off in both.

The engine moves fractions of people once a day. The replica moves whole people in a small copy of
the country: every input that counts people or capacity (by its unit in the parameter tree) is
multiplied by ``scale`` (1/50 by default); shares, durations and per-person rates stay as they
are, and the search rate per findable person is divided by ``scale`` so that an officer finds the
same number of people a day in the smaller country. It reads the same inputs as the engine
(``model.resolve``, ``inputs.build_inputs``, ``engine.INPUTS``) and shares only the start
partition with it; the dynamics are written from the stage docstrings, not from the engine's code.

How the stages become events (on SimPy):

- **At large** the population is whole people in the cells of the partition (entry cohort, with
  the under-2-years cohort by month of entry; status; nationality group). Each day, entries,
  re-entries, status ends, CBP apprehensions, interior arrests and court receipts are Poisson
  numbers at the rates the model states; ageing into the long-term cohort, self-departure and
  deaths are binomial draws. The 2-year cohort ages on a fixed monthly clock.
- **Arrested people** (and CBP transfers) arrive at random moments of the day and wait in a
  holding room; once a day the free beds go class by class, the fastest removals first, at random
  within a class. Those without a bed are released (or, when policy says so, not arrested).
- **In custody** every person is a SimPy process. Stages with a rate in the engine take an
  exponential time with the same mean (summary processing, detained case preparation, travel
  documents, staging for transport); fixed clocks are fixed (the 180-day release of people no
  country will take back). Capacities (fear screenings, judges, the appeals board, charter and
  commercial seats, land crossings, third-country removals) are FIFO servers that serve one
  person (or one unit of judge time) every ``1 / capacity`` days; judges and the board take
  detained cases first.
- **The non-detained docket** is a count per cell, not a queue: judges decide a random case from
  it (the rocket docket's share from the recent cohort), each outcome taking its own judge time.
  Cases of people who left stay pending until a judge closes them in absentia.
- **Leaving custody**, people return to their own cohort and month of entry (the engine, which no
  longer knows them, uses a fixed cohort).

The detained population is the exact time average of people in ICE beds.

>>> from removalsim.replica import replicate
>>> run = replicate("fy2019", years=0.25, seed=1)
>>> run.removals > 0 and run.detained_mean > 0
True
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import simpy

from removalsim.engine import INPUTS, partition
from removalsim.inputs import Inputs, build_inputs
from removalsim.model import resolve
from removalsim.params import default_tree
from removalsim.scenario import Scenario
from removalsim.vocabulary import COHORTS, GROUPS, REMOVABLE_STATUSES, STATUSES

SCALE = 1 / 50
"""Default size of the replica relative to the country (see the README's cross-check table). Whole
people in small facilities cost the replica removals: over three years of millions-2019, 3.0% at
1/100, 2.7% at 1/50 and 1.8% at 1/25 (docs/validation.md)."""
NO_TRANSPORT_HOLD = {"detention.transport_wait_days": 3650}
"""The replica does not model the engine's transport hold (``hold_for_transport``,
``review_custody``): cross-checks switch it off in both, so they compare everything else."""
WARMUP_DAYS = 365
"""Days run first at start-date values, so detention starts full; then the population at large
is restored to the start partition (as the engine does)."""
EXTENSIVE_UNITS = frozenset({
    "people", "people per year", "people per day", "cases", "cases per year", "officers",
    "judges", "beds", "beds per day", "appeals per year", "flights per day", "arrests per day",
})
"""Units of inputs that count people or capacity: multiplied by the scale."""
PER_PERSON_UNITS = frozenset({"per officer-day per person"})
"""Units of rates per person of the population: divided by the scale."""
WORKING_SHARE = 260 / 365
"""Share of days an officer works (the engine's officer-day convention, not a parameter)."""
BIA_DETAINED_DAYS = 30.0
BIA_NON_DETAINED_DAYS = 180.0
"""Mean days an appeal waits before the Board can decide it (engine constants, not parameters)."""
SETTLED_DAYS = 8 * 365.25
"""Mean days in the 2-10 year cohort before joining the long-term cohort."""
MONTHS_RECENT = 24
DAYS_PER_MONTH = 365.25 / 12

N_COHORT, N_STATUS, N_GROUP = len(COHORTS), len(STATUSES), len(GROUPS)
RECENT, SETTLED, LONG = (COHORTS.index(c) for c in ("recent", "settled", "long_term"))
NO_CONTACT, DOCKET, FINAL, PRIOR, ENDED, CLOSED, PROTECTED = (STATUSES.index(s) for s in (
    "no_contact", "docket", "final_order", "prior_removal", "status_ended", "case_closed",
    "protected"))
NO_CASE = (NO_CONTACT, ENDED, CLOSED)
"""Statuses with no case open: a Notice to Appear puts these people on the docket."""
MEXICO, TRIANGLE, COOPERATIVE, RECALCITRANT = (GROUPS.index(g) for g in (
    "mexico", "northern_triangle", "cooperative", "recalcitrant"))
N_REMOVABLE = len(REMOVABLE_STATUSES)
BORDER = -1
"""Origin of people CBP arrested at the border (others carry their status at arrest)."""
# bed classes, the fastest removals first: summary cases and fear claims, final orders,
# stipulated and voluntary-departure cases, mandatory court cases, discretionary court cases
SUMMARY, FINAL_ORDER, QUICK_ORDER, MANDATORY_COURT, DISCRETIONARY, PROCESSING = range(6)


def scaled_series(inputs: Inputs, scale: float) -> np.ndarray:
    """The inputs of every day, clipped to their valid range, in the replica's small country."""
    tree = default_tree()
    factor = np.array([scale if tree[n].unit in EXTENSIVE_UNITS
                       else 1.0 / scale if tree[n].unit in PER_PERSON_UNITS else 1.0
                       for n in INPUTS])
    return np.clip(inputs.series, inputs.lo, inputs.hi) * factor


class Day(dict):
    """One day's inputs, read by name: ``day["courts.judges"]``."""

    def __init__(self, row: np.ndarray) -> None:
        super().__init__(zip(INPUTS, row.tolist(), strict=True))


@dataclass(eq=False)
class Person:
    """Someone in custody: nationality group, origin (status at arrest or ``BORDER``), cohort."""

    group: int
    origin: int
    cohort: int = RECENT
    bed_class: int = SUMMARY
    ticket: int = 0
    """Bumped when the person leaves a queue early (released), so servers skip stale entries."""
    entry: int = 0
    """Month of entry, counted on the replica's month clock (recent cohort and border only)."""
    kind: Callable | None = None
    """What custody holds for the person once a bed is found."""
    in_bed: bool = False
    rebooked: bool = False
    """Already in custody, wanting a bed again (a court case after a positive fear finding)."""
    bond_clock: bool = False
    """The bond clock runs (once per detention: a remand does not restart it)."""


class Server:
    """A FIFO queue in front of a capacity: one unit of work every ``1 / capacity`` days.

    ``queues`` are served in priority order; ``accepts`` keeps people a server cannot take (a
    commercial seat is for some groups only) in the queue for another server; ``fallback`` gives
    work when every queue is empty (the judges' non-detained docket).
    """

    def __init__(self, replica: Replica, capacity: Callable[[], float],
                 queues: list[deque], done: Callable[[Person], float],
                 accepts: Callable[[Person], bool] = lambda p: True,
                 fallback: Callable[[float], float | None] | None = None) -> None:
        """``done`` finishes a person's turn and returns the units of capacity it took."""
        self.replica = replica
        self.capacity = capacity
        self.queues = queues
        self.done = done
        self.accepts = accepts
        self.fallback = fallback
        self.wake = replica.env.event()
        replica.env.process(self._serve())

    def notify(self) -> None:
        """Someone joined a queue: wake the server if it is idle."""
        if not self.wake.triggered:
            self.wake.succeed()

    def _next(self) -> Person | None:
        for queue in self.queues:
            for i, (person, ticket) in enumerate(queue):
                if person.ticket != ticket:
                    continue
                if self.accepts(person):
                    del queue[i]
                    return person
            while queue and queue[0][0].ticket != queue[0][1]:
                queue.popleft()  # drop stale entries at the head
        return None

    def _serve(self) -> Iterator[simpy.Event]:
        env = self.replica.env
        while True:
            rate = self.capacity()
            work = None
            if rate > 0:
                person = self._next()
                if person is not None:
                    work = self.done(person)
                elif self.fallback is not None:
                    work = self.fallback(rate)
            if work is None:  # idle until someone arrives or the capacity may change (midnight)
                self.wake = env.event()
                yield self.wake | env.timeout(max(self.replica.today + 1.0 - env.now, 1e-9))
                continue
            yield env.timeout(work / rate)


@dataclass
class ReplicaRun:
    """One run of the replica, in the replica's own (scaled) units.

    Attributes
    ----------
    removals
        Removals over the horizon (whole people).
    removals_by_year, detained_by_year
        Per fiscal year: removals, and the time-averaged detained population.
    detained_mean
        Time-averaged population in ICE beds over the horizon.
    detained_end_of_day
        The same population counted once a day, after the day's departures and before the day's
        bed round (where the engine counts its stocks).
    arrests
        Interior arrests made over the horizon.
    events
        People moved from one state to another (warm-up included).
    """

    scale: float
    removals: float = 0.0
    arrests: float = 0.0
    detained_mean: float = 0.0
    detained_end_of_day: float = 0.0
    removals_by_year: list[float] = field(default_factory=list)
    detained_by_year: list[float] = field(default_factory=list)
    events: int = 0
    seconds: float = 0.0


class Replica:
    """The pipeline as whole people moving through it at random times."""

    def __init__(self, scenario: Scenario, inputs: Inputs, scale: float, seed: int) -> None:
        self.scenario = scenario
        self.inputs = inputs
        self.scale = scale
        self.series = scaled_series(inputs, scale)
        self.rng = np.random.default_rng(seed)
        self.env = simpy.Environment()
        self.p = Day(self.series[0])
        self.recent, self.older = self._start_partition()
        self.start = (self.recent.copy(), self.older.copy())
        self.peak = self.cells().astype(float)
        self.holding: list[Person] = []
        self.atd = 0
        self.beds = self._bed_target()
        self.occupancy = 0
        self.fear_waiting: list[Person] = []
        self.court_cases: dict[Person, None] = {}  # in insertion order, so runs repeat
        self.processing: dict[Person, None] = {}  # held until a release on processing
        self.appeals_epoch = 0
        self.intensity = 1.0
        self.months = 0
        self.ledger = 0
        """Pending court cases of people who left or died (closed in absentia by judges)."""
        self.border_occupancy = 0
        self.today = 0
        self.arrests_today = 0
        self.removed_today = 0
        self.removed_yesterday = 0
        self.recording = False
        self.fy = 0
        self.last_change = 0.0
        self.removals_by_year = [0] * len(inputs.fiscal_years)
        self.detained_area = [0.0] * len(inputs.fiscal_years)
        self.arrests_total = 0
        self.end_of_day = 0
        self.events = 0
        self._servers()
        self.env.process(self._calendar())

    # --- the start partition, in whole people ---------------------------------------------------
    def _start_partition(self) -> tuple[np.ndarray, np.ndarray]:
        pop = np.zeros((N_COHORT, N_STATUS, N_GROUP))
        partition(self.series[0], pop, np.zeros(MONTHS_RECENT + 1))  # scaled: the small country
        recent = np.repeat(pop[RECENT][None] / MONTHS_RECENT, MONTHS_RECENT, axis=0)
        return self._whole(recent), self._whole(pop[RECENT + 1:])

    def _whole(self, x: np.ndarray) -> np.ndarray:
        """Round to whole people at random, keeping the mean."""
        low = np.floor(x)
        return (low + (self.rng.random(x.shape) < x - low)).astype(np.int64)

    def cells(self) -> np.ndarray:
        """People at large by cohort, status and group."""
        return np.concatenate([self.recent.sum(axis=0)[None], self.older])

    def _cell(self, c: int) -> np.ndarray:
        return self.recent if c == RECENT else self.older[c - 1]

    def _take(self, c: int, s: int, g: int, n: int) -> np.ndarray:
        """Take n people at random from a cell; returns how many came from each month (recent)."""
        if c != RECENT:
            self.older[c - 1, s, g] -= n
            return np.array([n])
        if n == 1:  # one person: a month in proportion to its people
            months = np.zeros(MONTHS_RECENT, dtype=np.int64)
            months[self._pick_cell(self.recent[:, s, g])[0]] = 1
        else:
            months = self.rng.multivariate_hypergeometric(self.recent[:, s, g], n)
        self.recent[:, s, g] -= months
        return months

    def _put(self, c: int, s: int, g: int, n: int = 1) -> None:
        """Add people to a cell (the newest month when the cohort is recent)."""
        if c == RECENT:
            self.recent[0, s, g] += n
        else:
            self.older[c - 1, s, g] += n
        self.events += n

    def _move(self, c: int, s: int, g: int, n: int, to: int) -> None:
        """Move n random people of a cell to another status, each keeping the month of entry."""
        if n <= 0:
            return
        if c == RECENT:
            months = self._take(c, s, g, n)
            self.recent[:, to, g] += months
        else:
            self.older[c - 1, s, g] -= n
            self.older[c - 1, to, g] += n
        self.events += n

    def _pick_cell(self, pop: np.ndarray) -> tuple[int, ...]:
        """One cell at random in proportion to its people."""
        cumulative = pop.ravel().cumsum()
        i = int(cumulative.searchsorted(self.rng.random() * cumulative[-1], side="right"))
        return np.unravel_index(min(i, cumulative.size - 1), pop.shape)

    # --- detention bookkeeping ------------------------------------------------------------------
    def _clock(self) -> None:
        """Add the detained population's time integral since the last change."""
        now = self.env.now
        if self.recording:
            self.detained_area[self.fy] += self.occupancy * (now - self.last_change)
        self.last_change = now

    def _bed(self, person: Person, taken: bool) -> None:
        if person.in_bed == taken:
            return
        self._clock()
        person.in_bed = taken
        self.occupancy += 1 if taken else -1
        if person.origin == BORDER:
            self.border_occupancy += 1 if taken else -1

    def _release(self, person: Person, status: int = DOCKET) -> None:
        """Out of custody, at large again (on the docket unless told; with a reinstated order,
        never a docket case), ATD for some."""
        self._bed(person, False)
        person.ticket += 1
        self._back(person, PRIOR if person.origin == PRIOR else status)
        self.atd += int(self.rng.random() < self.p["detention.atd_share"])

    def _exit(self, person: Person) -> None:
        """Leaves the unauthorized population from custody (relief granted)."""
        self._bed(person, False)
        person.ticket += 1
        self.events += 1

    def _removed(self, person: Person) -> float:
        self._bed(person, False)
        person.ticket += 1
        self.removed_today += 1
        self.events += 1
        if self.recording:
            self.removals_by_year[self.fy] += 1
        return 1.0

    # --- the calendar ---------------------------------------------------------------------------
    def _calendar(self) -> Iterator[simpy.Event]:
        month_clock = 0.0
        days = len(self.series)
        for step in range(WARMUP_DAYS + days):
            self.today = step
            t = step - WARMUP_DAYS
            if t == 0:  # warmed up: the start partition again, and start counting
                self.recent, self.older = (a.copy() for a in self.start)
                self.ledger = 0
                self.peak = self.cells().astype(float)
                self.appeals_epoch += 1  # non-detained appeals start empty, as in the engine
                self._clock()
                self.recording = True
            if t >= 0:
                self._clock()
                self.fy = int(self.inputs.fy_index[t])
                self.p = Day(self.series[t])
            month_clock += 1.0
            if month_clock >= DAYS_PER_MONTH:
                month_clock -= DAYS_PER_MONTH
                self._age_month()
            aged = self.rng.binomial(self.older[0], 1.0 / SETTLED_DAYS)
            self.older[0] -= aged
            self.older[1] += aged
            self.events += int(aged.sum())
            self._usable_beds()
            self._inflows()
            self._border()
            pop = self.cells()
            self.peak = np.maximum(self.peak, pop)
            self._arrests(pop)
            yield self.env.timeout(step + 1.0 - 1e-6 - self.env.now)
            if self.recording:
                self.end_of_day += self.occupancy
            self._admit()
            self._other_receipts()
            self._depart()
            self.intensity = self.arrests_today / max(
                self.p["departures.reference_arrests_per_day"], 1e-12)
            self.arrests_today = 0
            self.removed_yesterday, self.removed_today = self.removed_today, 0
            self.atd -= int(self.rng.binomial(self.atd, 1.0 / self.p["detention.atd_days"]))
            yield self.env.timeout(step + 1.0 - self.env.now)
        self._clock()
        self.recording = False

    def _age_month(self) -> None:
        self.months += 1
        self.older[0] += self.recent[-1]
        self.events += int(self.recent[-1].sum())
        self.recent[1:] = self.recent[:-1].copy()
        self.recent[0] = 0

    def _bed_target(self) -> float:
        """Beds in use: funded beds, people held per funded bed, the pandemic share in use."""
        return (self.p["detention.beds"] * self.p["detention.usable_share"]
                * self.p["detention.pandemic_capacity_share"])

    def _usable_beds(self) -> None:
        """Usable beds follow the funded level; new beds arrive at the build rate."""
        target = self._bed_target()
        if target > self.beds:
            self.beds = min(target, self.beds + self.p["detention.build_beds_per_day"])
        else:
            self.beds = target

    # --- inflows and departures -----------------------------------------------------------------
    def _mix(self) -> np.ndarray:
        p = self.p
        mix = np.array([p["border.mexico_share"], p["border.northern_triangle_share"], 0.0,
                        p["border.recalcitrant_share"]])
        mix[COOPERATIVE] = max(1.0 - mix.sum(), 0.0)
        return mix / mix.sum()

    def _inflows(self) -> None:
        p = self.p
        mix = self._mix()
        entries = self.rng.multinomial(self.rng.poisson(p["arrivals.entries_per_year"] / 365), mix)
        back = self.rng.binomial(self.removed_yesterday, p["arrivals.reentry_share"])
        reentries = self.rng.multinomial(back, mix)
        for g in range(N_GROUP):
            self._put(RECENT, NO_CONTACT, g, int(entries[g]))
            self._put(RECENT, PRIOR, g, int(reentries[g]))
        ending = self.rng.poisson(p["arrivals.status_terminations_per_year"] / 365)
        for _ in range(ending):
            pop = self.cells()[:, PROTECTED, :]
            if pop.sum() == 0:
                break
            c, g = self._pick_cell(pop)
            self._move(c, PROTECTED, g, 1, ENDED)

    def _other_receipts(self) -> None:
        """Court cases opened by USCIS referrals and recalendaring, for people with no case."""
        n = self.rng.poisson(self.p["courts.other_receipts_per_year"] / 365)
        for _ in range(n):
            pop = self.cells()[:, NO_CASE, :]
            if pop.sum() == 0:
                return
            c, s, g = self._pick_cell(pop)
            self._move(c, NO_CASE[s], g, 1, DOCKET)

    def _depart(self) -> None:
        """Self-departure (raised by yesterday's enforcement), paid departure and deaths."""
        p = self.p
        factor = max(0.0, 1.0 + p["departures.enforcement_response"] * (self.intensity - 1.0))
        population = self.cells().sum()
        paid = p["departures.paid_per_year"] / 365 / population if population else 0.0
        mortality = p["population.mortality_per_year"] / 365
        for c in range(N_COHORT):
            base = p[f"departures.self_departure_rate.{COHORTS[c]}"] / 365 * factor
            rate = np.full(N_STATUS, base + paid)
            rate[PROTECTED] = base
            share = np.minimum(rate + mortality, 0.5)[:, None]
            cell = self._cell(c)
            gone = self.rng.binomial(cell, np.broadcast_to(share, cell.shape))
            cell -= gone
            self.ledger += int(gone[..., DOCKET, :].sum())  # their cases stay pending
            self.events += int(gone.sum())

    # --- the border: CBP custody ----------------------------------------------------------------
    def _border(self) -> None:
        """Expulsions, returns and removals from CBP custody; transfers to ICE; releases."""
        p = self.p
        arrived = self.rng.poisson(p["border.apprehensions_per_day"])
        by_group = self.rng.multinomial(arrived, self._mix())
        # Title 42: Mexico took back its own nationals, then Northern Triangle ones; others flew
        left = self.rng.binomial(arrived, p["border.title42_share"])
        for g in (MEXICO, TRIANGLE, COOPERATIVE, RECALCITRANT):
            out = min(left, int(by_group[g]))
            by_group[g] -= out
            left -= out
        for g in range(N_GROUP):
            n = int(by_group[g])
            transfer = self.rng.binomial(n, p["border.transfer_share"])  # booked into ICE
            n -= transfer
            # booked in to be released on recognizance or parole, to the docket
            processed = self.rng.binomial(transfer, p["border.transfer_release_share"])
            transfer -= processed
            paroled = self.rng.binomial(processed, p["border.transfer_parole_share"])
            for i in range(processed):  # held in the beds left, if any, until the release
                person = Person(g, BORDER, entry=self.months, bed_class=PROCESSING)
                self.env.process(self._arrive(person, self._parole if i < paroled
                                              else self._recognizance))
            if g == MEXICO:
                n -= self.rng.binomial(n, p["border.return_share"])  # returned by CBP
                summary_share = p["border.mexico_cbp_custody_removal_share"]
            else:
                summary_share = p["border.cbp_custody_removal_share"]
            accepting = p["removal.recalcitrant_accepting_share"] if g == RECALCITRANT else 1.0
            # no removal where the country takes none; where policy cut CBP's releases, those
            # it no longer releases are removed from its custody
            summary_share *= accepting
            summary_share += ((1.0 - summary_share) * (1.0 - p["border.release_factor"])
                              * accepting)
            summary = self.rng.binomial(n, summary_share)
            # ICE flies home those Border Patrol holds; CBP removes a share of the Mexicans by land
            by_ice = (self.rng.binomial(summary, p["border.ice_executed_share"]) if g == MEXICO
                      else summary)
            to_court = self.rng.binomial(transfer, 1.0 - p["border.transfer_summary_share"])
            released = n - summary
            nta = self.rng.binomial(released, p["border.release_nta_share"])
            filed = self.rng.binomial(nta, 1.0 - p["border.nta_never_filed_share"])
            # released without an NTA; ICE serves one on some at its office later (an arrest,
            # not a book-in)
            served = self.rng.binomial(released - nta, p["border.release_ice_nta_share"])
            served_filed = self.rng.binomial(served, 1.0 - p["border.nta_never_filed_share"])
            self._put(RECENT, DOCKET, g, filed + served_filed)
            self._put(RECENT, NO_CONTACT, g, nta - filed + served - served_filed)
            self._put(RECENT, PROTECTED, g, released - nta - served)
            for _ in range(by_ice):  # removed by ICE from CBP custody: documents, then a seat
                self.env.process(self._documents(Person(g, BORDER, entry=self.months),
                                                 accepting=True))
            for i in range(transfer):
                kind = self._court if i < to_court else self._summary
                person = Person(g, BORDER, entry=self.months,
                                bed_class=DISCRETIONARY if i < to_court else SUMMARY)
                self.env.process(self._arrive(person, kind))

    # --- interior arrests and legal routes ------------------------------------------------------
    def _arrests(self, pop: np.ndarray) -> None:
        """Jail transfers first (within their share of officer time), then at large, check-ins."""
        p = self.p
        removable = pop[:, :N_REMOVABLE, :].astype(float)
        officer_days = p["arrests.officers"] * (1.0 - p["arrests.border_diversion"]) * WORKING_SHARE
        task_force_days = (p["arrests.task_force_officers"] * p["arrests.task_force_productivity"]
                           * WORKING_SHARE)
        jail = (p["arrests.jail_bookings_per_person_year"] * p["arrests.jail_admissions_index"]
                / 365 * p["arrests.detainer_share"] * p["arrests.jail_cooperation"])
        transfers = removable.sum() * jail
        per_custodial = p["arrests.officer_days_per_custodial"]
        custodial = min(transfers,
                        officer_days * p["arrests.jail_pickup_time_share"] / per_custodial)
        rate = removable * jail * (custodial / transfers if transfers > 0 else 0.0)
        effort = max(officer_days - custodial * per_custodial, 0.0) + task_force_days
        weight = np.array([p[f"arrests.target.{s}"] * p[f"arrests.findability.{s}"]
                           for s in REMOVABLE_STATUSES])
        peak = self.peak[:, :N_REMOVABLE, :]
        left = np.divide(removable, peak, out=np.zeros_like(removable), where=peak > 0)
        leads = weight[None, :, None] * removable * left ** p["arrests.depletion"]
        total = leads.sum()
        a, h = p["arrests.search_rate"], p["arrests.officer_days_per_at_large"]
        at_large = effort * a * total / (1.0 + a * h * total)
        if total > 0:
            rate += at_large * leads / total
        no_contact = removable[:, NO_CONTACT, :]
        if no_contact.sum() > 0:
            rate[:, NO_CONTACT, :] += (at_large * p["arrests.collateral_share"] * no_contact
                                       / no_contact.sum())
        check_in = min(p["arrests.check_in_per_day"], self.atd / 30 + self._hearings())
        reporting = removable[:, [DOCKET, FINAL], :]
        if reporting.sum() > 0:
            rate[:, [DOCKET, FINAL], :] += check_in * reporting / reporting.sum()
        rate = np.minimum(rate, 0.05 * removable)
        counts = np.minimum(self.rng.poisson(rate), pop[:, :N_REMOVABLE, :])
        for c, s, g in zip(*np.nonzero(counts), strict=True):
            months = self._take(c, s, g, int(counts[c, s, g]))
            for month, n in enumerate(months):
                for _ in range(int(n)):
                    self._route(Person(int(g), int(s), int(c), entry=self.months - month))

    def _route(self, person: Person) -> None:
        """The legal route the law allows for the person's cell; then a bed is wanted.

        Expedited removal reaches the recent cohort when the policy covers it: people who entered
        without inspection, parolees whose parole ended where the policy says so, and docket cases
        dismissed for it.
        """
        p = self.p
        s, c = person.origin, person.cohort
        kind: Callable
        fear = self.rng.random() < p["pathways.fear_claim_share"]
        if s == FINAL:
            person.bed_class = FINAL_ORDER
            kind = self._documents
        elif s == PRIOR:
            kind = self._fear if fear else self._summary
        else:
            covered = {DOCKET: "pathways.dismiss_for_expedited",
                       ENDED: "pathways.expedited_for_parolees"}.get(
                s, "pathways.entered_without_inspection_share")
            summary = p["pathways.expedited_removal"] > 0.5 and c == RECENT and (
                self.rng.random() < p[covered])
            u = self.rng.random()
            if summary:
                kind = self._fear if fear else self._summary
            elif s != DOCKET and u < p["pathways.stipulated_share"] + p[
                    "pathways.voluntary_departure_share"]:
                person.bed_class = QUICK_ORDER
                kind = self._documents
            else:
                kind = self._court
                mandatory = self.rng.random() < p["pathways.mandatory_detention_share"]
                person.bed_class = MANDATORY_COURT if mandatory else DISCRETIONARY
        self.env.process(self._arrive(person, kind))

    def _arrive(self, person: Person, kind: Callable) -> Iterator[simpy.Event]:
        """Arrested (or transferred) at a random moment of the day; wait for the bed round."""
        yield self.env.timeout(self.rng.random() * (self.today + 1.0 - 1e-6 - self.env.now))
        person.kind = kind
        self.holding.append(person)

    def _admit(self) -> None:
        """The day's bed round: class by class, the fastest removals first; the rest go free.

        A case of a class before the discretionary one that finds no bed takes the bed of a court
        case held at ICE's discretion, who is released to make room (population management).
        """
        while self.occupancy > self.beds and self._release_processing():
            pass  # whenever beds are needed, people to be released on recognizance go first
        if self.occupancy > self.beds:  # beds cut below the population: court cases released,
            cut = [q for q in self.court_cases if q.in_bed]  # discretionary ones first
            self.rng.shuffle(cut)
            cut.sort(key=lambda q: q.bed_class != DISCRETIONARY)
            for person in cut[: int(math.ceil(self.occupancy - self.beds))]:
                self._release_court_case(person)
        order = self.rng.permutation(len(self.holding))
        waiting = [self.holding[i] for i in order]
        self.holding = []
        # people CBP arrested may hold at most their share of beds (policy): the others are
        # released before the round, the fastest removals kept first (Mexican summary cases, other
        # summary cases, court cases), at random within each
        room = self.beds * self.p["detention.border_bed_share"] - self.border_occupancy
        border = sorted((q for q in waiting if q.origin == BORDER and not q.rebooked),
                        key=self._priority)
        wanting = sum(q.bed_class != PROCESSING for q in border)
        while wanting > math.floor(room + 1e-9) and self._release_processing():
            room += 1
        # border court cases held at discretion make room for border summary cases first
        fast = sum(q.bed_class < DISCRETIONARY for q in border)
        while fast > math.floor(room + 1e-9) and self._make_room(BORDER):
            room += 1
        for person in border[max(int(math.floor(room + 1e-9)), 0):]:
            waiting.remove(person)
            self._release(person)
        waiting.sort(key=self._priority)
        stop = self.p["detention.when_full"] > 0.5
        for person in waiting:
            arrest = person.origin != BORDER and not person.rebooked
            full = self.occupancy + 1 > self.beds + 1e-9
            # every class comes before people to be released on processing; those to be released
            # on recognizance give up their beds first, then court cases held at discretion make
            # room for the faster cases
            if full and person.bed_class != PROCESSING and not self._release_processing() and (
                    person.bed_class < DISCRETIONARY):
                self._make_room()
            if self.occupancy + 1 <= self.beds + 1e-9:
                self._bed(person, True)
                self.events += 1
                self.env.process(person.kind(person))
            elif not arrest:  # CBP cannot hold people; nor can ICE: released to the docket
                self._release(person)
                continue
            elif stop:  # the arrest is not made
                self._back(person, person.origin)
                continue
            else:  # released where they are; a Notice to Appear for people with no case
                self._back(person, DOCKET if person.origin in NO_CASE else person.origin)
                self.atd += int(self.rng.random() < self.p["detention.atd_share"])
            if arrest:
                self.arrests_today += 1
                if self.recording:
                    self.arrests_total += 1

    def _priority(self, person: Person) -> int:
        """Rank for a bed, the fastest removals first (as the engine's ``bed_classes``): summary
        cases of Mexicans (by land), other summary cases, final orders, stipulated and
        voluntary-departure cases, fear claims, court cases (mandatory, then discretionary), and
        last CBP transfers to be released on processing."""
        if person.bed_class == SUMMARY:
            if person.kind == self._fear:
                return 4
            return 0 if person.group == MEXICO else 1
        return {FINAL_ORDER: 2, QUICK_ORDER: 3, MANDATORY_COURT: 5, PROCESSING: 7}.get(
            person.bed_class, 6)

    def _release_processing(self) -> bool:
        """Release one of the people held until a release on recognizance, chosen at random;
        False if there is none. Those held for a fear screening before a parole stay (the law
        allows no parole for want of space before the screening)."""
        held = [q for q in self.processing if q.kind != self._parole]
        if not held:
            return False
        self._freed(held[self.rng.integers(len(held))])
        return True

    def _freed(self, person: Person) -> None:
        """Released on processing (recognizance or parole) to the docket."""
        self.processing.pop(person, None)
        self._release(person)

    def _make_room(self, origin: int | None = None) -> bool:
        """Release one court case held at ICE's discretion (of ``origin``, if given), chosen at
        random; False if there is none."""
        held = [q for q in self.court_cases if q.in_bed and q.bed_class == DISCRETIONARY
                and origin in (None, q.origin)]
        if held:
            self._release_court_case(held[self.rng.integers(len(held))])
        return bool(held)

    def _release_court_case(self, person: Person) -> None:
        """Out of detention to the docket, the case going on."""
        self.court_cases.pop(person, None)
        self._release(person)

    def _back(self, person: Person, status: int) -> None:
        """At large in the person's own cohort (and month of entry), with a status."""
        cohort = person.cohort
        if cohort == RECENT:
            month = self.months - person.entry
            if month < MONTHS_RECENT:
                self.recent[month, status, person.group] += 1
                self.events += 1
                return
            cohort = SETTLED  # two years have passed since entry
        self._put(cohort, status, person.group)

    # --- custody: one process per person --------------------------------------------------------
    def _exponential(self, mean: float) -> simpy.Event:
        return self.env.timeout(self.rng.exponential(mean))

    def _summary(self, person: Person) -> Iterator[simpy.Event]:
        """Expedited removal or reinstatement: processing, then travel documents."""
        yield self._exponential(self.p["detention.mexico_summary_days"] if person.group == MEXICO
                                else self.p["detention.summary_days"])
        yield from self._documents(person)

    def _recognizance(self, person: Person) -> Iterator[simpy.Event]:
        """A CBP transfer booked in to be released on recognizance: held, then freed."""
        yield from self._until_release(person, self.p["detention.recognizance_days"])

    def _parole(self, person: Person) -> Iterator[simpy.Event]:
        """A CBP transfer booked in to be paroled after a fear screening: held, then freed."""
        yield from self._until_release(person, self.p["detention.parole_days"])

    def _until_release(self, person: Person, days: float) -> Iterator[simpy.Event]:
        self.processing[person] = None
        yield self._exponential(days)
        if person in self.processing:  # unless released early to make room
            self._freed(person)

    def _fear(self, person: Person) -> Iterator[simpy.Event]:
        """A fear claim waits for a screening; past the longest wait the claimant is released."""
        yield self._exponential(self.p["pathways.fear_screening_days"])
        if person.in_bed:
            self._enqueue(self.screening, self.screening_queue, person)

    def _court(self, person: Person) -> Iterator[simpy.Event]:
        """A detained court case: preparation, then a hearing in turn."""
        self.court_cases[person] = None
        if person.bed_class == DISCRETIONARY and not person.bond_clock:
            person.bond_clock = True
            self.env.process(self._bond(person))
        yield self._exponential(self.p["courts.detained_case_days"])
        if person.in_bed:
            self._enqueue(self.judges, self.judge_queue, person)

    def _bond(self, person: Person) -> Iterator[simpy.Event]:
        """Bond or parole (INA 236(a)) for a court case held at ICE's discretion: released, the
        case going on, unless the case ends first. The rate makes the share released before a case
        of the usual detained length ends ``detention.bond_release_share``; for people CBP
        arrested, a release is taken with the probability the law in force allows
        (``detention.border_bond_eligible_share``, a thinning of the same clock)."""
        while person in self.court_cases and person.in_bed and person.bed_class == DISCRETIONARY:
            share = min(max(self.p["detention.bond_release_share"], 0.0), 0.99)
            if share <= 0.0:
                return
            days = max(self.p["courts.detained_case_days"], 1.0)
            yield self._exponential((1.0 - share) * days / share)
            eligible = (self.p["detention.border_bond_eligible_share"]
                        if person.origin == BORDER else 1.0)
            if (person in self.court_cases and person.in_bed
                    and person.bed_class == DISCRETIONARY and self.rng.random() < eligible):
                self._release_court_case(person)
                return

    def _appeal(self, person: Person) -> Iterator[simpy.Event]:
        yield self._exponential(BIA_DETAINED_DAYS)
        self._enqueue(self.board, self.board_queue, person)

    def _documents(self, person: Person, accepting: bool = False) -> Iterator[simpy.Event]:
        """Travel documents; the recalcitrant group also races a third-country removal and the
        release clock: 180 days (Zadvydas) if their country takes removals,
        ``no_removal_release_days`` if it takes none (``removal.recalcitrant_accepting_share``;
        ``accepting`` for those removed from CBP custody, taken only where it does)."""
        p = self.p
        if person.group != RECALCITRANT:
            yield self._exponential(p[f"removal.document_days.{GROUPS[person.group]}"])
            yield from self._staging(person)
            return
        ticket = person.ticket
        self._enqueue(self.third_country, self.third_queue, person)
        release = p["detention.release_after_days"]
        if accepting or self.rng.random() < p["removal.recalcitrant_accepting_share"]:
            document = self.rng.exponential(p["removal.document_days.recalcitrant"])
        else:  # no country takes them: no document, released at the custody review
            document = math.inf
            release = p["detention.no_removal_release_days"]
        yield self.env.timeout(min(document, release))
        if person.ticket != ticket:  # removed to a third country meanwhile
            return
        person.ticket += 1  # out of the third-country queue
        if document < release:
            yield from self._staging(person)
        else:  # released on supervision: a final order at large
            self._bed(person, False)
            self._back(person, FINAL)

    def _staging(self, person: Person) -> Iterator[simpy.Event]:
        """Staging for transport, then a seat or a land crossing in turn."""
        yield self._exponential(self.p["removal.staging_days"])
        if person.group == MEXICO:
            self._enqueue(self.land, self.land_queue, person)
        else:
            self._enqueue(self.air, self.air_queue, person)
            self.commercial.notify()

    def _enqueue(self, server: Server, queue: deque, person: Person) -> None:
        queue.append((person, person.ticket))
        server.notify()

    # --- capacities -----------------------------------------------------------------------------
    def _servers(self) -> None:
        p = lambda name: self.p[name]  # noqa: E731 - the day's value, read when asked
        self.screening_queue: deque = deque()
        self.judge_queue: deque = deque()
        self.board_queue: deque = deque()
        self.board_docket: deque = deque()
        self.third_queue: deque = deque()
        self.land_queue: deque = deque()
        self.air_queue: deque = deque()
        self.screening = Server(self, lambda: (p("pathways.asylum_officers") + p(
            "pathways.border_patrol_screeners")) * p("pathways.screenings_per_officer_day"),
            [self.screening_queue], self._screened)
        self.judges = Server(self, self._hearings, [self.judge_queue], self._decided_detained,
                             fallback=self._decide_docket)
        self.board = Server(self, lambda: p("courts.bia_appeals_per_year") / 365,
                            [self.board_queue, self.board_docket], self._decided_appeal)
        self.third_country = Server(self, lambda: p("removal.third_country_per_year") / 365,
                                    [self.third_queue], self._removed)
        self.land = Server(self, lambda: p("removal.land_per_day"), [self.land_queue],
                           self._removed)
        self.air = Server(self, self._charter_seats, [self.air_queue], self._removed)
        self.commercial = Server(self, lambda: p("removal.commercial_per_day"),
                                 [self.air_queue], self._removed,
                                 accepts=lambda q: q.group in (COOPERATIVE, RECALCITRANT))
        self.env.process(self._fear_limit())

    def _charter_seats(self) -> float:
        p = self.p
        seats = (p["removal.charter_flights_per_day"] * p["removal.seats_per_flight"]
                 * p["removal.load_factor"])
        # Title 42 expulsions flown by ICE Air take seats
        expelled = p["border.apprehensions_per_day"] * p["border.title42_share"]
        return max(seats - expelled * p["border.title42_air_share"], 0.0)

    def _hearings(self) -> float:
        p = self.p
        return ((p["courts.judges"] + p["courts.temporary_judges"])
                * p["courts.hearings_per_judge_year"] / 365)

    def _fear_limit(self) -> Iterator[simpy.Event]:
        """Claimants waiting past the longest wait are released to the docket (checked daily)."""
        while True:
            yield self.env.timeout(1.0)
            p = self.p
            limit = ((p["pathways.asylum_officers"] + p["pathways.border_patrol_screeners"])
                     * p["pathways.screenings_per_officer_day"] * p["pathways.fear_max_wait_days"])
            waiting = [q for q, ticket in self.screening_queue if q.ticket == ticket]
            if len(waiting) > limit:
                self.rng.shuffle(waiting)
                for person in waiting[: len(waiting) - int(limit)]:
                    self._release(person)

    def _screened(self, person: Person) -> float:
        """Positive findings become court cases; others go on summarily.

        A positive credible-fear finding opens full proceedings: a bed again, by class. A
        positive reasonable-fear finding (a reinstated order, origin ``PRIOR``) opens
        withholding-only proceedings: the person keeps the bed, held under INA 241(a) without
        bond (Johnson v. Guzman Chavez)."""
        p = self.p
        withholding = person.origin == PRIOR
        rate = p["pathways.reasonable_fear_positive_rate" if withholding
                 else "pathways.fear_positive_rate"]
        if self.rng.random() >= rate:
            self.env.process(self._summary(person))
        elif withholding:
            person.bed_class = MANDATORY_COURT
            self.env.process(self._court(person))
        else:
            self._bed(person, False)
            person.ticket += 1
            mandatory = person.origin != BORDER and (
                self.rng.random() < p["pathways.mandatory_detention_share"])
            person.bed_class = MANDATORY_COURT if mandatory else DISCRETIONARY
            person.kind = self._court
            person.rebooked = True
            self.holding.append(person)
        return 1.0

    def _decided_detained(self, person: Person) -> float:
        """A detained case: a removal order (appealed or not), relief, or a dismissal (released,
        unauthorized, with the case closed). A withholding-only case (origin ``PRIOR``) cannot be
        dismissed: the reinstated order is carried out unless withholding or CAT protection is
        granted, which takes the person out of the removable population, as relief does."""
        p = self.p
        self.court_cases.pop(person, None)
        order = p["courts.detained_order_share"]
        relief = min(p["courts.detained_relief_share"], 1.0 - order)
        if person.origin == PRIOR:
            order = 1.0 - relief
        u = self.rng.random()
        if u < order:
            if self.rng.random() < p["courts.appeal_share"]:
                self.env.process(self._appeal(person))
            else:
                self.env.process(self._documents(person))
        elif u < order + relief:
            self._exit(person)
        else:
            self._bed(person, False)
            person.ticket += 1
            self._back(person, CLOSED)
        return 1.0

    def _decided_appeal(self, person: Person) -> float:
        """The Board affirms the order (removal goes on) or remands the case to a judge."""
        affirm = self.rng.random() < self.p["courts.bia_affirm_share"]
        if person.in_bed:
            self.env.process(self._documents(person) if affirm else self._court(person))
        elif person.ticket == self.appeals_epoch:
            self._back(person, FINAL if affirm else DOCKET)
        return 1.0

    def _decide_docket(self, hearings: float) -> float | None:
        """One non-detained case, chosen at random; its outcome decides the judge time it takes.

        Cases of people who left stay pending until a judge closes them in absentia.
        """
        p = self.p
        pop = np.concatenate([self.recent[:, DOCKET].sum(axis=0)[None], self.older[:, DOCKET]])
        docket = pop.sum()
        cases = docket + self.ledger
        if cases == 0:
            return None
        quick = p["courts.quick_decision_weight"]
        least = hearings * p["courts.min_case_days"] / cases  # not faster than the minimum time
        if self.rng.random() * cases < self.ledger:
            self.ledger -= 1
            return max(quick, least)
        absentia = p["courts.in_absentia_share"]
        absent = absentia
        if self.rng.random() < p["courts.rocket_docket_share"] and pop[RECENT].sum() > 0:
            c, g = RECENT, int(self._pick_cell(pop[RECENT])[0])
            absent = p["courts.rocket_in_absentia_share"]
        else:
            c, g = (int(i) for i in self._pick_cell(pop))
        hearing = p["courts.removal_order_share"]
        order = hearing * (1.0 - absent) / max(1.0 - absentia, 1e-12)
        # a rocket docket's extra no-shows come out of the other outcomes in proportion
        rest = (1.0 - absent - order) / max(1.0 - absentia - hearing, 1e-12)
        vd = p["courts.voluntary_departure_share"] * rest
        relief = p["courts.relief_share"] * rest
        fail = p["courts.departure_failure_share"]
        appeal = p["courts.appeal_share"]
        u = self.rng.random()
        months = self._take(c, DOCKET, g, 1)
        entry = self.months - int(np.argmax(months))
        if u < absent:  # in absentia
            to, weight = FINAL, quick
        elif u < absent + order:  # ordered removed after a hearing, perhaps appealed
            to, weight = (None if self.rng.random() < appeal else FINAL), 1.0
        elif u < absent + order + vd:  # voluntary departure, which some fail to make
            to, weight = (FINAL if self.rng.random() < fail else -1), 1.0
        elif u < absent + order + vd + relief:
            to, weight = -1, 1.0
        else:  # dismissal, termination or closure: unauthorized, the case closed
            to, weight = CLOSED, quick
        if to is None:  # appealed: waits for the Board at large
            person = Person(g, DOCKET, c, entry=entry, ticket=self.appeals_epoch)
            self.env.process(self._appeal_at_large(person))
        elif to >= 0:
            self._back(Person(g, DOCKET, c, entry=entry), to)
        self.events += 1
        return max(weight, least)

    def _appeal_at_large(self, person: Person) -> Iterator[simpy.Event]:
        yield self._exponential(BIA_NON_DETAINED_DAYS)
        if person.ticket == self.appeals_epoch:
            self._enqueue(self.board, self.board_docket, person)

    def run(self) -> ReplicaRun:
        """Simulate the warm-up and the horizon."""
        started = time.perf_counter()
        self.env.run(until=WARMUP_DAYS + len(self.series))
        self._clock()
        days = np.bincount(self.inputs.fy_index, minlength=len(self.inputs.fiscal_years))
        return ReplicaRun(
            scale=self.scale,
            removals=float(sum(self.removals_by_year)),
            arrests=float(self.arrests_total),
            detained_mean=float(sum(self.detained_area) / len(self.series)),
            detained_end_of_day=self.end_of_day / len(self.series),
            removals_by_year=[float(r) for r in self.removals_by_year],
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
    replica_detained_end_of_day: float
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
    scenario: str | Scenario, *, years: float | None = None, scale: float = SCALE,
    replications: int = 8, seed: int = 0,
) -> CrossCheck:
    """Run the engine once and the replica ``replications`` times, and compare their means.

    The engine's detained population is its average of end-of-day stocks over the horizon; the
    replica's is the exact time average (``replica_detained_end_of_day`` counts it as the engine
    does).
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
    fluid_removals = result.headline["removals_total"]
    fluid_detained = float(result.daily_record[:, _K["detained"]].mean())
    runs = [Replica(resolved, inputs, scale, seed + i).run() for i in range(replications)]
    removals = np.array([r.removals for r in runs]) / scale
    detained = np.array([r.detained_mean for r in runs]) / scale
    root = math.sqrt(replications)
    return CrossCheck(
        scenario=resolved.name, years=resolved.years, scale=scale, replications=replications,
        fluid_removals=fluid_removals, replica_removals=float(removals.mean()),
        replica_removals_se=float(removals.std(ddof=1) / root) if replications > 1 else math.nan,
        fluid_detained=fluid_detained, replica_detained=float(detained.mean()),
        replica_detained_se=float(detained.std(ddof=1) / root) if replications > 1 else math.nan,
        replica_detained_end_of_day=float(np.mean([r.detained_end_of_day for r in runs])) / scale,
        fluid_seconds=min(timings[1:]),
        replica_seconds=float(np.mean([r.seconds for r in runs])),
    )
