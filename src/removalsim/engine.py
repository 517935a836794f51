"""The daily stock-and-flow model of the removal pipeline, compiled with numba.

The day loop in ``_simulate_draw`` calls one small compiled function per stage, in the order the
pipeline runs: ``inflows``, ``border``, ``arrests``, ``route``, ``admit``, ``screen``, ``courts``,
``documents``, ``remove``, ``depart``. Every stage is a queue whose throughput is
``min(demand, capacity)``. People are never created or lost: the stocks plus cumulative exits equal
the start population plus cumulative inflows (``conservation_error`` records the gap).

Stocks
------
* The population at large is one partition: entry cohort x status x nationality group
  (``removalsim.vocabulary``). The under-2-years cohort is kept in 24 monthly entry groups, so the
  2-year clock of expedited removal is a fixed delay, not an exponential.
* ICE detention by kind (summary, fear screening, court, appeal), nationality group and origin (the
  status at arrest, or ``border`` for people CBP arrested); then, by route, the wait for a travel
  document and the wait for a seat. The 180-day post-order clock (Zadvydas) of the recalcitrant
  group is a fixed delay.
* Non-detained appeals at the Board of Immigration Appeals, ATD enrolment.

Parameters are read by name through ``P`` (``pv[P.courts_judges]``) and records through ``R``.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit, prange

from removalsim.vocabulary import (
    COHORTS,
    COURT_OUTCOMES,
    GROUPS,
    REMOVABLE_STATUSES,
    ROUTES,
    SEGMENTS,
    STAGES,
    STATUSES,
)

ORIGINS = SEGMENTS
"""Where a detained person came from: the status at an interior arrest, or ``border``."""

INPUTS: tuple[str, ...] = (
    # population partition at the start date
    "population.unauthorized_total",
    "population.recent_share",
    "population.settled_share",
    "population.mexico_share",
    "population.northern_triangle_share",
    "population.recalcitrant_share",
    "population.protected",
    "population.final_order_listed",
    "population.final_order_departed_share",
    "population.final_order_mexico_share",
    "population.final_order_northern_triangle_share",
    "population.docket_mexico_share",
    "population.docket_northern_triangle_share",
    "population.case_recent_weight",
    "population.case_long_term_weight",
    "population.prior_removal_share",
    "population.status_ended",
    "population.mortality_per_year",
    # inflows
    "arrivals.entries_per_year",
    "arrivals.status_terminations_per_year",
    "arrivals.reentry_share",
    # the border (CBP custody)
    "border.apprehensions_per_day",
    "border.title42_share",
    "border.mexico_share",
    "border.northern_triangle_share",
    "border.recalcitrant_share",
    "border.return_share",
    "border.mexico_cbp_custody_removal_share",
    "border.cbp_custody_removal_share",
    "border.ice_executed_share",
    "border.transfer_share",
    "border.transfer_release_share",
    "border.transfer_parole_share",
    "border.transfer_summary_share",
    "border.release_factor",
    "border.release_nta_share",
    "border.nta_never_filed_share",
    "border.release_ice_nta_share",
    "border.title42_air_share",
    # arrests in the interior
    "arrests.officers",
    "arrests.border_diversion",
    "arrests.task_force_officers",
    "arrests.task_force_productivity",
    "arrests.officer_days_per_custodial",
    "arrests.jail_pickup_time_share",
    "arrests.officer_days_per_at_large",
    "arrests.search_rate",
    "arrests.depletion",
    "arrests.jail_bookings_per_person_year",
    "arrests.jail_admissions_index",
    "arrests.detainer_share",
    "arrests.jail_cooperation",
    "arrests.collateral_share",
    "arrests.check_in_per_day",
    *(f"arrests.target.{s}" for s in REMOVABLE_STATUSES),
    *(f"arrests.findability.{s}" for s in REMOVABLE_STATUSES),
    # legal routes
    "pathways.expedited_removal",
    "pathways.entered_without_inspection_share",
    "pathways.expedited_for_parolees",
    "pathways.dismiss_for_expedited",
    "pathways.mandatory_detention_share",
    "pathways.stipulated_share",
    "pathways.voluntary_departure_share",
    "pathways.fear_claim_share",
    "pathways.fear_positive_rate",
    "pathways.reasonable_fear_positive_rate",
    "pathways.asylum_officers",
    "pathways.border_patrol_screeners",
    "pathways.screenings_per_officer_day",
    "pathways.fear_screening_days",
    "pathways.fear_max_wait_days",
    # detention
    "detention.beds",
    "detention.usable_share",
    "detention.pandemic_capacity_share",
    "detention.border_bed_share",
    "detention.transport_wait_days",
    "detention.build_beds_per_day",
    "detention.when_full",
    "detention.summary_days",
    "detention.mexico_summary_days",
    "detention.recognizance_days",
    "detention.parole_days",
    "detention.release_after_days",
    "detention.no_removal_release_days",
    "detention.bond_release_share",
    "detention.border_bond_eligible_share",
    "detention.atd_share",
    "detention.atd_days",
    # courts (EOIR) and the Board of Immigration Appeals
    "courts.pending_cases",
    "courts.judges",
    "courts.temporary_judges",
    "courts.hearings_per_judge_year",
    "courts.quick_decision_weight",
    "courts.min_case_days",
    "courts.detained_case_days",
    "courts.detained_order_share",
    "courts.detained_relief_share",
    "courts.in_absentia_share",
    "courts.removal_order_share",
    "courts.voluntary_departure_share",
    "courts.relief_share",
    "courts.administrative_closure_share",
    "courts.departure_failure_share",
    "courts.rocket_docket_share",
    "courts.rocket_in_absentia_share",
    "courts.appeal_share",
    "courts.bia_appeals_per_year",
    "courts.bia_affirm_share",
    "courts.other_receipts_per_year",
    # removal transport, by nationality group
    *(f"removal.document_days.{g}" for g in GROUPS),
    "removal.recalcitrant_accepting_share",
    "removal.charter_flights_per_day",
    "removal.seats_per_flight",
    "removal.load_factor",
    "removal.commercial_per_day",
    "removal.land_per_day",
    "removal.third_country_per_year",
    "removal.staging_days",
    "removal.flight_hours_per_mission",
    # departures
    *(f"departures.self_departure_rate.{c}" for c in COHORTS),
    "departures.enforcement_response",
    "departures.reference_arrests_per_day",
    "departures.paid_per_year",
    # costs
    "costs.officer_year_usd",
    "costs.task_force_officer_year_usd",
    "costs.bed_day_usd",
    "costs.bed_build_usd",
    "costs.atd_day_usd",
    "costs.judge_year_usd",
    "costs.flight_hour_usd",
    "costs.land_removal_usd",
)

STARTING_STATE: tuple[str, ...] = tuple(
    n for n in INPUTS if n.startswith("population.") and n != "population.mortality_per_year"
) + ("courts.pending_cases",)
"""Inputs that ``partition`` reads on the first day only: the starting state, not a rate."""

RECORD: tuple[str, ...] = (
    # stocks (end of day)
    *(f"population_{c}" for c in COHORTS),
    *(f"population_{s}" for s in STATUSES),
    "unauthorized_population",
    "court_pending",
    "court_cases_departed",
    "bia_pending",
    "detained",
    "detained_court",
    "detained_waiting",
    "detained_no_travel_document",
    "detained_border",
    "beds",
    "atd_enrolled",
    # flows (during the day)
    "arrests_custodial",
    "arrests_at_large",
    "arrests_check_in",
    "arrests_processing",
    "book_ins_interior",
    "book_ins_border",
    "released_no_bed",
    "released_on_processing",
    "released_for_beds",
    "released_on_bond",
    "released_180_days",
    "released_on_supervision",
    "fear_screenings",
    "court_receipts",
    "court_completions_detained",
    "court_completions_non_detained",
    *(f"court_{o}" for o in COURT_OUTCOMES),
    "court_dismissed_for_expedited",
    "removal_orders",
    "removals",
    *(f"removals_{r}" for r in ROUTES),
    *(f"removals_{g}" for g in GROUPS),
    *(f"removals_{o}" for o in ORIGINS),
    "removals_interior",
    "removals_expedited_interior",
    "removals_air",
    "removals_land",
    "removals_third_country",
    "removals_cbp_executed",
    "returns_cbp",
    "expulsions_title42",
    "voluntary_departures",
    "self_departures",
    "deaths",
    "relief_granted",
    "inflow_entries",
    "inflow_reentries",
    "inflow_border_releases",
    "cost_arrests",
    "cost_detention",
    "cost_courts",
    "cost_removal",
    "binding",
    "conservation_error",
)


def _fields(names: tuple[str, ...]):
    """A constant named tuple of column indices: ``courts.judges`` -> ``.courts_judges``."""
    fields = [n.replace(".", "_") for n in names]
    return namedtuple("Fields", fields)(*range(len(fields)))


P = _fields(INPUTS)
"""Index of each input in a day's parameter vector, by name."""
R = _fields(RECORD)
"""Index of each record column, by name."""
N_RECORD = len(RECORD)

N_COHORT, N_STATUS, N_GROUP = len(COHORTS), len(STATUSES), len(GROUPS)
N_ORIGIN, N_ROUTE = len(ORIGINS), len(ROUTES)
RECENT, SETTLED, LONG = range(N_COHORT)
NO_CONTACT, DOCKET, FINAL, PRIOR, ENDED, CLOSED, PROTECTED = range(N_STATUS)
MEXICO, TRIANGLE, COOPERATIVE, RECALCITRANT = range(N_GROUP)
BORDER = N_ORIGIN - 1
ER, REINSTATE, JUDGE, STIPULATED, VD_DETAINED, CBP = range(N_ROUTE)
# detention kinds: summary cases (by route), fear claims waiting for a screening, court, appeal
K_ER, K_REINSTATE, K_FEAR_ER, K_FEAR_REINSTATE, K_COURT, K_APPEAL = range(6)
RECOGNIZANCE, PAROLE = range(2)  # how ICE releases the CBP transfers it books in and frees
N_KIND = 6
assert N_KIND == N_ROUTE, "custody() sums det, wait and ready in one pass"
B_ARRESTS, B_DETENTION, B_COURTS, B_FEAR, B_TRANSPORT = range(len(STAGES))
MONTHS_RECENT = 24
DAYS_PER_MONTH = 365.25 / 12
SETTLED_YEARS = 8.0
"""Width of the 2-10 year cohort: people leave it for the long-term one after 8 years on average."""
ZADVYDAS_SLOTS = 400
"""Days the 180-day post-order clock can be set to at most (the ring's length)."""
ACCEPTING, REFUSED = range(2)
"""The two pools of the recalcitrant wait: countries that take removals, slowly, and those that
take none (``removal.recalcitrant_accepting_share``)."""
WARMUP_DAYS = 365
"""Days simulated before the start with start-date inputs, so detention and appeals begin full."""
_EPS = 1e-9


@njit(cache=True, error_model="numpy", inline="always")
def _value(series, mult, add, lo, hi, t, d, p):
    v = series[t, p] * mult[d, p] + add[d, p]
    return min(max(v, lo[p]), hi[p])


