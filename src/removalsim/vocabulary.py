"""The model's one vocabulary: names, labels, units and plain-language meanings.

The engine, the results, the charts, the web API and the page all read the names of cells, stages,
routes, nationality groups and outputs from here (the page through ``/api/vocabulary``); nothing
keeps a copy. This module imports nothing heavy (no numba, no numpy).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Term:
    """One name of the model with its label, unit and a one-line meaning."""

    name: str
    label: str
    unit: str
    meaning: str


def _names(terms: tuple[Term, ...]) -> tuple[str, ...]:
    return tuple(t.name for t in terms)


# --- the population partition: entry cohort x status with the government x nationality group ---
COHORT_TERMS = (
    Term("recent", "In the US under 2 years", "people",
         "Entered less than two years ago: within reach of expanded expedited removal."),
    Term("settled", "In the US 2 to 10 years", "people", "Entered two to ten years ago."),
    Term("long_term", "In the US over 10 years", "people",
         "Entered more than ten years ago: most of the unauthorized population."),
)
STATUS_TERMS = (
    Term("no_contact", "Never in contact", "people",
         "Never in proceedings and no order: entered without being caught, or overstayed a visa."),
    Term("docket", "Awaiting a court decision", "people",
         "On the immigration courts' docket (or before the appeals board), not detained."),
    Term("final_order", "Final removal order", "people",
         "Holds a final order of removal and is not detained."),
    Term("prior_removal", "Re-entered after a removal", "people",
         "Removed before and came back: the prior order can be reinstated without a hearing."),
    Term("status_ended", "Status or parole ended", "people",
         "Temporary protection, parole or another status was ended by a dated decision."),
    Term("case_closed", "Case dismissed or closed", "people",
         "A court case was dismissed, terminated or closed: no case open, but an address on file."),
    Term("protected", "Protected for now", "people",
         "TPS, DACA, valid parole or a pending affirmative asylum claim: not arrested for removal "
         "until a dated decision ends it."),
)
GROUP_TERMS = (
    Term("mexico", "Mexico", "people", "Mexican nationals: removed mostly by land."),
    Term("northern_triangle", "Guatemala, Honduras, El Salvador", "people",
         "Removed by charter flights (ICE Air)."),
    Term("cooperative", "Other cooperative countries", "people",
         "Removed by charter or commercial flights once travel documents are issued."),
    Term("recalcitrant", "Countries that refuse or delay documents", "people",
         "Travel documents are slow or refused: release after 180 days (Zadvydas) or a "
         "third-country removal."),
)
COHORTS = _names(COHORT_TERMS)
STATUSES = _names(STATUS_TERMS)
GROUPS = _names(GROUP_TERMS)
REMOVABLE_STATUSES = STATUSES[:-1]
"""Statuses whose people ICE can arrest for removal (all but ``protected``)."""

# --- the pipeline's stages (for the secondary "which stage limited flow" diagnostic) ---
STAGE_TERMS = (
    Term("arrests", "Arrests", "arrests a day",
         "Officer time and jail transfers limit how many people are arrested."),
    Term("detention", "Detention beds", "people",
         "Usable beds limit how many arrested people can be held."),
    Term("courts", "Immigration courts", "cases a day",
         "Judges limit how many detained cases are decided."),
    Term("credible_fear", "Fear screenings", "screenings a day",
         "Asylum officers (and agents detailed to screen) limit credible-fear interviews."),
    Term("transport", "Removal transport", "removals a day",
         "Charter seats, commercial seats and land crossings limit removals by nationality group."),
)
STAGES = _names(STAGE_TERMS)

# --- capacities whose shadow value each run measures (name -> parameter) ---
CAPACITY_TERMS = (
    Term("officers", "Deportation officers", "officers", "ICE ERO officers for enforcement."),
    Term("task_force_officers", "Task-force officers", "officers",
         "287(g) task-force and other-agency officers at their own productivity."),
    Term("jail_cooperation", "Jail cooperation", "share",
         "Share of ICE detainers that jails honour."),
    Term("beds", "Detention beds", "beds", "Funded or contracted beds."),
    Term("judges", "Immigration judges", "judges", "Judges on the bench (EOIR)."),
    Term("bia", "Board of Immigration Appeals", "appeals a year",
         "Appeals the Board decides in a year."),
    Term("asylum_officers", "Asylum officers", "officers",
         "Officers doing credible-fear screenings."),
    Term("charter_flights", "Removal flights", "flights a day", "ICE Air removal charters."),
    Term("land", "Land removals to Mexico", "people a day",
         "Daily capacity of land removals at the southern border."),
)
CAPACITIES = _names(CAPACITY_TERMS)
CAPACITY_PARAMETERS: dict[str, str] = {
    "officers": "arrests.officers",
    "task_force_officers": "arrests.task_force_officers",
    "jail_cooperation": "arrests.jail_cooperation",
    "beds": "detention.beds",
    "judges": "courts.judges",
    "bia": "courts.bia_appeals_per_year",
    "asylum_officers": "pathways.asylum_officers",
    "charter_flights": "removal.charter_flights_per_day",
    "land": "removal.land_per_day",
}

# --- removal routes, as ICE and DHS count them ---
ROUTE_TERMS = (
    Term("expedited_removal", "Expedited removal", "removals",
         "Summary removal without a hearing, only for those the policy in force covers."),
    Term("reinstatement", "Reinstated prior order", "removals",
         "Summary removal of someone removed before who came back."),
    Term("judge_order", "Removal ordered by a judge", "removals",
         "Removal under an immigration judge's order (after a hearing or in absentia)."),
    Term("stipulated_removal", "Stipulated removal", "removals",
         "Removal order agreed to in writing, without a hearing."),
    Term("voluntary_departure_from_detention", "Voluntary departure from detention", "removals",
         "Departure under ICE escort from custody, counted by ICE with removals."),
    Term("cbp_custody", "From CBP custody", "removals",
         "Removed from Border Patrol or port custody without an ICE bed (ICE-executed)."),
)
ROUTES = _names(ROUTE_TERMS)
AGENCIES = ("interior", "border")
"""Who made the arrest that began custody: ICE in the interior, or CBP at the border."""

# --- who a removal target counts ---
SEGMENT_TERMS = (
    *(t for t in STATUS_TERMS if t.name in REMOVABLE_STATUSES),
    Term("border", "Arrested at the border", "people",
         "People arrested by CBP at the border and removed by ICE."),
)
SEGMENTS = _names(SEGMENT_TERMS)
"""Target segments: the status at arrest of an interior arrest, or ``border``."""

# --- outputs ---
OUTPUT_TERMS = (
    Term("removals", "ICE removals", "removals",
         "Removals, returns and departures from custody executed by ICE, as ICE counts them."),
    Term("removals_interior", "Interior removals", "removals",
         "ICE removals of people whose custody began with an ICE arrest in the interior."),
    Term("removals_border", "Border removals", "removals",
         "ICE removals of people whose custody began with a CBP arrest at the border."),
    Term("removals_from_detention", "Removals from ICE detention", "removals",
         "ICE removals of people it held in its own beds (its book-outs to removal): its removals "
         "less those carried out straight from CBP custody."),
    Term("removals_cbp_executed", "Removals by CBP", "removals",
         "Removals CBP carries out itself: in DHS totals, not in ICE's."),
    Term("returns_cbp", "CBP returns", "returns",
         "Voluntary returns at the border: not removals."),
    Term("expulsions_title42", "Title 42 expulsions", "expulsions",
         "Public-health expulsions (March 2020 to May 2023): not removals under Title 8."),
    Term("arrests", "ICE arrests", "arrests", "Administrative arrests by ICE in the interior."),
    Term("arrests_custodial", "Custodial arrests", "arrests",
         "Transfers from jails and prisons on an ICE detainer."),
    Term("arrests_at_large", "At-large arrests", "arrests",
         "Arrests by officers in the community, collateral arrests included."),
    Term("arrests_check_in", "Check-in and courthouse arrests", "arrests",
         "Arrests at scheduled appearances."),
    Term("arrests_processing", "Processing arrests", "arrests",
         "Notices to Appear that ICE serves at its offices on people CBP released without one "
         "(parole, or a notice to report): administrative arrests that book no one in."),
    Term("book_ins", "ICE book-ins", "book-ins", "Admissions to ICE detention."),
    Term("book_ins_interior", "Book-ins after ICE arrests", "book-ins",
         "Admissions after an ICE arrest."),
    Term("book_ins_border", "Book-ins after CBP arrests", "book-ins",
         "Admissions of people CBP arrested."),
    Term("detained_adp", "People in ICE detention", "people (daily average)",
         "Average daily population in ICE detention."),
    Term("detained_adp_border", "People in ICE detention after CBP arrests",
         "people (daily average)",
         "Average daily population in ICE detention of people CBP arrested."),
    Term("beds", "Usable detention beds", "beds", "Beds available for use."),
    Term("released_no_bed", "Released, no bed", "people",
         "People arrested or transferred whom no bed could hold, released to the docket."),
    Term("released_on_processing", "Released on processing", "people",
         "People CBP transferred whom ICE booked in and released after processing, on "
         "recognizance or parole, with a Notice to Appear."),
    Term("released_for_beds", "Released to make room", "people",
         "Detained court cases held at ICE's discretion released on bond, parole or recognizance "
         "to make room for faster removals, or because beds were cut."),
    Term("released_on_bond", "Released on bond", "people",
         "Court cases held at ICE's discretion released on bond or conditional parole (INA "
         "236(a)) before their detained case ends; their case goes on."),
    Term("released_on_supervision", "Released on supervision", "people",
         "People with removal orders whom no seat can take soon, released on an order of "
         "supervision after custody review, with their final order."),
    Term("atd_enrolled", "Alternatives to detention", "people",
         "People enrolled in ATD (check-ins, phones, ankle monitors)."),
    Term("court_pending", "Immigration-court pending cases", "cases",
         "EOIR pending cases (detained and not), appeals excluded."),
    Term("court_receipts", "New court cases", "cases", "Notices to Appear filed with EOIR."),
    Term("court_completions", "Court decisions", "cases", "Initial case completions."),
    Term("court_dismissed_for_expedited", "Dismissed for expedited removal", "cases",
         "Court cases of recent entrants DHS had dismissed at arrest so it could use expedited "
         "removal (2025), counted once the person is held; court completions."),
    Term("removal_orders", "Removal orders", "orders",
         "Removal orders by judges (after a hearing or in absentia)."),
    Term("self_departures", "Self-departures", "people",
         "People leaving on their own (paid departures included): counted in no removal series."),
    Term("unauthorized_population", "Unauthorized population", "people",
         "Everyone in the partition, protected-for-now included."),
    Term("cost", "Cost", "US dollars", "Cost by stage, in dollars of the stated price year."),
)
OUTPUTS = _names(OUTPUT_TERMS)

COURT_OUTCOME_TERMS = (
    Term("in_absentia", "Removal order in absentia", "cases",
         "Ordered removed without appearing: a final order."),
    Term("removal_order", "Removal order after a hearing", "cases",
         "Ordered removed after a hearing (appealable)."),
    Term("voluntary_departure", "Voluntary departure", "cases",
         "Allowed to leave by a date; those who do not leave hold a final order."),
    Term("relief", "Relief granted", "cases",
         "Asylum, cancellation or another status: leaves the unauthorized population."),
    Term("dismissal", "Dismissed or terminated", "cases",
         "Case ended without an order: the person stays unauthorized (case dismissed or closed)."),
    Term("administrative_closure", "Administratively closed", "cases",
         "Taken off the calendar: the person stays unauthorized (case dismissed or closed)."),
)
COURT_OUTCOMES = _names(COURT_OUTCOME_TERMS)

ALL_TERMS: dict[str, tuple[Term, ...]] = {
    "cohorts": COHORT_TERMS,
    "statuses": STATUS_TERMS,
    "groups": GROUP_TERMS,
    "stages": STAGE_TERMS,
    "capacities": CAPACITY_TERMS,
    "routes": ROUTE_TERMS,
    "segments": SEGMENT_TERMS,
    "outputs": OUTPUT_TERMS,
    "court_outcomes": COURT_OUTCOME_TERMS,
}


def as_dict() -> dict[str, list[dict[str, str]]]:
    """The whole vocabulary as JSON-ready lists of terms, by kind (for ``/api/vocabulary``).

    Examples
    --------
    >>> vocabulary = as_dict()
    >>> [t["name"] for t in vocabulary["groups"]]
    ['mexico', 'northern_triangle', 'cooperative', 'recalcitrant']
    """
    return {kind: [asdict(t) for t in terms] for kind, terms in ALL_TERMS.items()}


def label(name: str) -> str:
    """The label of any name in the vocabulary (the name itself when unknown).

    Examples
    --------
    >>> label("judge_order")
    'Removal ordered by a judge'
    """
    for terms in ALL_TERMS.values():
        for term in terms:
            if term.name == name:
                return term.label
    return name
