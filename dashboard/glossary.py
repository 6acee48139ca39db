"""Words the site uses, in plain language; pages link a term to its entry with :func:`term`."""

from __future__ import annotations

from dash import html

GLOSSARY_PATH = "/glossary"
# key -> (term, plain definition). Keys are the anchors: /glossary#confidence-interval.
TERMS: dict[str, tuple[str, str]] = {
    "arrest": (
        "Arrest",
        "When police take a person into custody because they believe the person committed a "
        "crime. An arrest is not a finding of guilt.",
    ),
    "booking": (
        "Booking",
        "Recording a person into jail after an arrest (name, photo, fingerprints). Bookings "
        "are counted from jail records.",
    ),
    "charge": (
        "Charge",
        "A prosecutor's formal accusation that a person committed a crime. A felony charge is "
        "for a serious crime; a misdemeanor charge for a less serious one.",
    ),
    "diversion": (
        "Diversion (pre-booking diversion)",
        "Sending a person to services instead of the usual path of arrest, booking and "
        "prosecution. In LEAD, officers divert people before booking, so no charge is filed "
        "for that offense if the person engages with a case manager.",
    ),
    "control-group": (
        "Comparison group (control group)",
        "People similar to LEAD participants who went through the usual criminal legal "
        "process. Comparing the two groups shows what may have changed because of LEAD. In "
        "the LEAD evaluation people were not assigned at random, so the groups may differ in "
        "other ways too.",
    ),
    "confidence-interval": (
        "Confidence interval (likely range)",
        "The range of values the data support. A 95% confidence interval is built so that, "
        "over many studies, it contains the true value 95 times in 100. When the range "
        "includes no difference, the data cannot tell whether there is a real difference.",
    ),
    "odds-ratio": (
        "Odds ratio",
        "How much the odds of an event (such as arrest) differ between two groups. 0.6 means "
        "40% lower odds; 1 means no difference; 1.3 means 30% higher odds.",
    ),
    "suppressed": (
        "Withheld (suppressed) figure",
        "A number based on fewer than 11 people is not shown, so no one can be identified "
        "from it. Some other numbers are withheld too, so the hidden one cannot be worked out "
        "by subtraction. A withheld figure is never shown as zero.",
    ),
    "recidivism": (
        "Recidivism",
        "Being arrested or charged again after an earlier arrest or charge.",
    ),
    "mcpp": (
        "Neighborhood (MCPP area)",
        "The areas Seattle Police use for Micro-Community Policing Plans, such as Belltown. "
        "Crime figures on this site are counted by these areas.",
    ),
}


def term(label: str, key: str) -> html.A:
    """``label`` linked to its glossary entry (raises KeyError for an unknown term)."""
    name = TERMS[key][0]
    return html.A(label, href=f"{GLOSSARY_PATH}#{key}", className="term", title=f"Glossary: {name}")