# --- totals of the stocks ---------------------------------------------------------------------
# Each total is summed in C order from zero, exactly as ``ndarray.sum`` does (``custody`` adds
# the people held until a release on processing first); totals over the same array are taken in
# one pass so the sums run side by side instead of one after the other.
@njit(cache=True, error_model="numpy", inline="always")
def custody(det, wait, ready, zwait, processing):
    """ICE custody totals: (detained, waiting for documents, ready, recalcitrant waiting past the
    document wait, and those who wait in CBP custody for a document or a seat, in no ICE bed).
    The detained include CBP transfers held while ICE processes their release (``processing``)."""
    held = total(processing)
    waiting = going = late = cbp = 0.0
    for k in range(N_KIND):  # N_KIND == N_ROUTE: the three arrays share a shape
        for g in range(N_GROUP):
            for o in range(N_ORIGIN):
                held += det[k, g, o]
                if k == CBP:
                    cbp += wait[k, g, o] + ready[k, g, o]
                else:
                    waiting += wait[k, g, o]
                    going += ready[k, g, o]
    for p in range(2):
        for r in range(N_ROUTE):
            for o in range(N_ORIGIN):
                if r == CBP:
                    cbp += zwait[p, r, o]
                else:
                    late += zwait[p, r, o]
    return held, waiting, going, late, cbp


@njit(cache=True, error_model="numpy", inline="always")
def beds_used(det, wait, ready, zwait, processing):
    """People in ICE beds: everyone in ICE custody (not those waiting in CBP custody)."""
    held, waiting, going, late, _ = custody(det, wait, ready, zwait, processing)
    return held + waiting + going + late


@njit(cache=True, error_model="numpy", inline="always")
def beds_used_by(det, wait, ready, zwait, processing, o):
    """People of one origin in ICE beds (as ``beds_used``)."""
    held = total(processing) if o == BORDER else 0.0
    waiting = going = 0.0
    for k in range(N_KIND):
        for g in range(N_GROUP):
            held += det[k, g, o]
            if k != CBP:
                waiting += wait[k, g, o]
                going += ready[k, g, o]
    late = 0.0
    for p in range(2):
        for r in range(N_ROUTE - 1):
            late += zwait[p, r, o]
    return held + waiting + going + late


@njit(cache=True, error_model="numpy", inline="always")
def kind_total(a, k):
    """Total of ``a[k]`` over groups and origins."""
    n = 0.0
    for g in range(a.shape[1]):
        for o in range(a.shape[2]):
            n += a[k, g, o]
    return n


@njit(cache=True, error_model="numpy", inline="always")
def row(a, k, g):
    """Total of ``a[k, g]`` over origins."""
    n = 0.0
    for o in range(a.shape[2]):
        n += a[k, g, o]
    return n


@njit(cache=True, error_model="numpy", inline="always")
def group_totals(a):
    """Totals of ``a[:, g]`` over the first axis and origins, for each group (a tuple)."""
    mexico = triangle = cooperative = recalcitrant = 0.0
    for k in range(a.shape[0]):
        for o in range(a.shape[2]):
            mexico += a[k, MEXICO, o]
            triangle += a[k, TRIANGLE, o]
            cooperative += a[k, COOPERATIVE, o]
            recalcitrant += a[k, RECALCITRANT, o]
    return (mexico, triangle, cooperative, recalcitrant)


@njit(cache=True, error_model="numpy", inline="always")
def total(a):
    """Total of a C-contiguous array."""
    n = 0.0
    for i in range(a.size):  # flat indexing: no view of the array is made
        n += a.flat[i]
    return n


@njit(cache=True, error_model="numpy")
def tally_removals(out, by_route, by_group, by_origin):
    """Removals by route, group and origin (filled in) and in all (returned), in one pass."""
    by_group[:] = 0.0
    by_origin[:] = 0.0
    removed = 0.0
    for r in range(N_ROUTE):
        route_total = 0.0
        for g in range(N_GROUP):
            for o in range(N_ORIGIN):
                n = out[r, g, o]
                removed += n
                route_total += n
                by_group[g] += n
                by_origin[o] += n
        by_route[r] = route_total
    return removed


@njit(cache=True, error_model="numpy")
def tally_population(pop, rec):
    """Record the population by cohort and by status; return the total, in one pass.

    The status columns are added to, so the day's record must start at zero (it does).
    """
    people = 0.0
    for c in range(N_COHORT):
        cohort = 0.0
        for s in range(N_STATUS):
            for g in range(N_GROUP):
                n = pop[c, s, g]
                people += n
                cohort += n
                rec[R.population_no_contact + s] += n
        rec[R.population_recent + c] = cohort
    rec[R.unauthorized_population] = people
    return people


# --- the population at large: cells, and the recent cohort's months of entry -------------------
@njit(cache=True, error_model="numpy", inline="always")
def take(pop, c, s, g, share):
    """Remove a share of one cell."""
    if share > 0.0:
        pop[c, s, g] *= max(1.0 - share, 0.0)


@njit(cache=True, error_model="numpy", inline="always")
def move(pop, c, s, g, share, to_status):
    """Move a share of one cell to another status (same cohort and group)."""
    if share > 0.0:
        out = pop[c, s, g] * min(share, 1.0)
        pop[c, s, g] -= out
        pop[c, to_status, g] += out


@njit(cache=True, error_model="numpy", inline="always")
def put(pop, months, c, s, g, amount):
    """Add people to a cell; newcomers to the recent cohort are counted as entering this month."""
    pop[c, s, g] += amount
    if c == RECENT:
        months[MONTHS_RECENT] += amount


@njit(cache=True, error_model="numpy")
def settle_entries(pop, months):
    """Fold today's newcomers into the recent cohort's shares by month of entry.

    ``months[:24]`` are the shares of the under-2-years cohort by month of entry (the newest
    first), the same in every cell of the cohort; ``months[24]`` counts today's newcomers.
    """
    new = months[MONTHS_RECENT]
    if new <= 0.0:
        return
    total = 0.0
    for s in range(N_STATUS):
        for g in range(N_GROUP):
            total += pop[RECENT, s, g]
    before = max(total - new, 0.0)
    if total > _EPS:
        for m in range(MONTHS_RECENT):
            months[m] *= before / total
        months[0] += new / total
    months[MONTHS_RECENT] = 0.0


@njit(cache=True, error_model="numpy")
def age(pop, months):
    """One month passes: the recent cohort's oldest month joins the 2-10 year cohort."""
    out = months[MONTHS_RECENT - 1]
    for s in range(N_STATUS):
        for g in range(N_GROUP):
            moved = pop[RECENT, s, g] * out
            pop[RECENT, s, g] -= moved
            pop[SETTLED, s, g] += moved
    stay = 1.0 - out
    for m in range(MONTHS_RECENT - 1, 0, -1):
        months[m] = months[m - 1] / stay if stay > _EPS else 0.0
    months[0] = 0.0


@njit(cache=True, error_model="numpy")
def partition(pv, pop, months):
    """Split the start population into cells that sum to the total (a closed-form rake).

    Known status totals (EOIR pending, final orders still here, protected, status ended) are spread
    over cohorts by the case weights and over groups by their own group shares; no contact and
    prior removal take what is left of each cohort and group margin (the raking solution for one
    free slice).
    """
    total = pv[P.population_unauthorized_total]
    cohort = np.zeros(N_COHORT)
    cohort[RECENT] = pv[P.population_recent_share]
    cohort[SETTLED] = pv[P.population_settled_share]
    cohort[LONG] = max(1.0 - cohort[RECENT] - cohort[SETTLED], 0.0)
    group = np.zeros(N_GROUP)
    group[MEXICO] = pv[P.population_mexico_share]
    group[TRIANGLE] = pv[P.population_northern_triangle_share]
    group[RECALCITRANT] = pv[P.population_recalcitrant_share]
    group[COOPERATIVE] = max(1.0 - group[MEXICO] - group[TRIANGLE] - group[RECALCITRANT], 0.0)
    case_w = np.zeros(N_COHORT)
    case_w[RECENT] = pv[P.population_case_recent_weight]
    case_w[SETTLED] = 1.0
    case_w[LONG] = pv[P.population_case_long_term_weight]
    # a cohort's case weight is per person in it: the share of cases in each cohort, raked so
    # that no cohort holds more cases than 90% of its people
    case_c = case_w * cohort
    case_c /= max(case_c.sum(), _EPS)
    cases = pv[P.courts_pending_cases] + pv[P.population_final_order_listed] * (
        1.0 - pv[P.population_final_order_departed_share]) + pv[P.population_protected] + pv[
        P.population_status_ended]
    for _ in range(20):
        excess = 0.0
        room = 0.0
        for c in range(N_COHORT):
            cap = 0.9 * total * cohort[c]
            if case_c[c] * cases > cap:
                excess += case_c[c] - cap / max(cases, _EPS)
                case_c[c] = cap / max(cases, _EPS)
            else:
                room += cap / max(cases, _EPS) - case_c[c]
        if excess <= 1e-12 or room <= _EPS:
            break
        for c in range(N_COHORT):
            cap = 0.9 * total * cohort[c] / max(cases, _EPS)
            if case_c[c] < cap:
                case_c[c] += excess * (cap - case_c[c]) / room
    known = np.zeros((N_STATUS, N_COHORT, N_GROUP))
    sizes = np.zeros(N_STATUS)
    sizes[DOCKET] = pv[P.courts_pending_cases]
    sizes[FINAL] = pv[P.population_final_order_listed] * (
        1.0 - pv[P.population_final_order_departed_share])
    sizes[PROTECTED] = pv[P.population_protected]
    sizes[ENDED] = pv[P.population_status_ended]
    for s in (DOCKET, FINAL, PROTECTED, ENDED):
        mix = group.copy()
        if s == DOCKET:
            mix[MEXICO] = pv[P.population_docket_mexico_share]
            mix[TRIANGLE] = pv[P.population_docket_northern_triangle_share]
        elif s == FINAL:
            mix[MEXICO] = pv[P.population_final_order_mexico_share]
            mix[TRIANGLE] = pv[P.population_final_order_northern_triangle_share]
        rest = max(1.0 - mix[MEXICO] - mix[TRIANGLE], 0.0)
        other = group[COOPERATIVE] + group[RECALCITRANT]
        mix[COOPERATIVE] = rest * group[COOPERATIVE] / max(other, _EPS)
        mix[RECALCITRANT] = rest * group[RECALCITRANT] / max(other, _EPS)
        for c in range(N_COHORT):
            for g in range(N_GROUP):
                known[s, c, g] = sizes[s] * case_c[c] * mix[g]
    # what is left of each margin goes to no contact and prior removal
    left_c = np.zeros(N_COHORT)
    left_g = np.zeros(N_GROUP)
    for c in range(N_COHORT):
        left_c[c] = max(total * cohort[c] - known[:, c, :].sum(), 0.0)
    for g in range(N_GROUP):
        left_g[g] = max(total * group[g] - known[:, :, g].sum(), 0.0)
    left = max(total - known.sum(), 0.0)
    sum_c = max(left_c.sum(), _EPS)
    sum_g = max(left_g.sum(), _EPS)
    prior = pv[P.population_prior_removal_share]
    for c in range(N_COHORT):
        for g in range(N_GROUP):
            free = left * (left_c[c] / sum_c) * (left_g[g] / sum_g)
            known[PRIOR, c, g] = free * prior
            known[NO_CONTACT, c, g] = free * (1.0 - prior)
    for c in range(N_COHORT):
        for s in range(N_STATUS):
            for g in range(N_GROUP):
                pop[c, s, g] = known[s, c, g]
    months[:] = 0.0
    months[:MONTHS_RECENT] = 1.0 / MONTHS_RECENT  # arrivals spread evenly over two years


# --- stages -------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def inflows(pv, pop, months, removed_yesterday, rec):
    """New entries that evade apprehension (and overstays), status ends, re-entries."""
    entries = pv[P.arrivals_entries_per_year] / 365.0
    mix = border_mix(pv)
    for g in range(N_GROUP):
        put(pop, months, RECENT, NO_CONTACT, g, entries * mix[g])
    reentries = removed_yesterday * pv[P.arrivals_reentry_share]
    for g in range(N_GROUP):
        put(pop, months, RECENT, PRIOR, g, reentries * mix[g])
    rec[R.inflow_entries] = entries
    rec[R.inflow_reentries] = reentries
    ending = pv[P.arrivals_status_terminations_per_year] / 365.0
    protected = 0.0
    for c in range(N_COHORT):
        for g in range(N_GROUP):
            protected += pop[c, PROTECTED, g]
    if protected > _EPS and ending > 0.0:
        share = min(ending / protected, 1.0)
        for c in range(N_COHORT):
            for g in range(N_GROUP):
                move(pop, c, PROTECTED, g, share, ENDED)
    return entries + reentries


