"""Fields typed the French way. Every date is a text field « jj/mm/aaaa »: Streamlit's
st.date_input has neither a placeholder nor a locale (an empty one shows the English
« DD/MM/YYYY », a part cleared from a filled one « dd » or « mm », its calendar speaks the
browser's language)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from pilotage_qualite.common import formats


@dataclass(frozen=True)
class TypedDate:
    """What a date field holds: the day (None when empty or not a date) and, when the text is not
    a date, the French message to show (:func:`say_errors`)."""
    day: dt.date | None
    error: str | None = None


def date_field(label: str, *, key: str, value: dt.date | None = None, place=None,
               help: str | None = None, required: str | None = None) -> TypedDate:
    """A date typed « 05/12/2026 » (or 5/12/2026, 05-12-2026) in ``place`` (a column, say) or the
    page; ``value``: the day shown at first. Empty is allowed unless ``required`` names what the
    date is for (« la date de la réunion »). Text that is no date gives no day but a French message,
    for :func:`say_errors` to show across the page (a narrow column would break it letter by
    letter)."""
    place = place or st
    text = place.text_input(label, value=formats.input_date_text(value), key=key, placeholder=formats.DATE_HINT,
                            help=help)
    try:
        day = formats.parse_input_date(text)
    except ValueError as exc:
        return TypedDate(None, str(exc))
    if day is None and required:
        return TypedDate(None, f"Indiquez {required} ({formats.DATE_HINT}).")
    return TypedDate(day)


def say_errors(*fields: TypedDate) -> bool:
    """The message of each date not understood, in the page; True when there was one."""
    for field in fields:
        if field.error:
            st.error(field.error, icon=":material/event_busy:")
    return any(field.error for field in fields)
