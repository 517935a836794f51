"""The daily stock-and-flow model of the removal pipeline, compiled with numba.

Every stage is a queue whose throughput is ``min(demand, capacity)``. The kernel steps one day at
a time for each draw (draws run in parallel); it never creates or loses people: the stocks plus
cumulative exits always equal the start population plus cumulative inflows.

Stocks: five removable segments at large, non-detained appeals, and six detention stages, each
kept by origin (the five segments plus ``border``, i.e. people booked in by CBP).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

SEGMENTS = ("final_order", "recent_entrant", "pending_docket", "status_lost", "long_term")
ORIGINS = (*SEGMENTS, "border")
STAGES = ("arrests", "detention", "courts", "credible_fear", "transport")

# Parameters the kernel reads, in column order of the input matrix.
_PER_SEGMENT = ("size", "findability", "jail_booking_rate", "self_departure_rate")
INPUTS: tuple[str, ...] = (
    *(
        f"population.{s}.{p}"
        for p in _PER_SEGMENT
        for s in SEGMENTS
        if (s, p) != ("long_term", "size")  # long-term residents are the remainder
    ),
    "population.unauthorized_total",
    *(f"arrests.target.{s}" for s in SEGMENTS),
    "arrivals.recent_entrants_per_year",
    "arrivals.status_terminations_per_year",
    "arrivals.border_book_ins_per_day",
    "arrivals.recent_entrant_days",
    "arrivals.notice_to_appear_share",
    "arrests.officers",
    "arrests.border_diversion",
    "arrests.at_large_per_officer_year",
    "arrests.depletion",
    "arrests.task_force_officers",
    "arrests.task_force_productivity",
    "arrests.jail_cooperation",
    "pathways.expedited_removal",
    "pathways.mandatory_detention",
    "pathways.reinstatement_share",
    "pathways.border_summary_share",
    "pathways.status_lost_expedited_share",
    "pathways.detained_court_share",
    "pathways.border_detained_court_share",
    "pathways.fear_claim_share",
    "pathways.fear_positive_rate",
    "pathways.asylum_officers",
    "pathways.screenings_per_officer_day",
    "pathways.fear_screening_days",
    "pathways.fear_max_wait_days",
    "detention.beds",
    "detention.when_full",
    "detention.summary_days",
    "detention.travel_document_days",
    "detention.recalcitrant_share",
    "detention.release_after_days",
    "detention.atd_share",
    "detention.atd_days",
    "courts.judges",
    "courts.completions_per_judge_year",
    "courts.expedited_docket",
    "courts.expedited_docket_speedup",
    "courts.detained_case_days",
    "courts.non_detained_case_days",
    "courts.removal_order_share_detained",
    "courts.removal_order_share_non_detained",
    "courts.in_absentia_share",
    "courts.voluntary_departure_share",
    "courts.appeal_share",
    "courts.appeal_days",
    "removal.charter_flights_per_day",
    "removal.seats_per_flight",
    "removal.commercial_per_day",
    "removal.land_share",
    "removal.land_per_day",
    "removal.third_country_per_year",
    "removal.staging_days",
    "removal.flight_hours_per_mission",
    "departures.enforcement_response",
    "departures.reference_arrests_per_day",
    "departures.paid_per_year",
    "costs.officer_year_usd",
    "costs.task_force_officer_year_usd",
    "costs.bed_day_usd",
    "costs.bed_build_usd",
    "costs.atd_day_usd",
    "costs.judge_year_usd",
    "costs.flight_hour_usd",
    "costs.land_removal_usd",
)
_I = {name: i for i, name in enumerate(INPUTS)}


def _seg(prop: str) -> np.ndarray:
    return np.array([_I.get(f"population.{s}.{prop}", -1) for s in SEGMENTS], dtype=np.int64)


SIZE = _seg("size")
FIND = _seg("findability")
JAIL = _seg("jail_booking_rate")
SELFDEP = _seg("self_departure_rate")
TARGET = np.array([_I[f"arrests.target.{s}"] for s in SEGMENTS], dtype=np.int64)
UNAUTH = _I["population.unauthorized_total"]
RECENT_IN = _I["arrivals.recent_entrants_per_year"]
STATUS_IN = _I["arrivals.status_terminations_per_year"]
BORDER_IN = _I["arrivals.border_book_ins_per_day"]
RECENT_DAYS = _I["arrivals.recent_entrant_days"]
NTA_SHARE = _I["arrivals.notice_to_appear_share"]
OFFICERS = _I["arrests.officers"]
DIVERSION = _I["arrests.border_diversion"]
PER_OFFICER = _I["arrests.at_large_per_officer_year"]
DEPLETION = _I["arrests.depletion"]
TASK_FORCE = _I["arrests.task_force_officers"]
TF_PROD = _I["arrests.task_force_productivity"]
COOP = _I["arrests.jail_cooperation"]
ER = _I["pathways.expedited_removal"]
MANDATORY = _I["pathways.mandatory_detention"]
REINSTATE = _I["pathways.reinstatement_share"]
BORDER_SUMMARY = _I["pathways.border_summary_share"]
STATUS_ER = _I["pathways.status_lost_expedited_share"]
DETAINED_COURT = _I["pathways.detained_court_share"]
BORDER_DETAINED_COURT = _I["pathways.border_detained_court_share"]
FEAR_CLAIM = _I["pathways.fear_claim_share"]
FEAR_POSITIVE = _I["pathways.fear_positive_rate"]
ASYLUM_OFFICERS = _I["pathways.asylum_officers"]
SCREENINGS = _I["pathways.screenings_per_officer_day"]
FEAR_DAYS = _I["pathways.fear_screening_days"]
FEAR_MAX_WAIT = _I["pathways.fear_max_wait_days"]
BEDS = _I["detention.beds"]
WHEN_FULL = _I["detention.when_full"]
SUMMARY_DAYS = _I["detention.summary_days"]
TRAVEL_DOC_DAYS = _I["detention.travel_document_days"]
RECALCITRANT = _I["detention.recalcitrant_share"]
RELEASE_DAYS = _I["detention.release_after_days"]
ATD_SHARE = _I["detention.atd_share"]
ATD_DAYS = _I["detention.atd_days"]
JUDGES = _I["courts.judges"]
PER_JUDGE = _I["courts.completions_per_judge_year"]
EXPEDITED = _I["courts.expedited_docket"]
SPEEDUP = _I["courts.expedited_docket_speedup"]
DETAINED_CASE_DAYS = _I["courts.detained_case_days"]
ND_CASE_DAYS = _I["courts.non_detained_case_days"]
ORDER_D = _I["courts.removal_order_share_detained"]
ORDER_ND = _I["courts.removal_order_share_non_detained"]
ABSENTIA = _I["courts.in_absentia_share"]
VD = _I["courts.voluntary_departure_share"]
APPEAL = _I["courts.appeal_share"]
APPEAL_DAYS = _I["courts.appeal_days"]
FLIGHTS = _I["removal.charter_flights_per_day"]
SEATS = _I["removal.seats_per_flight"]
COMMERCIAL = _I["removal.commercial_per_day"]
LAND_SHARE = _I["removal.land_share"]
LAND_CAP = _I["removal.land_per_day"]
THIRD = _I["removal.third_country_per_year"]
STAGING = _I["removal.staging_days"]
FLIGHT_HOURS = _I["removal.flight_hours_per_mission"]
RESPONSE = _I["departures.enforcement_response"]
REF_ARRESTS = _I["departures.reference_arrests_per_day"]
PAID = _I["departures.paid_per_year"]
C_OFFICER = _I["costs.officer_year_usd"]
C_TASK_FORCE = _I["costs.task_force_officer_year_usd"]
C_BED = _I["costs.bed_day_usd"]
C_BUILD = _I["costs.bed_build_usd"]
C_ATD = _I["costs.atd_day_usd"]
C_JUDGE = _I["costs.judge_year_usd"]
C_FLIGHT = _I["costs.flight_hour_usd"]
C_LAND = _I["costs.land_removal_usd"]

# What the kernel records each day: stocks (end of day) and flows (during the day).
RECORD: tuple[str, ...] = (
    *(f"at_large_{s}" for s in SEGMENTS),
    "appeals_non_detained",
    "detained",
    "detained_summary",
    "detained_fear",
    "detained_court",
    "detained_appeal",
    "detained_post_order",
    "detained_no_travel_document",
    "detained_ready",
    "atd_enrolled",
    "beds",
    "arrests_custodial",
    "arrests_at_large",
    "book_ins_border",
    "book_ins_interior",
    "released_no_bed",
    "released_180_days",
    "fear_screenings",
    "court_completions_detained",
    "court_completions_non_detained",
    "removal_orders",
    "removals",
    "removals_air",
    "removals_land",
    "removals_third_country",
    *(f"removals_{o}" for o in ORIGINS),
    "self_departures",
    "voluntary_departures",
    "relief_or_termination",
    "inflow_recent_entrants",
    "inflow_status_lost",
    "inflow_border",
    "cost_arrests",
    "cost_detention",
    "cost_courts",
    "cost_removal",
    "binding",
    "conservation_error",
)
_R = {name: i for i, name in enumerate(RECORD)}
R_AT_LARGE = _R["at_large_final_order"]
R_APPEALS = _R["appeals_non_detained"]
R_DETAINED = _R["detained"]
R_D_SUMMARY = _R["detained_summary"]
R_ATD = _R["atd_enrolled"]
R_BEDS = _R["beds"]
R_CUSTODIAL = _R["arrests_custodial"]
R_AT_LARGE_ARRESTS = _R["arrests_at_large"]
R_BOOK_BORDER = _R["book_ins_border"]
R_BOOK_INTERIOR = _R["book_ins_interior"]
R_RELEASED = _R["released_no_bed"]
R_RELEASED_180 = _R["released_180_days"]
R_SCREENINGS = _R["fear_screenings"]
R_COMP_D = _R["court_completions_detained"]
R_COMP_ND = _R["court_completions_non_detained"]
R_ORDERS = _R["removal_orders"]
R_REMOVALS = _R["removals"]
R_AIR = _R["removals_air"]
R_LAND = _R["removals_land"]
R_THIRD = _R["removals_third_country"]
R_BY_ORIGIN = _R["removals_final_order"]
R_SELF = _R["self_departures"]
R_VD = _R["voluntary_departures"]
R_RELIEF = _R["relief_or_termination"]
R_IN_RECENT = _R["inflow_recent_entrants"]
R_IN_STATUS = _R["inflow_status_lost"]
R_IN_BORDER = _R["inflow_border"]
R_COST = _R["cost_arrests"]
R_BINDING = _R["binding"]
R_CONSERVATION = _R["conservation_error"]
N_RECORD = len(RECORD)

N_SEG = len(SEGMENTS)
N_ORIGIN = len(ORIGINS)
FINAL, RECENT, PENDING, STATUS, LONG = range(N_SEG)
BORDER = N_SEG
# Detention stages, indices into the (stage, origin) array.
D_SUMMARY, D_FEAR, D_COURT, D_APPEAL, D_POST, D_RECALC, D_READY = range(7)
N_DSTAGE = 7
N_CLASS = 4  # admission classes, in order of priority for a free bed
B_ARRESTS, B_DETENTION, B_COURTS, B_FEAR, B_TRANSPORT = range(len(STAGES))
_EPS = 1e-9
WARMUP_DAYS = 365
"""Days simulated before the start with start-date inputs, so detention and appeals begin full."""


@njit(cache=True, error_model="numpy")
def _value(series, mult, add, lo, hi, t, d, p):
    v = series[t, p] * mult[d, p] + add[d, p]
    return min(max(v, lo[p]), hi[p])


@njit(cache=True, error_model="numpy")
def _simulate_draw(
    series, changes, mult, add, lo, hi, fy_index, target, d, year_sum, year_end, binding, summary,
    daily,
):
    n_days = series.shape[0]
    at_large = np.zeros(N_SEG)
    peak = np.zeros(N_SEG)
    det = np.zeros((N_DSTAGE, N_ORIGIN))
    appeals_nd = 0.0
    atd = 0.0
    for s in range(N_SEG):
        if s != LONG:
            at_large[s] = _value(series, mult, add, lo, hi, 0, d, SIZE[s])
    others = at_large.sum()
    at_large[LONG] = max(_value(series, mult, add, lo, hi, 0, d, UNAUTH) - others, 0.0)
    for s in range(N_SEG):
        peak[s] = at_large[s]
    start_total = at_large.sum()
    inflow_total = 0.0
    exits_total = 0.0
    beds_built = _value(series, mult, add, lo, hi, 0, d, BEDS)
    prev_interior_arrests = _value(series, mult, add, lo, hi, 0, d, REF_ARRESTS)
    rec = np.zeros(N_RECORD)
    route_summary = np.zeros(N_ORIGIN)
    route_court = np.zeros(N_ORIGIN)
    arrests = np.zeros(N_SEG)
    wants = np.zeros((N_CLASS, N_ORIGIN))
    admit_share = np.zeros(N_CLASS)
    score = np.zeros(N_CLASS)
    order = np.zeros(N_CLASS, dtype=np.int64)
    share = np.zeros(N_ORIGIN)
    found = np.zeros(N_SEG)
    target_mask = target[:N_ORIGIN]
    target_n = target[N_ORIGIN]
    per_year = target[N_ORIGIN + 1] > 0.5
    window = np.zeros(366)
    counted = 0.0
    trailing = 0.0
    reached = -1.0
    peak_detained = 0.0
    n_inputs = series.shape[1]
    pv = np.zeros(n_inputs)


    initial = at_large.copy()
    for step in range(n_days + WARMUP_DAYS):
        t = step - WARMUP_DAYS
        if t == 0:  # the pipeline is warmed up: restore the populations and start counting
            at_large[:] = initial
            peak[:] = initial
            start_total = at_large.sum() + appeals_nd + det.sum()
            inflow_total = 0.0
            exits_total = 0.0
        rec[:] = 0.0
        if step == 0 or (t > 0 and changes[t]):  # inputs only change on dated values
            for p in range(n_inputs):
                pv[p] = _value(series, mult, add, lo, hi, max(t, 0), d, p)

        # --- inflows: new recent entrants, status terminations, CBP book-ins ------------------
        new_entrants = pv[RECENT_IN] / 365.0
        new_recent = new_entrants * (1.0 - pv[NTA_SHARE])
        new_status = pv[STATUS_IN] / 365.0
        border = pv[BORDER_IN]
        at_large[RECENT] += new_recent
        at_large[PENDING] += new_entrants - new_recent
        at_large[STATUS] += new_status
        inflow_total += new_entrants + new_status + border
        rec[R_IN_RECENT] = new_entrants
        rec[R_IN_STATUS] = new_status
        rec[R_IN_BORDER] = border
        aged = at_large[RECENT] / pv[RECENT_DAYS]
        at_large[RECENT] -= aged
        at_large[LONG] += aged

        # --- self-departure (responds to yesterday's enforcement intensity) and paid departure --
        intensity = prev_interior_arrests / max(pv[REF_ARRESTS], _EPS)
        factor = max(0.0, 1.0 + pv[RESPONSE] * (intensity - 1.0))
        paid = pv[PAID] / 365.0
        population = at_large.sum()
        departed = 0.0
        for s in range(N_SEG):
            out = at_large[s] * pv[SELFDEP[s]] / 365.0 * factor
            if population > _EPS:
                out += paid * at_large[s] / population
            out = min(out, 0.5 * at_large[s])
            at_large[s] -= out
            departed += out
        rec[R_SELF] = departed
        exits_total += departed
        for s in range(N_SEG):
            peak[s] = max(peak[s], at_large[s])

        # --- arrests: custodial (jails) and at-large (officer effort, depleting yield) ----------
        effort = (
            pv[OFFICERS] * (1.0 - pv[DIVERSION]) + pv[TASK_FORCE] * pv[TF_PROD]
        ) * pv[PER_OFFICER] / 365.0
        weighted = 0.0
        for s in range(N_SEG):
            found[s] = (
                pv[FIND[s]] * (at_large[s] / peak[s]) ** pv[DEPLETION] if peak[s] > _EPS else 0.0
            )
            share[s] = pv[TARGET[s]] * found[s]
            weighted += share[s]
        custodial_total = 0.0
        at_large_total = 0.0
        for s in range(N_SEG):
            y_share = 0.0
            if weighted > _EPS and peak[s] > _EPS:
                y_share = effort * share[s] / weighted * found[s]
            custodial = at_large[s] * pv[JAIL[s]] / 365.0 * pv[COOP]
            total = min(custodial + y_share, 0.05 * at_large[s])
            scale = total / (custodial + y_share) if custodial + y_share > _EPS else 0.0
            custodial_total += custodial * scale
            at_large_total += y_share * scale
            arrests[s] = total

        # --- pathways: summary (expedited/reinstatement), court, post-order -----------------
        er = pv[ER]
        reinstate = pv[REINSTATE]
        detained_share = 1.0 if pv[MANDATORY] > 0.5 else pv[DETAINED_COURT]
        route_summary[FINAL] = 0.0
        route_summary[RECENT] = er + (1.0 - er) * reinstate
        route_summary[PENDING] = reinstate
        route_summary[STATUS] = er * pv[STATUS_ER] + (1.0 - er * pv[STATUS_ER]) * reinstate
        route_summary[LONG] = reinstate
        route_summary[BORDER] = pv[BORDER_SUMMARY]
        for o in range(N_ORIGIN):
            route_court[o] = 1.0 - route_summary[o] if o != FINAL else 0.0
        border_detained_share = 1.0 if pv[MANDATORY] > 0.5 else pv[BORDER_DETAINED_COURT]

        # --- detention admission: fastest pathways first (summary, post-order, court) ------
        beds = pv[BEDS]
        occupancy = det.sum()
        if occupancy > beds:  # beds cut below the detained population: release court cases
            excess = occupancy - beds
            for stage in (D_COURT, D_POST):
                held = det[stage].sum()
                take = min(excess, held)
                if held > _EPS:
                    for o in range(N_ORIGIN):
                        out = det[stage, o] * take / held
                        det[stage, o] -= out
                        if stage == D_POST:
                            at_large[FINAL] += out
                        else:
                            at_large[PENDING] += out
                    rec[R_RELEASED] += take
                excess -= take
            occupancy = det.sum()
        free = max(beds - occupancy, 0.0)
        # demand for beds by class: 0 summary without a fear claim, 1 post-order, 2 court cases,
        # 3 fear claims (they wait for a screening, then go to court or back to summary)
        fear = pv[FEAR_CLAIM]
        for o in range(N_ORIGIN):
            dc = border_detained_share if o == BORDER else detained_share
            total = border if o == BORDER else arrests[o]
            if o == FINAL:
                wants[0, o] = 0.0
                wants[1, o] = total
                wants[2, o] = 0.0
                wants[3, o] = 0.0
            else:
                wants[0, o] = total * route_summary[o] * (1.0 - fear)
                wants[1, o] = 0.0
                wants[2, o] = total * route_court[o] * dc
                wants[3, o] = total * route_summary[o] * fear
        # a free bed goes to the class with the most expected removals per bed-day
        recalc_keep = 1.0 - pv[RECALCITRANT]
        to_flight = pv[STAGING]
        court_days = pv[DETAINED_CASE_DAYS] + pv[APPEAL] * pv[APPEAL_DAYS] + pv[TRAVEL_DOC_DAYS]
        court_yield = pv[ORDER_D] * recalc_keep
        positive = pv[FEAR_POSITIVE]
        queue = det[D_FEAR].sum() / max(pv[ASYLUM_OFFICERS] * pv[SCREENINGS], _EPS)
        score[0] = recalc_keep / (pv[SUMMARY_DAYS] + to_flight)
        score[1] = recalc_keep / (pv[TRAVEL_DOC_DAYS] + to_flight)
        score[2] = court_yield / (court_days + to_flight)
        score[3] = ((1.0 - positive) * recalc_keep + positive * court_yield) / (
            pv[FEAR_DAYS] + queue + (1.0 - positive) * (pv[SUMMARY_DAYS] + to_flight)
            + positive * (court_days + to_flight)
        )
        for i in range(N_CLASS):  # order classes by score, highest first (insertion sort)
            order[i] = i
            j = i
            while j > 0 and score[order[j]] > score[order[j - 1]]:
                order[j], order[j - 1] = order[j - 1], order[j]
                j -= 1
        for i in range(N_CLASS):
            c = order[i]
            demand = wants[c].sum()
            admit_share[c] = min(1.0, free / demand) if demand > _EPS else 1.0
            free -= demand * admit_share[c]
        bed_bound = admit_share.min() < 1.0 - 1e-12
        stop = pv[WHEN_FULL] > 0.5
        released_no_bed = 0.0
        atd_new = 0.0
        book_interior = 0.0
        for o in range(N_ORIGIN):
            refused = 0.0
            admitted = 0.0
            for c in range(N_CLASS):
                refused += wants[c, o] * (1.0 - admit_share[c])
                admitted += wants[c, o] * admit_share[c]
            det[D_SUMMARY, o] += wants[0, o] * admit_share[0]
            det[D_POST, o] += wants[1, o] * admit_share[1]
            det[D_COURT, o] += wants[2, o] * admit_share[2]
            det[D_FEAR, o] += wants[3, o] * admit_share[3]
            if o == BORDER:  # CBP cannot hold people: refused border cases are released
                released_no_bed += refused
                not_held = border - admitted - refused
                at_large[PENDING] += refused + not_held
                atd_new += refused + not_held
                rec[R_BOOK_BORDER] = border  # every CBP transfer is booked in; some released
                continue
            if stop:  # the arrest is not made: the person stays at large
                arrests[o] -= refused
            else:
                released_no_bed += refused
            released = arrests[o] - admitted  # not held at arrest, or no bed
            at_large[o] -= arrests[o]
            if o == FINAL:
                at_large[FINAL] += released
            else:
                at_large[PENDING] += released
                atd_new += released
            book_interior += admitted
        if stop:
            made = arrests.sum()
            planned = custodial_total + at_large_total
            if planned > _EPS:
                custodial_total *= made / planned
                at_large_total *= made / planned
        rec[R_CUSTODIAL] = custodial_total
        rec[R_AT_LARGE_ARRESTS] = at_large_total
        prev_interior_arrests = custodial_total + at_large_total
        rec[R_RELEASED] += released_no_bed
        rec[R_BOOK_INTERIOR] = book_interior

        # --- credible-fear screening ---------------------------------------------------------
        waiting = det[D_FEAR].sum()
        screen_demand = waiting / pv[FEAR_DAYS]
        screen_capacity = pv[ASYLUM_OFFICERS] * pv[SCREENINGS]
        screened = min(screen_demand, screen_capacity)
        fear_bound = screen_demand > screen_capacity + _EPS
        positive = pv[FEAR_POSITIVE]
        if waiting > _EPS:
            for o in range(N_ORIGIN):
                dc = border_detained_share if o == BORDER else detained_share
                out = det[D_FEAR, o] * screened / waiting
                det[D_FEAR, o] -= out
                det[D_SUMMARY, o] += out * (1.0 - positive)
                det[D_COURT, o] += out * positive * dc
                at_large[PENDING] += out * positive * (1.0 - dc)
                atd_new += out * positive * (1.0 - dc)
        rec[R_SCREENINGS] = screened
        waiting = det[D_FEAR].sum()
        queue_cap = screen_capacity * pv[FEAR_MAX_WAIT]
        if waiting > queue_cap:  # past the longest wait, fear claimants are paroled to the docket
            paroled = waiting - queue_cap
            for o in range(N_ORIGIN):
                out = det[D_FEAR, o] * paroled / waiting
                det[D_FEAR, o] -= out
            at_large[PENDING] += paroled
            atd_new += paroled
            rec[R_RELEASED] += paroled

        # --- summary cases and post-order cases wait for travel documents -------------------
        recalcitrant = pv[RECALCITRANT]
        summary_rate = 1.0 / pv[SUMMARY_DAYS]
        document_rate = 1.0 / pv[TRAVEL_DOC_DAYS]
        appeal_rate = 1.0 / pv[APPEAL_DAYS]
        for o in range(N_ORIGIN):
            ready = det[D_SUMMARY, o] * summary_rate + det[D_POST, o] * document_rate
            det[D_SUMMARY, o] -= det[D_SUMMARY, o] * summary_rate
            det[D_POST, o] -= det[D_POST, o] * document_rate
            decided = det[D_APPEAL, o] * appeal_rate
            det[D_APPEAL, o] -= decided
            det[D_POST, o] += decided
            det[D_READY, o] += ready * (1.0 - recalcitrant)
            det[D_RECALC, o] += ready * recalcitrant

        # --- immigration courts: the detained docket first, then the non-detained backlog --
        speed = 1.0 + pv[EXPEDITED] * (pv[SPEEDUP] - 1.0)
        capacity = pv[JUDGES] * pv[PER_JUDGE] * speed / 365.0
        court_detained = det[D_COURT].sum()
        demand = court_detained / pv[DETAINED_CASE_DAYS]
        done = min(demand, capacity)
        court_bound = demand > capacity + _EPS
        order_d = pv[ORDER_D]
        vd_share = pv[VD]
        appeal = pv[APPEAL]
        orders = 0.0
        vd_out = 0.0
        relief_out = 0.0
        if court_detained > _EPS:
            for o in range(N_ORIGIN):
                out = det[D_COURT, o] * done / court_detained
                det[D_COURT, o] -= out
                det[D_POST, o] += out * order_d * (1.0 - appeal)
                det[D_APPEAL, o] += out * order_d * appeal
                vd_out += out * min(vd_share, 1.0 - order_d)
                relief_out += out * max(1.0 - order_d - vd_share, 0.0)
                orders += out * order_d
        rec[R_COMP_D] = done
        nd_capacity = capacity - done
        nd_done = min(at_large[PENDING] / pv[ND_CASE_DAYS], nd_capacity)
        order_nd = pv[ORDER_ND]
        absentia = min(pv[ABSENTIA], order_nd)
        at_large[PENDING] -= nd_done
        at_large[FINAL] += nd_done * (absentia + (order_nd - absentia) * (1.0 - appeal))
        appeals_nd += nd_done * (order_nd - absentia) * appeal
        decided = appeals_nd * appeal_rate
        appeals_nd -= decided
        at_large[FINAL] += decided
        vd_out += nd_done * min(vd_share, 1.0 - order_nd)
        relief_out += nd_done * max(1.0 - order_nd - vd_share, 0.0)
        orders += nd_done * order_nd
        rec[R_COMP_ND] = nd_done
        rec[R_ORDERS] = orders
        rec[R_VD] = vd_out
        rec[R_RELIEF] = relief_out
        exits_total += vd_out + relief_out

        # --- removal: charter and commercial seats, land crossings, third countries ---------
        ready = det[D_READY].sum()
        want = ready / pv[STAGING]
        land_share = pv[LAND_SHARE]
        air_capacity = pv[FLIGHTS] * pv[SEATS] + pv[COMMERCIAL]
        air = min(want * (1.0 - land_share), air_capacity)
        land = min(want * land_share, pv[LAND_CAP])
        transport_bound = (
            want * (1.0 - land_share) > air_capacity + _EPS
            or want * land_share > pv[LAND_CAP] + _EPS
        )
        removed = air + land
        stuck = det[D_RECALC].sum()
        third = min(pv[THIRD] / 365.0, stuck)
        release_rate = 1.0 / pv[RELEASE_DAYS]
        released_180 = 0.0
        for o in range(N_ORIGIN):
            out = det[D_READY, o] * removed / ready if ready > _EPS else 0.0
            det[D_READY, o] -= out
            third_o = det[D_RECALC, o] * third / stuck if stuck > _EPS else 0.0
            det[D_RECALC, o] -= third_o
            freed = det[D_RECALC, o] * release_rate
            det[D_RECALC, o] -= freed
            released_180 += freed
            rec[R_BY_ORIGIN + o] = out + third_o
        at_large[FINAL] += released_180
        rec[R_RELEASED_180] = released_180
        rec[R_AIR] = air
        rec[R_LAND] = land
        rec[R_THIRD] = third
        rec[R_REMOVALS] = removed + third
        exits_total += removed + third

        # --- alternatives to detention (an overlay on the docket, for cost) ------------------
        atd += atd_new * pv[ATD_SHARE] - atd / pv[ATD_DAYS]

        # --- costs -----------------------------------------------------------------------
        occupancy = det.sum()
        if beds > beds_built:
            rec[R_COST + 1] += (beds - beds_built) * pv[C_BUILD]
            beds_built = beds
        rec[R_COST] = (pv[OFFICERS] * pv[C_OFFICER] + pv[TASK_FORCE] * pv[C_TASK_FORCE]) / 365.0
        rec[R_COST + 1] += occupancy * pv[C_BED] + atd * pv[C_ATD]
        rec[R_COST + 2] = pv[JUDGES] * pv[C_JUDGE] / 365.0
        rec[R_COST + 3] = pv[FLIGHTS] * pv[FLIGHT_HOURS] * pv[C_FLIGHT] + land * pv[C_LAND]

        # --- stocks, binding constraint, conservation -------------------------------------
        for s in range(N_SEG):
            rec[R_AT_LARGE + s] = at_large[s]
        rec[R_APPEALS] = appeals_nd
        rec[R_DETAINED] = occupancy
        for stage in range(N_DSTAGE):
            rec[R_D_SUMMARY + stage] = det[stage].sum()
        rec[R_ATD] = atd
        rec[R_BEDS] = beds
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
        rec[R_BINDING] = stage_bound
        people = at_large.sum() + appeals_nd + occupancy
        rec[R_CONSERVATION] = abs(people + exits_total - start_total - inflow_total) / max(
            start_total + inflow_total, 1.0
        )

        toward = 0.0
        for o in range(N_ORIGIN):
            toward += target_mask[o] * rec[R_BY_ORIGIN + o]
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