@njit(cache=True, error_model="numpy")
def border_mix(pv):
    """Nationality mix of people arriving at the border, by group (a tuple)."""
    mexico = pv[P.border_mexico_share]
    triangle = pv[P.border_northern_triangle_share]
    recalcitrant = pv[P.border_recalcitrant_share]
    cooperative = max(1.0 - mexico - triangle - recalcitrant, 0.0)
    return (mexico, triangle, cooperative, recalcitrant)


@njit(cache=True, error_model="numpy")
def border(pv, pop, months, wants, wait, processing_in, rec):
    """CBP custody: expulsions, returns and removals without an ICE bed; transfers; releases.

    Title 42 expulsions and CBP returns are counted apart (not removals). Removals from CBP custody
    are ICE-executed (they take ICE transport) or CBP-executed (in DHS totals only). Of the
    transfers to ICE, a share is booked in to be released on processing, to the docket
    (``processing_in``, by custody authority: on recognizance, INA 236(a), or on parole from
    expedited removal, INA 235(b) and 212(d)(5), after a fear screening; they wait in ICE custody
    for the release); the others want a bed (``wants``). The rest are released by CBP into the
    docket or on parole; of those released without a Notice to Appear, ICE serves one on a share
    at an ICE office later (parole or a notice to report, then an NTA): ICE counts that as an
    administrative arrest, though it books no one in (``arrests_processing``).
    Returns the people who arrived (inflows) and the Title 42 expulsions flown by ICE Air.
    """
    arrived = pv[P.border_apprehensions_per_day]
    mix = border_mix(pv)
    expelled = arrived * pv[P.border_title42_share]
    # Mexico took back its own nationals without limit and, within limits, those of the Northern
    # Triangle; other nationalities had to be flown home. Expulsions fall in that order.
    expelled_share = np.zeros(N_GROUP)
    left = expelled
    for g in (MEXICO, TRIANGLE, COOPERATIVE, RECALCITRANT):
        here = arrived * mix[g]
        out = min(left, here)
        expelled_share[g] = out / here if here > _EPS else 0.0
        left -= out
    left = expelled
    for g in range(N_GROUP):
        title8 = arrived * mix[g] * (1.0 - expelled_share[g])
        # CBP transfers its share of Title 8 apprehensions to ICE custody (an observed share:
        # CBP book-ins over Title 8 apprehensions); of the others, voluntary return is for
        # Mexicans, and summary removal straight from CBP custody is mostly for Mexicans (by
        # land) and rarer for others; the rest are released
        transfer = title8 * pv[P.border_transfer_share]
        kept = title8 - transfer
        # booked into ICE and released on recognizance or parole, with a Notice to Appear
        processed = transfer * pv[P.border_transfer_release_share]
        transfer -= processed
        returned = kept * pv[P.border_return_share] if g == MEXICO else 0.0
        share = (pv[P.border_mexico_cbp_custody_removal_share] if g == MEXICO
                 else pv[P.border_cbp_custody_removal_share])
        accepting = pv[P.removal_recalcitrant_accepting_share] if g == RECALCITRANT else 1.0
        # no summary removal to a country that takes none: released
        summary = (kept - returned) * share * accepting
        # where policy cut CBP's releases, those it no longer releases are removed from its
        # custody (expedited removal or reinstatement), if their country takes them
        usual = kept - returned - summary
        summary += usual * (1.0 - pv[P.border_release_factor]) * accepting
        released = kept - returned - summary
        # ICE flies home those Border Patrol holds; CBP removes a share of the Mexicans by land
        by_ice = summary * pv[P.border_ice_executed_share] if g == MEXICO else summary
        to_court = transfer * (1.0 - pv[P.border_transfer_summary_share])
        nta = released * pv[P.border_release_nta_share]
        filed = nta * (1.0 - pv[P.border_nta_never_filed_share])
        served = (released - nta) * pv[P.border_release_ice_nta_share]
        served_filed = served * (1.0 - pv[P.border_nta_never_filed_share])
        # ICE's share waits in CBP custody for a travel document, then a seat (no ICE bed)
        wait[CBP, g, BORDER] += by_ice
        wants[K_ER, g, BORDER] += transfer - to_court
        wants[K_COURT, g, BORDER] += to_court
        processing_in[PAROLE, g] = processed * pv[P.border_transfer_parole_share]
        processing_in[RECOGNIZANCE, g] = processed - processing_in[PAROLE, g]
        put(pop, months, RECENT, DOCKET, g, filed + served_filed)
        put(pop, months, RECENT, NO_CONTACT, g, nta - filed + served - served_filed)
        put(pop, months, RECENT, PROTECTED, g, released - nta - served)
        rec[R.returns_cbp] += returned
        rec[R.removals_cbp_executed] += summary - by_ice
        rec[R.inflow_border_releases] += released
        rec[R.court_receipts] += filed + served_filed
        rec[R.arrests_processing] += served
        left += returned + summary - by_ice
    rec[R.expulsions_title42] = expelled
    # expelled, returned and CBP-executed people leave at once; the rest stay in the system
    return arrived, left, expelled * pv[P.border_title42_air_share]


@njit(cache=True, error_model="numpy", inline="always")
def freed(pop, months, g, n, rec):
    """``n`` CBP transfers of group ``g`` released on processing: to the docket, their Notice to
    Appear with them."""
    put(pop, months, RECENT, DOCKET, g, n)
    rec[R.released_on_processing] += n
    rec[R.court_receipts] += n


@njit(cache=True, error_model="numpy")
def end_processing(pv, processing, pop, months, rec):
    """The day's releases of the people held until a release on processing, each authority at
    its own mean stay."""
    for a, days in ((RECOGNIZANCE, pv[P.detention_recognizance_days]),
                    (PAROLE, pv[P.detention_parole_days])):
        leave = min(1.0 / days, 1.0)
        for g in range(N_GROUP):
            out = processing[a, g] * leave
            processing[a, g] -= out
            freed(pop, months, g, out, rec)


@njit(cache=True, error_model="numpy")
def hold_processing(pv, det, wait, ready, zwait, processing, processing_in, usable, pop, months,
                    rec):
    """CBP transfers booked in to be released on processing (``processing_in``) take the beds left
    after everyone else, within the border room; those who find none are released at once.

    A release takes days: on recognizance, the booking, record checks and the Notice to Appear
    (``detention.recognizance_days``); on parole from expedited removal, a fear screening first
    (``detention.parole_days``).
    """
    coming = total(processing_in)
    if coming <= _EPS:
        return
    free = usable - beds_used(det, wait, ready, zwait, processing)
    room = (usable * pv[P.detention_border_bed_share]
            - beds_used_by(det, wait, ready, zwait, processing, BORDER))
    share = min(max(min(free, room), 0.0) / coming, 1.0)
    for a in range(2):
        for g in range(N_GROUP):
            processing[a, g] += processing_in[a, g] * share
            freed(pop, months, g, processing_in[a, g] * (1.0 - share), rec)


@njit(cache=True, error_model="numpy")
def release_processing(pop, months, processing, n, rec):
    """Release up to ``n`` of the people held until a release on recognizance, at once and in
    proportion: they go first when a bed is needed (they were to be released anyway). Those held
    for a fear screening before a parole stay: the law allows their parole before the screening
    only for a medical emergency or a law-enforcement need (8 CFR 235.3(b)(2)(iii), (b)(4)(ii)).
    Returns the number released."""
    held = 0.0
    for g in range(N_GROUP):
        held += processing[RECOGNIZANCE, g]
    if n <= _EPS or held <= _EPS:
        return 0.0
    share = min(n / held, 1.0)
    out = 0.0
    for g in range(N_GROUP):
        gone = processing[RECOGNIZANCE, g] * share
        processing[RECOGNIZANCE, g] -= gone
        freed(pop, months, g, gone, rec)
        out += gone
    return out


@njit(cache=True, error_model="numpy", inline="always")
def depleted(remaining, exponent):
    """``remaining ** exponent``, without the power where the answer is exact without it."""
    if remaining == 1.0:
        return 1.0
    if exponent == 0.5:  # the central value: a square root is exact and 4x cheaper than a power
        return np.sqrt(remaining)
    return remaining ** exponent


@njit(cache=True, error_model="numpy")
def arrests(pv, pop, peak, atd, arrested, leads, rec):
    """Interior arrests by cell: custodial (jails), at-large (officer time), check-ins.

    Deportation officers pick up jail transfers first, with at most ``jail_pickup_time_share`` of
    their time; their officer-days left, and the task forces' (who work at large), find people at a
    saturating rate, ``effort * a * L / (1 + a * h * L)``, where ``L`` is the findable stock of the
    targeted cells (findability x target weight x people, falling as the easiest are found).
    ``leads`` is filled with each cell's share of ``L`` (work space).
    """
    officer_days = pv[P.arrests_officers] * (1.0 - pv[P.arrests_border_diversion]) * (
        260.0 / 365.0)
    task_force_days = pv[P.arrests_task_force_officers] * pv[P.arrests_task_force_productivity] * (
        260.0 / 365.0)
    jail_rate = pv[P.arrests_jail_bookings_per_person_year] * pv[
        P.arrests_jail_admissions_index] / 365.0 * pv[P.arrests_detainer_share] * pv[
        P.arrests_jail_cooperation]
    depletion = pv[P.arrests_depletion]
    transfers = 0.0
    findable = 0.0
    no_contact = 0.0
    reporting = 0.0  # people with cases or orders, who report
    for c in range(N_COHORT):
        for s in range(N_STATUS - 1):
            weight = pv[P.arrests_target_no_contact + s] * pv[P.arrests_findability_no_contact + s]
            for g in range(N_GROUP):
                n = pop[c, s, g]
                transfers += n * jail_rate
                found = 0.0
                if n > _EPS and peak[c, s, g] > _EPS:
                    found = weight * n * depleted(n / peak[c, s, g], depletion)
                    findable += found
                leads[c, s, g] = found
        for g in range(N_GROUP):
            no_contact += pop[c, NO_CONTACT, g]
            reporting += pop[c, DOCKET, g] + pop[c, FINAL, g]
    per_pickup = pv[P.arrests_officer_days_per_custodial]
    pickup = officer_days * pv[P.arrests_jail_pickup_time_share] / max(per_pickup, _EPS)
    custodial = min(transfers, pickup)
    scale = custodial / transfers if transfers > _EPS else 0.0
    effort = max(officer_days - custodial * per_pickup, 0.0) + task_force_days
    a = pv[P.arrests_search_rate]
    h = pv[P.arrests_officer_days_per_at_large]
    at_large = effort * a * findable / (1.0 + a * h * findable)
    collateral = at_large * pv[P.arrests_collateral_share]
    # check-in and courthouse arrests: at most the people who report in a day, ATD enrollees
    # (monthly, on average) and people at their hearings (as many as the judges hear a day)
    hearings = (pv[P.courts_judges] + pv[P.courts_temporary_judges]) * pv[
        P.courts_hearings_per_judge_year] / 365.0
    check_in = min(pv[P.arrests_check_in_per_day], atd / 30.0 + hearings)
    for c in range(N_COHORT):
        for s in range(N_STATUS - 1):
            for g in range(N_GROUP):
                n = pop[c, s, g]
                taken = 0.0
                taken += n * jail_rate * scale
                if findable > _EPS:
                    taken += at_large * leads[c, s, g] / findable
                if s == NO_CONTACT and no_contact > _EPS:
                    taken += collateral * n / no_contact
                if s in (DOCKET, FINAL) and reporting > _EPS:
                    taken += check_in * n / reporting
                arrested[c, s, g] = min(taken, 0.05 * n)
    rec[R.arrests_custodial] = custodial
    rec[R.arrests_at_large] = at_large + collateral
    rec[R.arrests_check_in] = check_in


@njit(cache=True, error_model="numpy")
def take_arrested(pop, arrested, held, wanted, stop, rec):
    """Take the arrested who were booked in out of their cells; release the others where they are.

    Each cell loses the share of its group and status that found a bed (``held`` over ``wanted``,
    both by group and status): beds and transport take some nationalities and statuses more than
    others, and no one changes nationality or status at arrest. When arrests stop at full beds
    (``stop``), the others were never arrested; otherwise they are released: a Notice to Appear
    puts those with no case on the docket.
    Returns the number released at arrest.
    """
    for c in range(N_COHORT):
        for s in range(N_STATUS - 1):
            for g in range(N_GROUP):
                n = arrested[c, s, g]
                if n <= _EPS or pop[c, s, g] <= _EPS:
                    continue
                gone = n * held[g, s] / max(wanted[g, s], _EPS)
                take(pop, c, s, g, gone / pop[c, s, g])
                arrested[c, s, g] = n - gone  # now: those released at arrest
    released = 0.0
    if stop:
        return released
    for c in range(N_COHORT):  # a second pass: a release may add to a docket cell taken above
        for s in range(N_STATUS - 1):
            for g in range(N_GROUP):
                back = arrested[c, s, g]
                if back <= _EPS or pop[c, s, g] <= _EPS:
                    continue
                released += back
                if s in (NO_CONTACT, ENDED, CLOSED):
                    move(pop, c, s, g, back / max(pop[c, s, g], _EPS), DOCKET)
                    rec[R.court_receipts] += back
    return released


@njit(cache=True, error_model="numpy")
def route(pv, arrested, wants, post):
    """The legal route the law allows for each arrested cell.

    Final orders: removal under the order. Prior removal: reinstatement. In the recent cohort,
    expedited removal only when the policy in force covers 2 years anywhere, and only for people
    who entered without inspection (not visa overstays); parolees whose parole ended only where
    the policy applies it to them. People on the docket stay in proceedings unless their case is
    dismissed for expedited removal (2025): their summary cases, of origin ``docket``, count as
    dismissals once they are held. Everyone else gets a Notice to Appear: stipulated removal,
    voluntary departure from detention, or a court case, detained or released.
    """
    expedited = pv[P.pathways_expedited_removal] > 0.5
    fear = pv[P.pathways_fear_claim_share]
    stipulated = pv[P.pathways_stipulated_share]
    vd = pv[P.pathways_voluntary_departure_share]
    for c in range(N_COHORT):
        for s in range(N_STATUS - 1):
            for g in range(N_GROUP):
                n = arrested[c, s, g]
                if n <= 0.0:
                    continue
                if s == FINAL:
                    post[JUDGE, g, s] += n
                    continue
                if s == PRIOR:
                    wants[K_REINSTATE, g, s] += n * (1.0 - fear)
                    wants[K_FEAR_REINSTATE, g, s] += n * fear
                    continue
                summary = 0.0
                if expedited and c == RECENT:
                    if s == DOCKET:
                        summary = n * pv[P.pathways_dismiss_for_expedited]
                    elif s == ENDED:
                        summary = n * pv[P.pathways_expedited_for_parolees]
                    else:
                        summary = n * pv[P.pathways_entered_without_inspection_share]
                wants[K_ER, g, s] += summary * (1.0 - fear)
                wants[K_FEAR_ER, g, s] += summary * fear
                notice = n - summary
                if s == DOCKET:  # already in proceedings: the case goes on, detained or not
                    wants[K_COURT, g, s] += notice
                    continue
                post[STIPULATED, g, s] += notice * stipulated
                post[VD_DETAINED, g, s] += notice * vd
                wants[K_COURT, g, s] += notice * (1.0 - stipulated - vd)


@njit(cache=True, error_model="numpy")
def transport_capacity(pv, mode, air_taken):
    """People a day one transport mode can remove (0: land to Mexico; 1: air for the others, less
    the charter seats ``air_taken`` by Title 42 expulsions)."""
    if mode == 0:
        return pv[P.removal_land_per_day]
    return max(pv[P.removal_charter_flights_per_day] * pv[P.removal_seats_per_flight] * pv[
        P.removal_load_factor] - air_taken, 0.0) + pv[P.removal_commercial_per_day]


@njit(cache=True, error_model="numpy")
def hold_for_transport(pv, det, wait, ready, zwait, wants, post, released, pre_refused, air_taken):
    """ICE holds people bound for removal only as far as their transport can take them soon.

    For each transport mode (land to Mexico; air for the other groups), a newcomer may wait for a
    seat at most ``transport_wait_days`` of that mode's daily capacity (after the seats Title 42
    expulsions take) once ready to go: a management rule, the line ``review_custody`` keeps for
    the people ready in ICE beds. Everyone already on the way is ahead of the newcomer: summary
    cases in processing, orders waiting for documents or seats, in ICE beds or in CBP custody.
    A newcomer of group ``g`` is ready only after a lead (for a summary case its processing,
    ``summary_days`` or ``mexico_summary_days`` by land, then the group's travel-document wait;
    for an order, the document wait; the recalcitrant group's wait counted at most to
    ``release_after_days``, when ICE releases those still without one), and the mode flies its
    capacity times that lead meanwhile, so the group's newcomers (their leads averaged, weighted
    by the summary cases' share) are held while the line is below ``capacity *
    (transport_wait_days + lead)``. Fear claims are not in the line: they are
    weeks from a screening, and some go to court. New cases past that are not admitted: border
    cases are released (DHS may put them in removal proceedings instead), interior ones counted
    in ``pre_refused``. So a scarce mode fills only its own queue, never the beds others need.
    """
    post_by_group = group_totals(post)  # (land cuts do not touch the air groups' totals)
    for mode in range(2):  # 0: land (Mexico), 1: air (the other groups)
        queued = 0.0
        for g in range(N_GROUP):
            if (g == MEXICO) != (mode == 0):
                continue
            for kind in (K_ER, K_REINSTATE):
                queued += row(det, kind, g)
            for r in range(N_ROUTE):  # CBP custody's line takes the same seats
                queued += row(wait, r, g) + row(ready, r, g)
        if mode == 1:  # the recalcitrant waiting for a document; not those no country takes
            for r in range(N_ROUTE):
                for o in range(N_ORIGIN):
                    queued += zwait[ACCEPTING, r, o]
        capacity = transport_capacity(pv, mode, air_taken)
        processing = pv[P.detention_mexico_summary_days if mode == 0
                        else P.detention_summary_days]
        for g in range(N_GROUP):
            if (g == MEXICO) != (mode == 0):
                continue
            summary = row(wants, K_ER, g) + row(wants, K_REINSTATE, g)
            coming = summary + post_by_group[g]
            if coming <= _EPS:
                continue
            document = pv[P.removal_document_days_mexico + g]
            if g == RECALCITRANT:
                document = min(document, pv[P.detention_release_after_days])
            lead = processing * summary / coming + document
            room = max(capacity * (pv[P.detention_transport_wait_days] + lead) - queued, 0.0)
            if coming <= room:
                continue
            keep = room / coming
            for o in range(N_ORIGIN):
                turned = 0.0
                for kind in (K_ER, K_REINSTATE):
                    turned += wants[kind, g, o] * (1.0 - keep)
                    wants[kind, g, o] *= keep
                for r in range(N_ROUTE):
                    turned += post[r, g, o] * (1.0 - keep)
                    post[r, g, o] *= keep
                if o == BORDER:
                    released[g, o] += turned
                else:
                    pre_refused[g, o] += turned


@njit(cache=True, error_model="numpy")
def bed_classes(pv, wants, post, demand):
    """The day's demand for beds by class, the fastest removals first.

    Summary cases (detention the law requires, and days from removal) come first: Mexicans',
    removed by land (0), before the others', which wait for a flight (1); then final orders, also
    held by law during the removal period (2); stipulated and voluntary-departure cases (3); fear
    claims, held by law but weeks from a screening (4); court cases in the mandatory-detention
    classes (5); discretionary court cases, border ones included (6).
    """
    mandatory = pv[P.pathways_mandatory_detention_share]
    border_court = 0.0
    for g in range(N_GROUP):
        border_court += wants[K_COURT, g, BORDER]
    interior_court = kind_total(wants, K_COURT) - border_court
    demand[:] = 0.0
    for kind in (K_ER, K_REINSTATE, K_FEAR_ER, K_FEAR_REINSTATE):
        for g in range(N_GROUP):
            demand[summary_class(kind, g)] += row(wants, kind, g)
    demand[2] = kind_total(post, JUDGE)
    demand[3] = kind_total(post, STIPULATED) + kind_total(post, VD_DETAINED)
    demand[5] = interior_court * mandatory
    demand[6] = interior_court * (1.0 - mandatory) + border_court


@njit(cache=True, error_model="numpy", inline="always")
def summary_class(kind, g):
    """Bed class (``bed_classes``) of a summary case or fear claim of group ``g``: 0 Mexicans'
    summary cases, 1 the others', 4 fear claims."""
    if kind in (K_FEAR_ER, K_FEAR_REINSTATE):
        return 4
    return 0 if g == MEXICO else 1


@njit(cache=True, error_model="numpy")
def fill_border_room(wants, room, released):
    """Keep the people CBP arrested whom the border's share of beds can hold, class by class in
    the order of ``bed_classes`` (their court cases, held at discretion, last); the rest are
    released (``released``) and ``wants`` keeps those held."""
    for cls in (0, 1, 4, 6):
        n = 0.0
        for kind in range(K_APPEAL):  # (no one arrives on appeal)
            for g in range(N_GROUP):
                if border_class(kind, g) == cls:
                    n += wants[kind, g, BORDER]
        keep = min(1.0, max(room, 0.0) / n) if n > _EPS else 1.0
        room -= n * keep
        for kind in range(K_APPEAL):
            for g in range(N_GROUP):
                if border_class(kind, g) == cls:
                    released[g, BORDER] += wants[kind, g, BORDER] * (1.0 - keep)
                    wants[kind, g, BORDER] *= keep


@njit(cache=True, error_model="numpy", inline="always")
def border_class(kind, g):
    """Bed class (``bed_classes``) of a border case: its court case 6 (held at discretion), else
    as ``summary_class``."""
    return 6 if kind == K_COURT else summary_class(kind, g)


@njit(cache=True, error_model="numpy")
def admit(demand, free, free_share):
    """Fill free beds class by class (``bed_classes``), the fastest removals first.

    A case that arrives when beds are full is released (or, by policy, not arrested), so more
    arrests can never push out a faster removal. Fills ``free_share`` with each class's admitted
    share.
    """
    for i in range(demand.size):
        free_share[i] = min(1.0, free / demand[i]) if demand[i] > _EPS else 1.0
        free -= demand[i] * free_share[i]


@njit(cache=True, error_model="numpy")
def release_court_cases(pop, months, det, discretionary, n, mandatory_too, origin):
    """Release up to ``n`` detained court cases to the docket, discretionary detention first.

    People ICE holds at its discretion (interior cases outside the mandatory-detention classes,
    and border cases, which are eligible for parole) are released on bond, parole or recognizance;
    people the law requires ICE to detain only when ``mandatory_too`` (beds cut below them).
    ``discretionary`` holds, per cell, the people in ``det[K_COURT]`` held at ICE's discretion.
    ``origin`` limits the release to the people of one origin (-1: every origin).
    Returns the number released; they join the docket (their case goes on) in their own cohort
    as far as the model knows it: recent entrants if CBP arrested them, settled residents if not.
    """
    pool = 0.0
    court = 0.0
    for g in range(N_GROUP):
        for o in range(N_ORIGIN):
            if origin < 0 or o == origin:
                pool += discretionary[g, o]
                court += det[K_COURT, g, o]
    if n <= _EPS or court <= _EPS:
        return 0.0
    first = min(n / pool, 1.0) if pool > _EPS else 0.0
    rest = 0.0
    if mandatory_too and n > pool * first + _EPS and court - pool > _EPS:
        rest = min((n - pool * first) / (court - pool), 1.0)
    out = 0.0
    for g in range(N_GROUP):
        for o in range(N_ORIGIN):
            if origin >= 0 and o != origin:
                continue
            free = discretionary[g, o] * first
            held = (det[K_COURT, g, o] - discretionary[g, o]) * rest
            discretionary[g, o] -= free
            det[K_COURT, g, o] -= free + held
            gone = free + held
            if gone > 0.0:  # back to their own cohort: border cases are recent entrants;
                # a withholding-only case is at large with its reinstated order
                put(pop, months, RECENT if o == BORDER else SETTLED,
                    PRIOR if o == PRIOR else DOCKET, g, gone)
                out += gone
    return out


@njit(cache=True, error_model="numpy")
def release_on_bond(pv, pop, months, det, discretionary):
    """Court cases held at ICE's discretion, released on bond or parole before their case ends.

    INA 236(a) lets ICE, or a judge at a bond hearing, release a person in proceedings who is not
    in a mandatory-detention class on bond or conditional parole; people CBP arrested between the
    ports entered without inspection and had the same hearings, until the law in force treated
    them as applicants for admission, held under INA 235(b) (the share
    ``detention.border_bond_eligible_share``). ``detention.bond_release_share`` is the share so
    released before a detained case that took ``courts.detained_case_days`` would end: a daily
    rate of share / ((1 - share) x days), competing with the case's end. Returns the number
    released; they join the docket, their case going on.
    """
    share = min(max(pv[P.detention_bond_release_share], 0.0), 0.99)
    if share <= 0.0:
        return 0.0
    rate = min(share / ((1.0 - share) * max(pv[P.courts_detained_case_days], 1.0)), 1.0)
    out = 0.0
    for o in range(N_ORIGIN):
        pool = 0.0
        for g in range(N_GROUP):
            pool += discretionary[g, o]
        here = rate * pv[P.detention_border_bond_eligible_share] if o == BORDER else rate
        if pool > _EPS and here > 0.0:
            out += release_court_cases(pop, months, det, discretionary, pool * here, False, o)
    return out


@njit(cache=True, error_model="numpy")
def reclassify_held(det, discretionary, before, after):
    """A change in who the law requires ICE to detain applies to people already held.

    When the mandatory-detention share of interior court cases moves from ``before`` to
    ``after``, the same share of the interior court cases held at ICE's discretion becomes
    mandatory (or of those held by law, discretionary), as for new cases. Withholding-only cases
    (origin ``PRIOR``: reinstated orders) are held under INA 241(a) either way.
    """
    if after == before:
        return
    for g in range(N_GROUP):
        for o in range(BORDER):
            if o == PRIOR:  # withholding-only cases: held under INA 241(a) whatever the share
                continue
            if after > before:
                discretionary[g, o] *= (1.0 - after) / max(1.0 - before, _EPS)
            else:
                held = det[K_COURT, g, o] - discretionary[g, o]
                discretionary[g, o] += held * (before - after) / max(before, _EPS)


@njit(cache=True, error_model="numpy")
def screen(pv, det, wants_court, released, rec):
    """Credible and reasonable fear screenings: positive findings go to court.

    Each kind of screening has its own positive rate. ``wants_court[0]`` gets the positive
    credible-fear findings (expedited removal): full removal proceedings. ``wants_court[1]`` gets
    the positive reasonable-fear findings (a reinstated order): withholding-only proceedings
    (8 CFR 208.31(e)), in which the person stays detained under INA 241(a) with no bond hearing
    (Johnson v. Guzman Chavez, 594 U.S. 523 (2021)).
    """
    capacity = (pv[P.pathways_asylum_officers] + pv[P.pathways_border_patrol_screeners]) * pv[
        P.pathways_screenings_per_officer_day]
    waiting = kind_total(det, K_FEAR_ER) + kind_total(det, K_FEAR_REINSTATE)
    demand = waiting / pv[P.pathways_fear_screening_days]
    done = min(demand, capacity)
    credible = pv[P.pathways_fear_positive_rate]
    reasonable = pv[P.pathways_reasonable_fear_positive_rate]
    if waiting > _EPS:
        share = done / waiting
        for g in range(N_GROUP):
            for o in range(N_ORIGIN):
                for i, kind, back, positive in ((0, K_FEAR_ER, K_ER, credible),
                                                (1, K_FEAR_REINSTATE, K_REINSTATE, reasonable)):
                    out = det[kind, g, o] * share
                    det[kind, g, o] -= out
                    det[back, g, o] += out * (1.0 - positive)
                    wants_court[i, g, o] += out * positive
    rec[R.fear_screenings] = done
    # past the longest wait, claimants are released: to the docket with a Notice to Appear, or
    # at large with a reinstated order (origin PRIOR, no new case)
    waiting = kind_total(det, K_FEAR_ER) + kind_total(det, K_FEAR_REINSTATE)
    limit = capacity * pv[P.pathways_fear_max_wait_days]
    if waiting > limit:
        share = (waiting - limit) / waiting
        for g in range(N_GROUP):
            for o in range(N_ORIGIN):
                for kind in (K_FEAR_ER, K_FEAR_REINSTATE):
                    out = det[kind, g, o] * share
                    det[kind, g, o] -= out
                    released[g, o] += out
                    if o != PRIOR:
                        rec[R.court_receipts] += out
    return done < demand - _EPS


@njit(cache=True, error_model="numpy")
def courts(pv, pop, months, det, wait, bia, ledger, rec):
    """EOIR: the detained docket first, then the non-detained docket; appeals to the Board.

    Judge time per completion depends on the outcome: in absentia orders, dismissals and closures
    take ``quick_decision_weight`` of a hearing. Relief leaves the unauthorized population; a
    dismissed or closed case leaves the person unauthorized (``case_closed``). Cases of people who
    left or died stay pending (``ledger[0]``) until a judge closes them in absentia.
    Returns (court bound, exits from the population).
    """
    judges = pv[P.courts_judges] + pv[P.courts_temporary_judges]
    hearings = judges * pv[P.courts_hearings_per_judge_year] / 365.0
    quick = pv[P.courts_quick_decision_weight]
    appeal = pv[P.courts_appeal_share]
    affirm = pv[P.courts_bia_affirm_share]
    exits = 0.0
    orders = 0.0
    # detained cases: orders, relief, or dismissal (released with no case open); a
    # withholding-only case (origin PRIOR: a reinstated order) cannot be dismissed: the
    # reinstated order is carried out (the judge issues no new one) unless withholding or CAT
    # protection is granted, which bars removal home and, as relief does here, takes the person
    # out of the removable population (removal to a third country is not modelled)
    detained = kind_total(det, K_COURT)
    want_d = detained / pv[P.courts_detained_case_days]
    done_d = min(want_d, hearings)
    order_d = pv[P.courts_detained_order_share]
    relief_d = min(pv[P.courts_detained_relief_share], 1.0 - order_d)
    only_d = 0.0
    if detained > _EPS:
        share = done_d / detained
        for g in range(N_GROUP):
            for o in range(N_ORIGIN):
                out = det[K_COURT, g, o] * share
                det[K_COURT, g, o] -= out
                ordered = order_d
                if o == PRIOR:  # withholding-only: the reinstated order, unless protected
                    ordered = 1.0 - relief_d
                    only_d += out
                det[K_APPEAL, g, o] += out * ordered * appeal
                wait[REINSTATE if o == PRIOR else JUDGE, g, o] += out * ordered * (1.0 - appeal)
                put(pop, months, RECENT if o == BORDER else SETTLED, CLOSED, g,
                    out * max(1.0 - ordered - relief_d, 0.0))
    full_d = done_d - only_d
    exits += done_d * relief_d
    orders += full_d * order_d
    rec[R.court_completions_detained] = done_d
    rec[R.court_removal_order] += full_d * order_d
    rec[R.court_relief] += done_d * relief_d
    rec[R.court_dismissal] += full_d * (1.0 - order_d - relief_d)
    rec[R.relief_granted] += done_d * relief_d
    # detained appeals: the Board decides them first; remanded cases go back to a judge
    bia_capacity = pv[P.courts_bia_appeals_per_year] / 365.0
    appeals_d = kind_total(det, K_APPEAL)
    decided_d = min(appeals_d / 30.0, bia_capacity)
    if appeals_d > _EPS:
        share = decided_d / appeals_d
        for g in range(N_GROUP):
            for o in range(N_ORIGIN):
                out = det[K_APPEAL, g, o] * share
                det[K_APPEAL, g, o] -= out
                wait[REINSTATE if o == PRIOR else JUDGE, g, o] += out * affirm
                det[K_COURT, g, o] += out * (1.0 - affirm)
        rec[R.court_receipts] += decided_d * (1.0 - affirm)
    # non-detained cases: what judge time is left, at the mix's time per case
    absentia = pv[P.courts_in_absentia_share]
    hearing_order = pv[P.courts_removal_order_share]
    vd = pv[P.courts_voluntary_departure_share]
    relief = pv[P.courts_relief_share]
    closure = pv[P.courts_administrative_closure_share]
    dismissal = max(1.0 - absentia - hearing_order - vd - relief - closure, 0.0)
    time_per_case = (absentia + dismissal + closure) * quick + hearing_order + vd + relief
    capacity = max(hearings - done_d, 0.0) / max(time_per_case, _EPS)
    docket = 0.0
    recent_docket = 0.0
    for g in range(N_GROUP):
        recent_docket += pop[RECENT, DOCKET, g]
        for c in range(N_COHORT):
            docket += pop[c, DOCKET, g]
    cases = docket + ledger[0]
    done = min(cases / pv[P.courts_min_case_days], capacity)
    # cases of people who left are closed in absentia, in proportion
    gone_cases = done * ledger[0] / cases if cases > _EPS else 0.0
    ledger[0] -= gone_cases
    rec[R.court_in_absentia] += gone_cases
    orders += gone_cases
    here = done - gone_cases
    rocket = pv[P.courts_rocket_docket_share]
    fail = pv[P.courts_departure_failure_share]
    # the rocket docket gives its share of decisions to recent cases, with its own no-show rate
    fast = min(here * rocket, recent_docket)
    for c in range(N_COHORT):
        for g in range(N_GROUP):
            n = pop[c, DOCKET, g]
            if n <= _EPS:
                continue
            share = (here - fast) / docket
            absent = absentia
            if c == RECENT and recent_docket > _EPS:
                share += fast / recent_docket
                if share > _EPS:
                    mixed = (fast / recent_docket) / share
                    absent = absentia + mixed * (pv[P.courts_rocket_in_absentia_share] - absentia)
            if share <= _EPS:
                continue
            share = min(share, 1.0)
            decided = n * share
            hearing_share = hearing_order * (1.0 - absent) / max(1.0 - absentia, _EPS)
            rest = (1.0 - absent - hearing_share) / max(1.0 - absentia - hearing_order, _EPS)
            vd_c, relief_c = vd * rest, relief * rest
            closed_c = (dismissal + closure) * rest
            to_final = absent + hearing_share * (1.0 - appeal) + vd_c * fail
            # the decided share leaves the docket: to final orders, appeals, closed cases, or out
            move(pop, c, DOCKET, g, share * to_final, FINAL)
            left = 1.0 - share * to_final
            move(pop, c, DOCKET, g, share * closed_c / left, CLOSED)
            left -= share * closed_c
            take(pop, c, DOCKET, g, share * (hearing_share * appeal + vd_c * (
                1.0 - fail) + relief_c) / max(left, _EPS))
            bia[c, g] += decided * hearing_share * appeal
            exits += decided * (vd_c * (1.0 - fail) + relief_c)
            orders += decided * (absent + hearing_share)
            rec[R.court_in_absentia] += decided * absent
            rec[R.court_removal_order] += decided * hearing_share
            rec[R.court_voluntary_departure] += decided * vd_c
            rec[R.court_relief] += decided * relief_c
            rec[R.court_dismissal] += decided * dismissal * rest
            rec[R.court_administrative_closure] += decided * closure * rest
            rec[R.voluntary_departures] += decided * vd_c * (1.0 - fail)
            rec[R.relief_granted] += decided * relief_c
    rec[R.court_completions_non_detained] = done
    rec[R.removal_orders] = orders
    # non-detained appeals: the Board's remaining capacity; affirmed orders become final,
    # remanded cases go back on the docket
    pending = total(bia)
    decided = min(pending / 180.0, max(bia_capacity - decided_d, 0.0))
    if pending > _EPS:
        share = decided / pending
        for c in range(N_COHORT):
            for g in range(N_GROUP):
                out = bia[c, g] * share
                bia[c, g] -= out
                put(pop, months, c, FINAL, g, out * affirm)
                put(pop, months, c, DOCKET, g, out * (1.0 - affirm))
        rec[R.court_receipts] += decided * (1.0 - affirm)
    return done_d < want_d - _EPS, exits


@njit(cache=True, error_model="numpy")
def review_custody(pv, ready, pop, months, air_taken, rec):
    """Post-order custody review: people with orders whom no seat can take soon are released.

    In each transport mode, the people ready to go (documents in hand) who wait in ICE beds past
    ``transport_wait_days`` of the mode's seats (after those Title 42 expulsions take) are taken
    for people no seat can take soon, a management rule. ICE must hold them through the 90-day
    removal period and reviews their custody after it (8 U.S.C. 1231(a); 8 CFR 241.4; Zadvydas v.
    Davis: six months presumptively reasonable), so the excess is released on an order of
    supervision at the rate ``1 / release_after_days``, to the population at large with a final
    order (as the 180-day releases of ``documents``). The rate starts at once, so the first of
    these releases come sooner than the removal period allows: a simplification.
    """
    rate = 1.0 / max(pv[P.detention_release_after_days], 1.0)
    for mode in range(2):
        seated = 0.0
        for g in range(N_GROUP):
            if (g == MEXICO) == (mode == 0):
                for r in range(N_ROUTE - 1):  # the CBP route waits in CBP custody, not in ICE beds
                    seated += row(ready, r, g)
        room = transport_capacity(pv, mode, air_taken) * pv[P.detention_transport_wait_days]
        if seated <= room + _EPS:
            continue
        share = (seated - room) / seated * rate
        for g in range(N_GROUP):
            if (g == MEXICO) != (mode == 0):
                continue
            out = 0.0
            for r in range(N_ROUTE - 1):
                for o in range(N_ORIGIN):
                    n = ready[r, g, o] * share
                    ready[r, g, o] -= n
                    out += n
            put(pop, months, SETTLED, FINAL, g, out)
            rec[R.released_on_supervision] += out


@njit(cache=True, error_model="numpy")
def documents(pv, wait, clock, zwait, day, ready, released, third, rec):
    """Travel documents: each group waits its own time. The recalcitrant group waits in two pools
    (``zwait[ACCEPTING]``, ``zwait[REFUSED]``), split on entry by
    ``recalcitrant_accepting_share`` (but for those ICE removes from CBP custody, taken only where
    their country takes removals, all in the first): documents come only in the first, on the
    fixed 180-day clock (release under Zadvydas); no country takes the second, released at the
    custody review after ``no_removal_release_days`` (the end of the 90-day removal period).
    Third countries take people from both.

    ``clock[p, k]`` holds the people of pool ``p`` who began waiting on day ``k`` (mod the ring),
    divided by the pool's survival factor ``clock[p, -1]``, so a daily outflow from every slot
    costs one product. Fills ``released`` (each pool at its release clock) and ``third`` (removed
    to a third country), each by route and origin.
    """
    for g in range(N_GROUP):
        if g == RECALCITRANT:
            continue
        rate = 1.0 / pv[P.removal_document_days_mexico + g]
        for r in range(N_ROUTE):
            for o in range(N_ORIGIN):
                out = wait[r, g, o] * rate
                wait[r, g, o] -= out
                ready[r, g, o] += out
    slots = ZADVYDAS_SLOTS
    released[:] = 0.0
    third[:] = 0.0
    waiting = total(zwait)
    if waiting > _EPS:
        pools = (kind_total(zwait, ACCEPTING), kind_total(zwait, REFUSED))
        documented = pools[ACCEPTING] / pv[P.removal_document_days_recalcitrant]
        sent = min(pv[P.removal_third_country_per_year] / 365.0, waiting - documented)
        for p in range(2):
            pool = pools[p]
            if pool <= _EPS:
                continue
            got = documented if p == ACCEPTING else 0.0
            out = sent * (pool / waiting)
            keep = 1.0 - (got + out) / pool
            clock[p, slots] *= keep
            release = (P.detention_release_after_days if p == ACCEPTING
                       else P.detention_no_removal_release_days)
            days = min(int(pv[release]), slots - 1)
            slot = (day - days) % slots
            expiring = min(clock[p, slot] * clock[p, slots], pool * keep)
            clock[p, slot] = 0.0
            for r in range(N_ROUTE):
                for o in range(N_ORIGIN):
                    share = zwait[p, r, o] / pool
                    ready[r, RECALCITRANT, o] += got * share
                    third[r, o] += out * share
                    gone = expiring * share
                    released[r, o] += gone
                    zwait[p, r, o] = zwait[p, r, o] * keep - gone
            if p == ACCEPTING:
                rec[R.released_180_days] = expiring
            else:
                rec[R.released_on_supervision] += expiring
    for p in range(2):
        if clock[p, slots] < 1e-150:  # renormalise the survival factor before it underflows
            for k in range(slots):
                clock[p, k] *= clock[p, slots]
            clock[p, slots] = 1.0
    entering = np.zeros(2)
    for r in range(N_ROUTE):
        # those removed from CBP custody were taken only if their country takes removals (border)
        accepting = 1.0 if r == CBP else pv[P.removal_recalcitrant_accepting_share]
        for o in range(N_ORIGIN):
            n = wait[r, RECALCITRANT, o]
            zwait[ACCEPTING, r, o] += n * accepting
            zwait[REFUSED, r, o] += n * (1.0 - accepting)
            entering[ACCEPTING] += n * accepting
            entering[REFUSED] += n * (1.0 - accepting)
            wait[r, RECALCITRANT, o] = 0.0
    for p in range(2):
        clock[p, day % slots] += entering[p] / clock[p, slots]


@njit(cache=True, error_model="numpy")
def remove(pv, ready, seats_taken, out, by_group, rec):
    """Removal by nationality group: Mexico by land; the others by charter seats (shared by demand)
    and commercial seats (cooperative and recalcitrant groups only).

    Fills ``out`` with the removed by route, group and origin (``by_group``, shape (4, groups), is
    work space). Returns whether transport bound.
    """
    out[:] = 0.0
    by_group[:] = 0.0
    want, can, comm, held = by_group[0], by_group[1], by_group[2], by_group[3]
    staging = pv[P.removal_staging_days]
    ready_by_group = group_totals(ready)
    for g in range(N_GROUP):
        held[g] = ready_by_group[g]
        want[g] = held[g] / staging
    charter = max(pv[P.removal_charter_flights_per_day] * pv[P.removal_seats_per_flight] * pv[
        P.removal_load_factor] - seats_taken, 0.0)
    commercial = pv[P.removal_commercial_per_day]
    can[MEXICO] = min(want[MEXICO], pv[P.removal_land_per_day])
    # commercial seats first for the groups that can use them, then charters by demand
    comm_demand = want[COOPERATIVE] + want[RECALCITRANT]
    if comm_demand > _EPS:
        for g in (COOPERATIVE, RECALCITRANT):
            comm[g] = min(want[g], commercial * want[g] / comm_demand)
    air_demand = want[TRIANGLE] + want[COOPERATIVE] - comm[COOPERATIVE] + want[
        RECALCITRANT] - comm[RECALCITRANT]
    fill = min(1.0, charter / air_demand) if air_demand > _EPS else 1.0
    air = 0.0
    for g in (TRIANGLE, COOPERATIVE, RECALCITRANT):
        can[g] = comm[g] + (want[g] - comm[g]) * fill
        air += can[g]
    bound = False
    for g in range(N_GROUP):
        if can[g] < want[g] - _EPS:
            bound = True
        if held[g] > _EPS:
            share = can[g] / held[g]
            for r in range(N_ROUTE):
                for o in range(N_ORIGIN):
                    n = ready[r, g, o] * share
                    ready[r, g, o] -= n
                    out[r, g, o] = n
    rec[R.removals_land] = can[MEXICO]
    rec[R.removals_air] = air
    return bound


@njit(cache=True, error_model="numpy")
def depart(pv, pop, intensity, ledger, rec):
    """Self-departure (a base rate by cohort, raised by enforcement), paid departure and deaths.

    The court cases of people on the docket who leave stay pending (``ledger[0]``).
    """
    factor = max(0.0, 1.0 + pv[P.departures_enforcement_response] * (intensity - 1.0))
    population = total(pop)
    paid = pv[P.departures_paid_per_year] / 365.0
    paid_share = paid / population if population > _EPS else 0.0
    mortality = pv[P.population_mortality_per_year] / 365.0
    departed = 0.0
    died = 0.0
    for c in range(N_COHORT):
        base = pv[P.departures_self_departure_rate_recent + c] / 365.0 * factor
        for s in range(N_STATUS):
            rate = base + paid_share if s != PROTECTED else base
            share = min(rate + mortality, 0.5)
            for g in range(N_GROUP):
                departed += pop[c, s, g] * (share - min(mortality, share))
                died += pop[c, s, g] * min(mortality, share)
                if s == DOCKET:
                    ledger[0] += pop[c, s, g] * share
                take(pop, c, s, g, share)
    rec[R.self_departures] = departed
    rec[R.deaths] = died
    return departed + died


@njit(cache=True, error_model="numpy")
def _simulate_draw(
    series, changes, mult, add, lo, hi, fy_index, target, d, year_sum, year_end, binding, summary,
    daily,
):
    n_days = series.shape[0]
    n_inputs = series.shape[1]
    pv = np.zeros(n_inputs)
    for p in range(n_inputs):
        pv[p] = _value(series, mult, add, lo, hi, 0, d, p)
    pop = np.zeros((N_COHORT, N_STATUS, N_GROUP))
    months = np.zeros(MONTHS_RECENT + 1)
    partition(pv, pop, months)
    start_pop = pop.copy()
    start_months = months.copy()
    peak = np.zeros((N_COHORT, N_STATUS, N_GROUP))
    peak[:] = pop
    det = np.zeros((N_KIND, N_GROUP, N_ORIGIN))
    wait = np.zeros((N_ROUTE, N_GROUP, N_ORIGIN))
    ready = np.zeros((N_ROUTE, N_GROUP, N_ORIGIN))
    zwait = np.zeros((2, N_ROUTE, N_ORIGIN))  # the recalcitrant wait, pools ACCEPTING, REFUSED
    bia = np.zeros((N_COHORT, N_GROUP))
    ledger = np.zeros(1)  # pending court cases of people who left or died
    wants = np.zeros((N_KIND, N_GROUP, N_ORIGIN))
    post = np.zeros((N_ROUTE, N_GROUP, N_ORIGIN))
    released = np.zeros((N_GROUP, N_ORIGIN))
    discretionary = np.zeros((N_GROUP, N_ORIGIN))  # of det[K_COURT]: held at ICE's discretion
    # CBP transfers held until ICE releases them on processing: on recognizance, on parole
    processing = np.zeros((2, N_GROUP))
    processing_in = np.zeros((2, N_GROUP))
    arrested = np.zeros((N_COHORT, N_STATUS, N_GROUP))
    admitted = np.zeros(7)
    demand = np.zeros(7)
    rec = np.zeros(N_RECORD)
    # work space of the stages, allocated once
    leads = np.zeros((N_COHORT, N_STATUS, N_GROUP))
    pre_refused = np.zeros((N_GROUP, N_ORIGIN))
    wanted = np.zeros((N_GROUP, N_ORIGIN))  # by the group and status of the arrested
    held = np.zeros((N_GROUP, N_ORIGIN))
    wants_court = np.zeros((2, N_GROUP, N_ORIGIN))
    zreleased = np.zeros((N_ROUTE, N_ORIGIN))
    third = np.zeros((N_ROUTE, N_ORIGIN))
    removed_cells = np.zeros((N_ROUTE, N_GROUP, N_ORIGIN))
    by_group = np.zeros((4, N_GROUP))
    by_route = np.zeros(N_ROUTE)
    by_nationality = np.zeros(N_GROUP)
    by_origin = np.zeros(N_ORIGIN)
    atd = 0.0
    usable = pv[P.detention_beds] * pv[P.detention_usable_share] * pv[
        P.detention_pandemic_capacity_share]
    most_beds = usable
    clock = np.zeros((2, ZADVYDAS_SLOTS + 1))
    clock[:, ZADVYDAS_SLOTS] = 1.0
    intensity = 1.0
    removed_yesterday = 0.0
    start_total = 0.0
    inflow_total = 0.0
    exits_total = 0.0
    target_mask = target[:N_ORIGIN]
    target_n = target[N_ORIGIN]
    per_year = target[N_ORIGIN + 1] > 0.5
    window = np.zeros(366)
    counted = 0.0
    trailing = 0.0
    reached = -1.0
    peak_detained = 0.0
    month_clock = 0.0
    for step in range(n_days + WARMUP_DAYS):
        t = step - WARMUP_DAYS
        if t == 0:  # the pipeline is warmed up: restore the partition and start counting
            pop[:] = start_pop
            months[:] = start_months
            bia[:] = 0.0
            ledger[:] = 0.0
            peak[:] = pop
            start_total = (pop.sum() + det.sum() + wait.sum() + ready.sum() + zwait.sum()
                           + bia.sum() + processing.sum())
            inflow_total = 0.0
            exits_total = 0.0
        rec[:] = 0.0
        if t > 0 and changes[t]:  # inputs only change on dated values
            held_before = pv[P.pathways_mandatory_detention_share]
            for p in range(n_inputs):
                pv[p] = _value(series, mult, add, lo, hi, t, d, p)
            reclassify_held(det, discretionary, held_before,
                            pv[P.pathways_mandatory_detention_share])
        month_clock += 1.0
        if month_clock >= DAYS_PER_MONTH:
            month_clock -= DAYS_PER_MONTH
            age(pop, months)
        # the 2-10 year cohort ages into the long-term cohort (8 years wide)
        for s in range(N_STATUS):
            for g in range(N_GROUP):
                older = pop[SETTLED, s, g] / (SETTLED_YEARS * 365.25)
                pop[SETTLED, s, g] -= older
                pop[LONG, s, g] += older

        # usable beds follow the funded level; beds above the most ever built arrive at the
        # build rate and cost their construction once
        target_beds = pv[P.detention_beds] * pv[P.detention_usable_share] * pv[
            P.detention_pandemic_capacity_share]
        built = 0.0
        if target_beds > usable:
            usable = min(target_beds, usable + pv[P.detention_build_beds_per_day])
        else:
            usable = target_beds
        if usable > most_beds:
            built = usable - most_beds
            most_beds = usable

        inflow_total += inflows(pv, pop, months, removed_yesterday, rec)
        # CBP transfers booked in to be released on processing leave ICE custody for the docket
        end_processing(pv, processing, pop, months, rec)
        wants[:] = 0.0
        post[:] = 0.0
        arrived, left_border, air_taken = border(pv, pop, months, wants, wait, processing_in, rec)
        inflow_total += arrived
        exits_total += left_border
        for c in range(N_COHORT):
            for s in range(N_STATUS):
                for g in range(N_GROUP):
                    peak[c, s, g] = max(peak[c, s, g], pop[c, s, g])

        # --- arrests and legal routes ---
        arrests(pv, pop, peak, atd, arrested, leads, rec)
        route(pv, arrested, wants, post)

        # --- detention admission: by legal class, then policy priority ---
        occupancy = beds_used(det, wait, ready, zwait, processing)
        bumped = 0.0
        # whenever beds are needed, people held until a release on recognizance go first
        if occupancy > usable:  # beds cut below the detained population: court cases released
            occupancy -= release_processing(pop, months, processing, occupancy - usable, rec)
        if occupancy > usable:
            bumped = release_court_cases(pop, months, det, discretionary, occupancy - usable, True,
                                         -1)
            occupancy = beds_used(det, wait, ready, zwait, processing)
        # people CBP arrested may hold at most their share of beds (policy); the rest are released,
        # court cases held at discretion first when summary cases need their beds
        border_held = beds_used_by(det, wait, ready, zwait, processing, BORDER)
        border_room = max(usable * pv[P.detention_border_bed_share] - border_held, 0.0)
        border_wants = 0.0
        border_summary = 0.0
        for kind in range(N_KIND):
            for g in range(N_GROUP):
                border_wants += wants[kind, g, BORDER]
                if kind != K_COURT:
                    border_summary += wants[kind, g, BORDER]
        if border_wants > border_room + _EPS:
            release_processing(pop, months, processing, border_wants - border_room, rec)
            occupancy = beds_used(det, wait, ready, zwait, processing)
            border_held = beds_used_by(det, wait, ready, zwait, processing, BORDER)
            border_room = max(usable * pv[P.detention_border_bed_share] - border_held, 0.0)
        if border_summary > border_room + _EPS:
            bumped += release_court_cases(pop, months, det, discretionary,
                                          border_summary - border_room, False, BORDER)
            occupancy = beds_used(det, wait, ready, zwait, processing)
            border_held = beds_used_by(det, wait, ready, zwait, processing, BORDER)
            border_room = max(usable * pv[P.detention_border_bed_share] - border_held, 0.0)
        # a transfer from CBP is a book-in into ICE custody, whether or not a bed keeps the person
        # past processing (those without one are booked out on release the same day)
        rec[R.book_ins_border] = border_wants + total(processing_in)
        if border_wants > border_room:
            fill_border_room(wants, border_room, released)
        pre_refused[:] = 0.0
        hold_for_transport(pv, det, wait, ready, zwait, wants, post, released, pre_refused,
                           air_taken)
        mandatory = pv[P.pathways_mandatory_detention_share]
        # population management: when the cases that come before discretionary ones (summary
        # cases, orders, cases the law requires ICE to detain) need more beds than are free, ICE
        # releases people it holds at its discretion to make room for them, so more beds never
        # hold fewer of the fast cases
        bed_classes(pv, wants, post, demand)
        fast = demand[0] + demand[1] + demand[2] + demand[3] + demand[4] + demand[5]
        need = fast + demand[6] - max(usable - occupancy, 0.0)
        if need > _EPS:  # every class comes before people to be released on recognizance
            release_processing(pop, months, processing, need, rec)
            occupancy = beds_used(det, wait, ready, zwait, processing)
        short = fast - max(usable - occupancy, 0.0)
        if short > _EPS:
            bumped += release_court_cases(pop, months, det, discretionary, short, False, -1)
            occupancy = beds_used(det, wait, ready, zwait, processing)
        atd_new = bumped
        rec[R.released_for_beds] = bumped
        admit(demand, max(usable - occupancy, 0.0), admitted)
        stop = pv[P.detention_when_full] > 0.5
        bed_bound = admitted.min() < 1.0 - 1e-12
        at_discretion = (1.0 - mandatory) * admitted[6]  # interior court cases held, bondable
        court_share = mandatory * admitted[5] + at_discretion
        border_court_share = admitted[6]
        wanted[:] = pre_refused  # turned away before admission: no transport soon
        held[:] = 0.0
        dismissed = 0.0  # docket cases held for expedited removal: the case is dismissed
        for g in range(N_GROUP):
            for o in range(N_ORIGIN):
                kept = 0.0
                for kind in (K_ER, K_REINSTATE, K_FEAR_ER, K_FEAR_REINSTATE):
                    share = admitted[summary_class(kind, g)]
                    det[kind, g, o] += wants[kind, g, o] * share
                    kept += wants[kind, g, o] * share
                    wanted[g, o] += wants[kind, g, o]
                    if o == DOCKET:
                        dismissed += wants[kind, g, o] * share
                share = border_court_share if o == BORDER else court_share
                det[K_COURT, g, o] += wants[K_COURT, g, o] * share
                discretionary[g, o] += wants[K_COURT, g, o] * (
                    border_court_share if o == BORDER else at_discretion)
                kept += wants[K_COURT, g, o] * share
                wanted[g, o] += wants[K_COURT, g, o]
                for r, cls in ((JUDGE, 2), (STIPULATED, 3), (VD_DETAINED, 3)):
                    wait[r, g, o] += post[r, g, o] * admitted[cls]
                    kept += post[r, g, o] * admitted[cls]
                    wanted[g, o] += post[r, g, o]
                held[g, o] += kept
                if o == BORDER:  # CBP cannot hold people: those without a bed go to the docket
                    came = 0.0
                    for kind in range(N_KIND):
                        came += wants[kind, g, o]
                    released[g, o] += came - kept
        book_interior = 0.0
        interior_wanted = 0.0
        for g in range(N_GROUP):
            for o in range(BORDER):
                book_interior += held[g, o]
                interior_wanted += wanted[g, o]
        # those booked in to be released on processing take the beds left, within the border
        # room; for the rest there is none and they are released at once
        hold_processing(pv, det, wait, ready, zwait, processing, processing_in, usable, pop,
                        months, rec)
        border_refused = 0.0
        for g in range(N_GROUP):
            border_refused += released[g, BORDER]
        released_no_bed = total(released)
        # arrested people who found a bed leave their cells; when arrests stop at full beds only
        # they were arrested, otherwise the others are released where they are
        back = take_arrested(pop, arrested, held, wanted, stop, rec)
        released_no_bed += back
        atd_new += back
        if stop and interior_wanted > _EPS:
            for k in (R.arrests_custodial, R.arrests_at_large, R.arrests_check_in):
                rec[k] *= book_interior / interior_wanted
        rec[R.book_ins_interior] = book_interior
        # new Notices to Appear: court cases held who had none, border cases released
        for o in range(N_ORIGIN):
            if o != DOCKET:
                share = border_court_share if o == BORDER else court_share
                to_court = 0.0
                for g in range(N_GROUP):
                    to_court += wants[K_COURT, g, o]
                rec[R.court_receipts] += to_court * share
        rec[R.court_receipts] += border_refused

        # --- fear screenings: positive findings go to court, detained if a bed is free ---
        wants_court[:] = 0.0
        fear_bound = screen(pv, det, wants_court, released, rec)
        for g in range(N_GROUP):
            for o in range(N_ORIGIN):
                # full proceedings: held as other court cases, if a bed is free; withholding-only
                # ones (reinstated orders) stay in the bed they hold, under INA 241(a)
                full = wants_court[0, g, o]
                share = border_court_share if o == BORDER else court_share
                det[K_COURT, g, o] += full * share + wants_court[1, g, o]
                discretionary[g, o] += full * (
                    border_court_share if o == BORDER else at_discretion)
                released[g, o] += full * (1.0 - share)
                released_no_bed += full * (1.0 - share)
        rec[R.court_receipts] += total(wants_court)
        # people released from detention join the docket (recent entrants, in the main); those
        # with a reinstated order are at large with it
        for g in range(N_GROUP):
            n = 0.0
            for o in range(N_ORIGIN):
                if o != PRIOR:
                    n += released[g, o]
            if n > 0.0:
                put(pop, months, RECENT, DOCKET, g, n)
            if released[g, PRIOR] > 0.0:
                put(pop, months, SETTLED, PRIOR, g, released[g, PRIOR])
            atd_new += n + released[g, PRIOR]
        released[:] = 0.0
        rec[R.released_no_bed] = released_no_bed
        rec[R.court_receipts] += pv[P.courts_other_receipts_per_year] / 365.0

        # --- summary cases are processed, then wait for documents like everyone else ---
        # (Mexicans, removed by land, in days; the others wait for a flight's manifest)
        for g in range(N_GROUP):
            summary_rate = 1.0 / (pv[P.detention_mexico_summary_days] if g == MEXICO
                                  else pv[P.detention_summary_days])
            for o in range(N_ORIGIN):
                for kind, r in ((K_ER, ER), (K_REINSTATE, REINSTATE)):
                    out = det[kind, g, o] * summary_rate
                    det[kind, g, o] -= out
                    wait[r, g, o] += out

        # --- bond: court cases held at ICE's discretion, released before their case ends
        rec[R.released_on_bond] = release_on_bond(pv, pop, months, det, discretionary)
        atd_new += rec[R.released_on_bond]

        # --- courts --- (decisions and remands keep each cell's discretionary share)
        for g in range(N_GROUP):
            for o in range(N_ORIGIN):
                court = det[K_COURT, g, o]
                discretionary[g, o] = discretionary[g, o] / court if court > _EPS else 0.0
        court_bound, court_exits = courts(pv, pop, months, det, wait, bia, ledger, rec)
        for g in range(N_GROUP):
            for o in range(N_ORIGIN):
                discretionary[g, o] *= det[K_COURT, g, o]
        exits_total += court_exits
        # cases dismissed at arrest so that expedited removal can be used are completions too
        # (those who found no bed stay on the docket, their case open)
        rec[R.court_completions_non_detained] += dismissed
        rec[R.court_dismissal] += dismissed
        rec[R.court_dismissed_for_expedited] = dismissed
        # other receipts (USCIS referrals, recalendared cases) come from people with no case open
        other = pv[P.courts_other_receipts_per_year] / 365.0
        no_contact = ended = closed = 0.0
        for c in range(N_COHORT):
            for g in range(N_GROUP):
                no_contact += pop[c, NO_CONTACT, g]
                ended += pop[c, ENDED, g]
                closed += pop[c, CLOSED, g]
        no_case = no_contact + ended + closed
        if no_case > _EPS:
            for c in range(N_COHORT):
                for g in range(N_GROUP):
                    for s in (NO_CONTACT, ENDED, CLOSED):
                        move(pop, c, s, g, other / no_case, DOCKET)

        # --- travel documents, then seats ---
        review_custody(pv, ready, pop, months, air_taken, rec)
        documents(pv, wait, clock, zwait, step, ready, zreleased, third, rec)
        put(pop, months, SETTLED, FINAL, RECALCITRANT, total(zreleased))
        transport_bound = remove(pv, ready, air_taken, removed_cells, by_group, rec)
        for r in range(N_ROUTE):
            for o in range(N_ORIGIN):
                removed_cells[r, RECALCITRANT, o] += third[r, o]
        removed = tally_removals(removed_cells, by_route, by_nationality, by_origin)
        exits_total += removed
        removed_yesterday = removed
        rec[R.removals] = removed
        for r in range(N_ROUTE):
            rec[R.removals_expedited_removal + r] = by_route[r]
        for g in range(N_GROUP):
            rec[R.removals_mexico + g] = by_nationality[g]
        for o in range(N_ORIGIN):
            rec[R.removals_no_contact + o] = by_origin[o]
        rec[R.removals_third_country] = total(third)
        rec[R.removals_interior] = removed - rec[R.removals_border]
        expedited_interior = 0.0
        for g in range(N_GROUP):
            for o in range(BORDER):
                expedited_interior += removed_cells[ER, g, o]
        rec[R.removals_expedited_interior] = expedited_interior

        # --- departures ---
        interior = rec[R.arrests_custodial] + rec[R.arrests_at_large] + rec[R.arrests_check_in]
        exits_total += depart(pv, pop, intensity, ledger, rec)
        intensity = interior / max(pv[P.departures_reference_arrests_per_day], _EPS)

        settle_entries(pop, months)

        # --- alternatives to detention: an overlay on people released from custody (into the
        # docket, or with an order on supervision after a custody review or 180 days) ---
        atd_new += (rec[R.released_on_supervision] + rec[R.released_180_days]
                    + rec[R.released_on_processing])
        atd += atd_new * pv[P.detention_atd_share] - atd / pv[P.detention_atd_days]

        # --- costs ---
        in_det, in_wait, in_ready, in_zwait, in_cbp = custody(det, wait, ready, zwait, processing)
        occupancy = in_det + in_wait + in_ready + in_zwait
        rec[R.cost_arrests] = (pv[P.arrests_officers] * pv[P.costs_officer_year_usd]
                               + pv[P.arrests_task_force_officers]
                               * pv[P.costs_task_force_officer_year_usd]) / 365.0
        rec[R.cost_detention] = (occupancy * pv[P.costs_bed_day_usd] + atd * pv[P.costs_atd_day_usd]
                                 + built * pv[P.costs_bed_build_usd])
        rec[R.cost_courts] = (pv[P.courts_judges] + pv[P.courts_temporary_judges]) * pv[
            P.costs_judge_year_usd] / 365.0
        rec[R.cost_removal] = (pv[P.removal_charter_flights_per_day] * pv[
            P.removal_flight_hours_per_mission] * pv[P.costs_flight_hour_usd]
            + rec[R.removals_land] * pv[P.costs_land_removal_usd])

        # --- stocks ---
        people = tally_population(pop, rec)
        in_court = kind_total(det, K_COURT)
        in_appeal = kind_total(det, K_APPEAL)
        in_bia = total(bia)
        rec[R.court_pending] = rec[R.population_docket] + in_court + ledger[0]
        rec[R.court_cases_departed] = ledger[0]
        rec[R.bia_pending] = in_bia + in_appeal
        rec[R.detained] = occupancy
        rec[R.detained_court] = in_court + in_appeal
        rec[R.detained_waiting] = in_wait + in_ready
        rec[R.detained_no_travel_document] = in_zwait
        rec[R.detained_border] = beds_used_by(det, wait, ready, zwait, processing, BORDER)
        rec[R.beds] = usable
        rec[R.atd_enrolled] = atd
        if transport_bound:
            stage_bound = B_TRANSPORT
        elif bed_bound:
            stage_bound = B_DETENTION
        elif court_bound:
            stage_bound = B_COURTS
        elif fear_bound:
            stage_bound = B_FEAR
        else:
            stage_bound = B_ARRESTS
        if t < 0:
            continue
        binding[d, stage_bound] += 1
        rec[R.binding] = stage_bound
        people = people + in_det + in_wait + in_ready + in_zwait + in_cbp + in_bia
        rec[R.conservation_error] = abs(people + exits_total - start_total - inflow_total) / max(
            start_total + inflow_total, 1.0)

        toward = 0.0
        for o in range(N_ORIGIN):
            toward += target_mask[o] * rec[R.removals_no_contact + o]
        if per_year:  # removals over the trailing 365 days, and the best such year
            trailing += toward - window[t % 365]
            window[t % 365] = toward
            counted = max(counted, trailing)
        else:
            counted += toward
        if reached < 0 and target_n > 0 and counted >= target_n * (1 - 1e-9):
            reached = t + 1.0
        peak_detained = max(peak_detained, occupancy)

        y = fy_index[t]
        last_of_year = t == n_days - 1 or fy_index[t + 1] != y
        for k in range(N_RECORD):
            year_sum[d, y, k] += rec[k]
            if last_of_year:
                year_end[d, y, k] = rec[k]
        if daily.shape[0] > 0 and d == 0:
            daily[t, :] = rec
    summary[d, 0] = reached
    summary[d, 1] = peak_detained
    summary[d, 2] = counted


def simulate(series, changes, mult, add, lo, hi, fy_index, target, n_years, keep_daily):
    """Run the model for every draw.

    Parameters
    ----------
    series : ndarray, shape (days, len(INPUTS))
        Each input's value on each day (levers and the central value of assumptions).
    changes : ndarray of bool, shape (days,)
        True on days when any input differs from the day before.
    mult, add : ndarray, shape (draws, len(INPUTS))
        Per-draw transformation of each input: ``value = series * mult + add``.
    lo, hi : ndarray, shape (len(INPUTS),)
        Valid range of each input; drawn values are clipped to it.
    fy_index : ndarray of int, shape (days,)
        Index of the fiscal year (0 = the first) of each day.
    target : ndarray, shape (len(ORIGINS) + 2,)
        1.0 for each origin counted toward the target, then the target number (0 for none),
        then 1.0 if it is a per-year rate (trailing 365 days) rather than a cumulative total.
    n_years : int
        Number of fiscal years touched by the run.
    keep_daily : bool
        Keep the daily record (only for a single draw).

    Returns
    -------
    tuple
        ``year_sum`` and ``year_end`` of shape (draws, n_years, len(RECORD)), ``binding`` days per
        stage of shape (draws, len(STAGES)), ``summary`` of shape (draws, 3) with the day the
        target is reached (-1 if never), the peak detained population and the removals counted
        toward the target (the best 365 days for a per-year target), and ``daily`` of shape
        (days or 0, len(RECORD)).
    """
    n_draws = mult.shape[0]
    year_sum = np.zeros((n_draws, n_years, N_RECORD))
    year_end = np.zeros((n_draws, n_years, N_RECORD))
    binding = np.zeros((n_draws, len(STAGES)))
    summary = np.zeros((n_draws, 3))
    daily = np.zeros((series.shape[0] if keep_daily else 0, N_RECORD))
    # one draw runs on this thread: a parallel launch costs more than it saves and suffers
    # most when other jobs share the cores
    draws = _draws_parallel if n_draws > 1 else _draws_serial
    draws(series, changes, mult, add, lo, hi, fy_index, target, year_sum, year_end, binding,
          summary, daily)
    return year_sum, year_end, binding, summary, daily


@njit(parallel=True, cache=True, error_model="numpy")
def _draws_parallel(
    series, changes, mult, add, lo, hi, fy_index, target, year_sum, year_end, binding, summary,
    daily,
):
    for d in prange(mult.shape[0]):
        _simulate_draw(series, changes, mult, add, lo, hi, fy_index, target, d, year_sum,
                       year_end, binding, summary, daily)


@njit(cache=True, error_model="numpy")
def _draws_serial(
    series, changes, mult, add, lo, hi, fy_index, target, year_sum, year_end, binding, summary,
    daily,
):
    for d in range(mult.shape[0]):
        _simulate_draw(series, changes, mult, add, lo, hi, fy_index, target, d, year_sum,
                       year_end, binding, summary, daily)
